"""Forms for the plan's sections. They only parse and check input; figures come
from the engine through the services."""

import json
import re
from decimal import Decimal
from pathlib import Path

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MinValueValidator
from django.forms.boundfield import BoundField
from django.utils.functional import cached_property
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from methodologies.engine import MAX_GROUPS, MAX_ITEMS, MAX_PERIODS, MAX_STRING
from methodologies.models import EmissionFactor, Refrigerant, Regulation
from methodologies.reference import emission_factor_rows
from projects import dates, figures, numbers
from projects.interchange import PERIOD_COLUMNS, decimal_text
from projects.models import (
    OPTION_RESPONSE_MAX,
    OPTION_TEXT_MAX,
    QUANTITY,
    QUANTITY_LIMIT,
    ApplicabilityAnswer,
    Attachment,
    EquipmentGroup,
    EquipmentItem,
    Organisation,
    ParameterNote,
    Participant,
    Plan,
    PlanFigure,
    PlanRefrigerant,
    Programme,
    Question,
    QuestionOption,
    ReviewComment,
    SavingMeasure,
    ScheduleStep,
    ServiceLevelPair,
    Side,
    StakeholderTier,
)
from projects.permissions import import_organisations

# TWD97 TM2 (zone 121) ranges that cover Taiwan's main island and outlying islands.
TWD97_X_RANGE = (Decimal("140000"), Decimal("360000"))
TWD97_Y_RANGE = (Decimal("2400000"), Decimal("2800000"))
MONTH_PATTERN = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class RocDateInput(forms.TextInput):
    """Shows a date as 110/05/24; the field reads ROC or ISO dates."""

    def format_value(self, value):
        if hasattr(value, "year"):
            return dates.roc_short(value)
        return value


class RocDateField(forms.DateField):
    widget = RocDateInput(attrs={"placeholder": _("例：110/05/24")})
    default_error_messages = {
        "invalid": _(
            "請輸入有效的日期，例如民國 110/05/24、110年5月24日，或西元 2021/05/24、2021-05-24。"
        ),
    }

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if hasattr(value, "year"):
            return value
        try:
            return dates.parse_date(str(value))
        except ValueError as error:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from error


def html_attrs(attrs: dict) -> str:
    """` name="value"` pairs as Django's attrs.html writes them (True: the name alone)."""
    return "".join(
        f" {name}" if value is True else f' {name}="{escape(value)}"'
        for name, value in attrs.items()
        if value is not False and value is not None
    )


class DirectRender:
    """An <input> written in Python rather than through Django's widget template: the same
    HTML in a fraction of the time (section 四 at the limits holds thousands of inputs)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        shown = "" if widget["value"] is None else f' value="{escape(widget["value"])}"'
        return mark_safe(
            f'<input type="{widget["type"]}" name="{escape(name)}"{shown}'
            f"{html_attrs(widget['attrs'])}>"
        )


class DirectTextInput(DirectRender, forms.TextInput):
    pass


class DirectHiddenInput(DirectRender, forms.HiddenInput):
    pass


class DirectCheckboxInput(DirectRender, forms.CheckboxInput):
    pass


class DirectSelect(forms.Select):
    """A <select> of plain choices (no groups), written in Python like DirectRender."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = "".join(
            f'<option value="{escape(option["value"])}"'
            f"{' selected' if option['selected'] else ''}>{escape(option['label'])}</option>"
            for _group, group_options, _index in widget["optgroups"]
            for option in group_options
        )
        return mark_safe(
            f'<select name="{escape(name)}"{html_attrs(widget["attrs"])}>{options}</select>'
        )


class DecimalInput(DirectRender, forms.TextInput):
    """A text box for quantities: shows 0.028, not 0.02800000, and lets any
    typing through so the server can say what is wrong with it."""

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "decimal", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, Decimal):
            return decimal_text(value)
        return super().format_value(value)


class CountInput(DirectRender, forms.TextInput):
    """A text box for whole numbers: a number input would drop "3,650" before the server
    could read it."""

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "numeric", **(attrs or {})})


NUMBER_MESSAGES = {
    "invalid": _("請輸入數字，例如 3,650 或 12.5。"),
    "percent": _("此欄不是百分比，請直接輸入數字，例如 3,650 或 12.5。"),
    "exponent": _("請寫出完整的數字，不用科學記號（例如寫 150000，不寫 1.5e5）。"),
}
PERCENT_MESSAGES = {
    numbers.FRACTION: _("請輸入數字，例如 3,650 或 0.0394；百分比可寫成 3.94%。"),
    numbers.POINTS: _("請輸入百分比的數值，例如 1 或 1%。"),
}
COUNT_MESSAGE = _("請輸入整數，例如 3,650。")


class LocalizedDecimalField(forms.DecimalField):
    """A quantity as people type it (see projects.numbers): "3,650", full-width digits,
    and with `percent` set a trailing % ("3.94%" is 0.0394 for numbers.FRACTION, "1%" is 1
    for numbers.POINTS). Read to Decimal from the text, never through float."""

    widget = DecimalInput

    def __init__(self, *, percent: str | None = None, **kwargs):
        self.percent = percent
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, (Decimal, int)):
            return Decimal(value)
        try:
            return numbers.parse_decimal(value, percent=self.percent)
        except numbers.NumberError as error:
            raise ValidationError(self.number_message(error.reason), code="invalid") from error

    def number_message(self, reason: str):
        if reason == "exponent":
            return NUMBER_MESSAGES["exponent"]
        return PERCENT_MESSAGES.get(self.percent) or NUMBER_MESSAGES[reason]


class LocalizedIntegerField(forms.IntegerField):
    """A count as people type it: "3,650" or full-width digits."""

    widget = CountInput
    default_error_messages = {"invalid": COUNT_MESSAGE}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, int):
            return value
        try:
            return numbers.parse_integer(value)
        except numbers.NumberError as error:
            message = NUMBER_MESSAGES["exponent"] if error.reason == "exponent" else COUNT_MESSAGE
            raise ValidationError(message, code="invalid") from error


# Widget attributes that only a number input has.
NUMBER_INPUT_ATTRS = ("step", "min", "max")


def typed_field(field: forms.Field) -> forms.Field:
    """The field that reads what people type in place of a model form's default field:
    ROC or Gregorian dates, numbers with thousands separators. Others stay as they are."""
    if isinstance(field, forms.DateField) and not isinstance(field, RocDateField):
        return RocDateField(label=field.label, required=field.required, help_text=field.help_text)
    if isinstance(field.widget, forms.HiddenInput) or isinstance(
        field, (LocalizedDecimalField, LocalizedIntegerField)
    ):
        return field
    attrs = {k: v for k, v in field.widget.attrs.items() if k not in NUMBER_INPUT_ATTRS}
    common = {
        "required": field.required,
        "label": field.label,
        "initial": field.initial,
        "help_text": field.help_text,
        "disabled": field.disabled,
    }
    if isinstance(field, forms.DecimalField):
        typed = LocalizedDecimalField(
            max_digits=field.max_digits,
            decimal_places=field.decimal_places,
            widget=DecimalInput(attrs),
            **common,
        )
    elif type(field) is forms.IntegerField:
        typed = LocalizedIntegerField(widget=CountInput(attrs), **common)
    else:
        return field
    typed.min_value, typed.max_value = field.min_value, field.max_value
    typed.validators = list(field.validators)
    typed.error_messages = {**field.error_messages, "invalid": typed.error_messages["invalid"]}
    return typed


class PlanFormMetaclass(forms.models.ModelFormMetaclass):
    """Gives every plan form's class fields that read dates and numbers as people type
    them (see typed_field), once when the class is made rather than for each form."""

    def __new__(mcs, name, bases, attrs):
        new_class = super().__new__(mcs, name, bases, attrs)
        for field_name, field in new_class.base_fields.items():
            new_class.base_fields[field_name] = typed_field(field)
        return new_class


def limit_text(form) -> None:
    """Text fields without a length of their own hold at most MAX_STRING characters, the
    interchange format's limit for a string. (No maxlength attribute: a browser would cut a
    longer paste silently; the server says so instead.)"""
    for field in form.fields.values():
        if isinstance(field, forms.CharField) and field.max_length is None:
            field.max_length = MAX_STRING
            field.validators.append(MaxLengthValidator(MAX_STRING))


class PlanModelForm(forms.ModelForm, metaclass=PlanFormMetaclass):
    """ROC dates, numbers as people type them in plain text boxes (see PlanFormMetaclass),
    compact text areas and the format's string limit for every plan form."""

    textarea_rows = "3"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit_text(self)
        for field in self.fields.values():
            if (
                isinstance(field.widget, forms.Textarea)
                and str(field.widget.attrs.get("rows")) == "10"
            ):
                field.widget.attrs["rows"] = self.textarea_rows  # Django's 10 makes long pages

    def save(self, commit=True):
        """A plan form writes only its own fields: the plan row also holds the
        status, the current version and other sections' fields, which another
        request may have changed since this form was built."""
        if not (commit and isinstance(self.instance, Plan) and self.instance.pk):
            return super().save(commit)
        names = {field.name for field in Plan._meta.concrete_fields}
        own = [name for name in self.fields if name in names and name in self.cleaned_data]
        self.instance.save(update_fields=[*own, "updated_at"])
        return self.instance


class PlanCreateForm(forms.ModelForm):
    class Meta:
        model = Plan
        fields = ["organisation", "type", "programme", "authority", "title", "technology"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["authority"].queryset = Organisation.objects.filter(
            kind=Organisation.Kind.AUTHORITY
        )
        self.fields["authority"].help_text = _("計畫型專案請選擇審查機關。")
        self.fields["organisation"].queryset = Organisation.objects.filter(
            membership__user=user,
            membership__role="editor",
            kind=Organisation.Kind.APPLICANT,
        )
        self.fields["organisation"].empty_label = None
        self.fields["programme"].queryset = Programme.objects.filter(is_open=True)
        self.fields["programme"].help_text = _("方案型子專案請選擇開放中的方案型抵換專案。")
        self.fields["technology"].required = True
        self.fields["type"].widget = forms.RadioSelect(choices=Plan.Type.choices)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("type") == Plan.Type.SUB_PROJECT and not cleaned.get("programme"):
            self.add_error("programme", _("方案型子專案必須選擇所屬的方案型抵換專案。"))
        if cleaned.get("type") == Plan.Type.INDIVIDUAL:
            cleaned["programme"] = None
        else:
            cleaned["authority"] = None
        return cleaned


class BasicForm(PlanModelForm):
    """一 基本資料"""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.type == Plan.Type.SUB_PROJECT:
            del self.fields["authority"]  # the programme's authority reviews it
        else:
            self.fields["authority"].queryset = Organisation.objects.filter(
                kind=Organisation.Kind.AUTHORITY
            )
            if self.instance.current_version_id:
                # Fixed from the first submission on: the review stays where it started.
                self.fields["authority"].disabled = True
                self.fields["authority"].help_text = _("送審後不可變更審查機關。")

    class Meta:
        model = Plan
        fields = [
            "authority",
            "applicant_name",
            "title",
            "number",
            "version",
            "prepared_on",
            "methodology",
            "sector",
            "methodology_wording",
            "methodology_version_wording",
            "sector_wording",
            "total_reduction_stated_tco2e",
        ]
        widgets = {
            "methodology_wording": forms.Textarea(attrs={"rows": 2}),
            "methodology_version_wording": forms.TextInput,
            "sector_wording": forms.TextInput,
        }


class ActivityForm(PlanModelForm):
    """二 專案活動描述"""

    class Meta:
        model = Plan
        fields = [
            "sub_project_methodology_ok",
            "sub_project_boundary_ok",
            "application_kind",
            "crediting",
            "crediting_start",
            "crediting_end",
            "crediting_note",
            "category",
            "annual_savings_stated_kwh",
            "cost_setup",
            "cost_energy",
            "cost_subsidy",
            "cost_operation",
            "cost_other",
            "cost_other_label",
            "cost_note",
            "site_address",
            "twd97_x",
            "twd97_y",
            "measures",
            "start_date",
            "old_equipment_since",
            "remaining_life_years",
            "lifetime_exemption",
            "lifetime_detail",
            "lifetime_tool_equipment",
            "lifetime_tool_years",
            "lifetime_supplier_years",
            "lifetime_statistics_years",
            "lifetime_statistics_source",
        ]
        widgets = {"lifetime_exemption": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["crediting_start"].help_text = _(
            "結束日留白時，依計入期起始日（未填則為專案起始日）與計入期型態自動帶入，可再修改。"
        )
        self.fields["lifetime_exemption"].choices = Plan.LifetimeExemption.choices

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("crediting_start"), cleaned.get("crediting_end")
        if start and end and end < start:
            self.add_error("crediting_end", _("計入期結束日不可早於開始日。"))
        x, y = cleaned.get("twd97_x"), cleaned.get("twd97_y")
        if (
            x is not None
            and y is not None
            and _in_range(y, TWD97_X_RANGE)
            and _in_range(x, TWD97_Y_RANGE)
        ):
            self.add_error(
                "twd97_x",
                _(
                    "X 與 Y 座標似乎填反了：X 為東西向（約 15 萬至 35 萬），Y 為南北向（約 240 萬至 280 萬）。"
                ),
            )
            return cleaned
        for name, (low, high) in (("twd97_x", TWD97_X_RANGE), ("twd97_y", TWD97_Y_RANGE)):
            value = cleaned.get(name)
            if value is not None and not _in_range(value, (low, high)):
                self.add_error(
                    name,
                    _("TWD97/TM2 座標超出臺灣範圍（%(low)s ~ %(high)s）。")
                    % {"low": f"{low:,}", "high": f"{high:,}"},
                )
        return cleaned


def _in_range(value, bounds) -> bool:
    low, high = bounds
    return low <= value <= high


class KnownRowField(forms.ModelChoiceField):
    """A formset row's hidden id, checked against the row the formset has already read:
    Django's own field asks the database once per row."""

    def __init__(self, *args, row=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.row = row

    def to_python(self, value):
        if self.row is not None and str(value) == str(self.row.pk):
            return self.row
        if self.row is None and value not in self.empty_values:
            # A row of this page that someone else deleted since it was read: the
            # page's row is kept as a new one (RowFormSet.save_existing_objects).
            return None
        return super().to_python(value)


class FactorChoiceField(forms.ModelChoiceField):
    """An emission factor by pk, found among `rows` the form has read already."""

    rows: list = []

    def to_python(self, value):
        for row in self.rows:
            if str(row.pk) == str(value):
                return row
        return super().to_python(value)


class RowFormSet(forms.BaseInlineFormSet):
    """Inline formsets whose rows keep the order they are shown in, at most `max_num` rows
    (the format's list limit), refused with a message naming the table.

    `rows`, a list of the rows the caller has read already, stands for the
    queryset: the formset then reads nothing (the queryset is still given, for
    the model and the plan)."""

    def __init__(self, *args, rows=None, **kwargs):
        self._rows = rows
        super().__init__(*args, **kwargs)
        # Django formats the message with %(num)d only; it is complete already.
        message = self.too_many_message().replace("%", "%%")
        self.error_messages = {**self.error_messages, "too_many_forms": message}

    def add_fields(self, form, index):
        super().add_fields(form, index)
        name = self._pk_field.name
        field = form.fields[name]
        form.fields[name] = KnownRowField(
            field.queryset,
            row=form.instance if form.instance.pk else None,
            initial=field.initial,
            required=False,
            widget=field.widget,
        )

    def get_queryset(self):
        return self._rows if self._rows is not None else super().get_queryset()

    def too_many_message(self) -> str:
        return _("「%(table)s」最多 %(limit)d 列，請刪除多餘的列。") % {
            "table": self.model._meta.verbose_name_plural,
            "limit": self.max_num,
        }

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        if self.is_bound and i < self.initial_form_count() and form.instance.pk is None:
            form.fields[self._pk_field.name].required = False  # deleted meanwhile
        return form

    def save_existing_objects(self, commit=True):
        saved = super().save_existing_objects(commit)
        for form in self.initial_forms:
            # Deleted meanwhile by another save (see KnownRowField): saved as a new row.
            if (
                form.instance.pk is None
                and form.has_changed()
                and not self._should_delete_form(form)
            ):
                self.save_new(form, commit=commit)
                if not commit:
                    self.saved_forms.append(form)
                saved.append(form.instance)
        return saved

    def save(self, commit=True):
        for index, form in enumerate(self.ordered_forms if self.can_order else self.forms):
            if form.has_changed() or form.instance.pk:
                if hasattr(form.instance, "order"):
                    form.instance.order = index
        return super().save(commit)


class RowForm(PlanModelForm):
    """A row of a table-shaped formset."""

    textarea_rows = "2"


def row_formset(model, fields, *, extra=1, formset=RowFormSet, form=RowForm, parent=Plan, **kwargs):
    """Rows of `model` under `parent` (a plan's, or a monitoring report's)."""
    kwargs.setdefault("max_num", MAX_ITEMS)
    kwargs.setdefault("validate_max", True)
    return forms.inlineformset_factory(
        parent,
        model,
        form=form,
        formset=formset,
        fields=fields,
        extra=extra,
        can_delete=True,
        **kwargs,
    )


ParticipantFormSet = row_formset(Participant, ["role", "name", "description"])


class ScheduleStepForm(RowForm):
    def clean_month(self):
        return _clean_month(
            self.cleaned_data.get("month", ""), _("時間請填年-月，例如 2019-03 或 108.03。")
        )


ScheduleStepFormSet = row_formset(ScheduleStep, ["month", "step"], form=ScheduleStepForm)
EquipmentFormSet = row_formset(
    EquipmentItem,
    ["side", "brand", "model", "spec", "efficacy", "quantity", "unit", "location", "note"],
    extra=0,
)


class ApplicabilityForm(forms.ModelForm):
    class Meta:
        model = ApplicabilityAnswer
        fields = ["answer", "explanation", "wording"]
        widgets = {
            "answer": forms.RadioSelect,
            "explanation": forms.Textarea(attrs={"rows": 4}),
            "wording": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit_text(self)
        self.fields["answer"].choices = ApplicabilityAnswer.Answer.choices


class AdditionalityForm(PlanModelForm):
    class Meta:
        model = Plan
        fields = [
            "conditions_footnote",
            "additionality_none",
            "additionality_central_note",
            "additionality_local_note",
            "additionality_policy_note",
            "additionality_other_name",
            "additionality_other_note",
            "saving_rate_year",
            "saving_rate_previous_kwh",
            "saving_rate_required_percent",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["saving_rate_required_percent"].percent = numbers.POINTS
        self.fields["conditions_footnote"].widget = forms.Textarea(attrs={"rows": 2})


class RegulationForm(forms.Form):
    """One row of the additionality checklist: ticked or not, with an explanation."""

    selected = forms.BooleanField(required=False)
    explanation = forms.CharField(
        required=False,
        max_length=MAX_STRING,
        widget=forms.Textarea(attrs={"rows": 2}),
        label=_("說明"),
    )

    def __init__(self, *args, regulation: Regulation, **kwargs):
        super().__init__(*args, **kwargs)
        self.regulation = regulation
        self.fields["selected"].label = regulation.name

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("explanation", "").strip() and not cleaned.get("selected"):
            self.add_error("explanation", _("請勾選此法規，或清除說明。"))
        return cleaned


SavingMeasureFormSet = row_formset(SavingMeasure, ["label", "savings_kwh"])


class CalculationForm(PlanModelForm):
    """四 計算方法: the plan-wide inputs."""

    emission_factor_choice = FactorChoiceField(
        queryset=EmissionFactor.objects.all(),
        required=False,
        label=_("依年度選用公告係數"),
        empty_label=_("（自行填寫係數）"),
    )

    class Meta:
        model = Plan
        fields = [
            "baseline_scenario",
            "baseline_method",
            "project_scenario",
            "project_method",
            "emission_factor_year",
            "emission_factor_value",
            "line_loss",
            "gwp_edition",
            "leakage_tco2e",
            "leakage_not_applicable",
            "leakage_note",
            "energy_unit",
            "count_unit",
            "formula_numbers",
            "service_level_metric",
            "service_level_mode",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        factors = emission_factor_rows()
        self.fields["emission_factor_choice"].rows = factors
        year = self.instance.emission_factor_year
        factor = next((row for row in factors if row.year == year), None)
        if factor and self.instance.emission_factor_value in (None, factor.value):
            self.initial.setdefault("emission_factor_choice", factor.pk)
        self.fields["emission_factor_choice"].label_from_instance = lambda row: (
            _("%(year)s（民國 %(roc)s 年）：%(value)s kgCO2e/kWh")
            % {"year": row.year, "roc": row.year - 1911, "value": decimal_text(row.value)}
            + (" ※" + str(_("尚待確認")) if row.unconfirmed else "")
        )
        self.fields["line_loss"].percent = numbers.FRACTION
        self.fields["line_loss"].help_text = _(
            "以分數填寫，例如 0.0394，或寫成百分比 3.94%；不計線損填 0。"
        )
        # Drafts save with any field empty; an empty leakage is the model's default 0.
        self.fields["leakage_tco2e"].required = False
        self.fields["leakage_tco2e"].help_text = _("留白視為 0。")
        self.fields["line_loss"].error_messages["max_value"] = _("線路損失率必須小於 1（100%%）。")
        self.fields["emission_factor_value"].help_text = _(
            "選用公告係數時可留白；兩者皆填時以此數值為準。"
        )
        self.fields["energy_unit"].help_text = _("留白時照明以 MWh、其他以 kWh 列印。")
        self.fields["count_unit"].help_text = _("留白時照明為「具」、其他為「台」。")
        self.fields["formula_numbers"].help_text = _("以公式(1)、公式(2)…編號各公式。")

    def clean(self):
        cleaned = super().clean()
        factor = cleaned.get("emission_factor_choice")
        # The year is the chosen table row's; a newly typed factor records none.
        if factor is not None:
            cleaned["emission_factor_year"] = factor.year
        elif (
            "emission_factor_value" in self.changed_data
            or "emission_factor_choice" in self.changed_data
        ):
            cleaned["emission_factor_year"] = None
        # A draft may have no emission factor at all: submission reports it (an engine
        # error). An empty leakage is the model's default 0 (the column is NOT NULL).
        if cleaned.get("leakage_tco2e") is None and not self.has_error("leakage_tco2e"):
            cleaned["leakage_tco2e"] = Decimal("0")
        if cleaned.get("service_level_mode") and not cleaned.get("service_level_metric"):
            cleaned["service_level_metric"] = "service_level"
        return cleaned


class GridMonthInput(DirectTextInput):
    def __init__(self, attrs=None):
        super().__init__(
            {
                "placeholder": "2019-09",
                "class": "form-control form-control-sm",
                # A cell's visible label is its column header; screen readers get this.
                "aria-label": _("月份 (YYYY-MM)"),
                **(attrs or {}),
            }
        )


class GridDecimalInput(DecimalInput):
    def __init__(self, attrs=None):
        super().__init__({"class": "form-control form-control-sm", **(attrs or {})})


class GridDecimalField(LocalizedDecimalField):
    """One cell of the monthly grid. (Widgets given as classes: a widget instance would be
    deep-copied for each of the thousands of cells.)"""

    widget = GridDecimalInput

    def __init__(self, **kwargs):
        super().__init__(
            min_value=0, validators=[QUANTITY_LIMIT], required=False, **QUANTITY, **kwargs
        )

    def widget_attrs(self, widget):
        # The cell's visible label is its column header; screen readers get the field's.
        return {**super().widget_attrs(widget), "aria-label": self.label}


class GroupForm(PlanModelForm):
    """One equipment group. A periods-shaped group carries a month grid (12 rows at least, at
    most MAX_PERIODS months filled); other shapes carry none, so that a page of many groups
    stays small: the page's script adds the rows when the shape becomes periods.

    A monitoring report's group (projects.monitoring.forms) is this form over its own model:
    `HOURS_FIELD` names the operating hours, and `check_month` may refuse a month."""

    MONTHS = 12  # rows shown at least for a periods group; more when it has or is sent more
    HOURS_FIELD = "annual_hours"
    # A row holding only its month is left out (a report's grid comes with its months).
    SKIP_BARE_MONTHS = False

    class Meta:
        model = EquipmentGroup
        fields = [
            "name",
            "shape",
            "count",
            "power_kw",
            "capacity_rt",
            "kw_per_rt",
            "annual_hours",
        ]
        widgets = {"name": DirectTextInput, "shape": DirectSelect, "count": CountInput}

    def __init__(self, *args, months=None, **kwargs):
        """`months`: the saved months of the page's groups (interchange.group_months), when
        the page has read them; otherwise the group's own are read."""
        super().__init__(*args, **kwargs)
        count = self.fields["count"]
        count.min_value = 1
        count.validators = [v for v in count.validators if not hasattr(v, "limit_value")]
        count.validators.append(MinValueValidator(1))
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)
        periods = []
        if self.instance.pk:
            periods = (
                months.get(self.instance.pk, [])
                if months is not None
                else list(self.instance.periods.values_list(*PERIOD_COLUMNS))
            )
        least = self.MONTHS if self._shape() == EquipmentGroup.Shape.PERIODS else 0
        self.rows = max(least, len(periods), self._posted_rows())
        self.grid_names = set()
        for i in range(self.rows):
            cells = self._grid_fields(i)
            self.fields.update(cells)
            self.grid_names.update(cells)
        # The saved months are the cells' initial values (the fields are shared, see
        # _grid_fields).
        for i, (month, power_kw, hours, energy_kwh) in enumerate(periods):
            self.initial.update(
                {
                    f"month_{i}": month,
                    f"power_{i}": power_kw,
                    f"hours_{i}": hours,
                    f"energy_{i}": energy_kwh,
                }
            )

    @property
    def hours_field(self) -> BoundField:
        """The group's operating hours (a year's in a plan, the period's in a report)."""
        return self[self.HOURS_FIELD]

    def check_month(self, month: str):
        """A message refusing a well-formed month, or None (a plan takes any month)."""
        return None

    def _shape(self) -> str:
        if self.is_bound:
            return self.data.get(self.add_prefix("shape"), "")
        return self.initial.get("shape") or ""

    # The cells' fields of each grid row, built once and shared by every group form: a
    # field keeps nothing of the form it is in (a form's values are its data and its
    # initial), and a page of 400 monthly groups would otherwise build 19,200 of them.
    # Nothing may change a grid field in place. Rows past SHARED_ROWS (only a page sent
    # with more months than a grid may hold) get fields of their own.
    SHARED_ROWS = MAX_PERIODS + 1
    _shared_grid_fields: dict = {}

    @classmethod
    def _grid_fields(cls, i) -> dict:
        """The four cells of grid row `i`."""
        fields = cls._shared_grid_fields.get(i)
        if fields is None:
            fields = cls._new_grid_fields(i)
            if i == "__row__" or i < cls.SHARED_ROWS:
                cls._shared_grid_fields[i] = fields
        return fields

    @staticmethod
    def _new_grid_fields(i) -> dict:
        return {
            f"month_{i}": forms.CharField(
                required=False, label=_("月份"), initial="", widget=GridMonthInput
            ),
            f"power_{i}": GridDecimalField(label=_("kW")),
            f"hours_{i}": GridDecimalField(max_value=744, label=_("小時")),
            f"energy_{i}": GridDecimalField(label=_("kWh")),
        }

    def grid_row_template(self) -> list[BoundField]:
        """The cells of one empty row named with `__row__`, for the script to copy and number."""
        return [
            BoundField(self, field, name) for name, field in self._grid_fields("__row__").items()
        ]

    def _posted_rows(self) -> int:
        """How many grid rows the browser sent (pasting may add rows)."""
        if not self.is_bound:
            return 0
        count = 0
        while self.add_prefix(f"month_{count}") in self.data:
            count += 1
        return count

    GRID_COLUMNS = ("month", "power", "hours", "energy")

    def grid_html(self) -> str:
        """The grid's rows (<tr>s of four cells, each with its errors), written directly:
        the HTML that rendering each cell's BoundField gives, with its aria-invalid and
        aria-describedby on a cell in error, in a fraction of the time (a page of 400
        monthly groups holds 19,200 cells)."""
        if not self.rows:
            return ""
        errors = self.errors if self.is_bound else {}
        fixed = {
            column: html_attrs(self.fields[f"{column}_0"].widget.attrs)
            for column in self.GRID_COLUMNS
        }
        parts = []
        for i in range(self.rows):
            parts.append("\n          <tr>")
            for column in self.GRID_COLUMNS:
                name = f"{column}_{i}"
                field, html_name = self.fields[name], self.add_prefix(name)
                value = self.get_initial_for_field(field, name)
                if self.is_bound:
                    sent = field.widget.value_from_datadict(self.data, self.files, html_name)
                    value = field.bound_data(sent, value)
                value = field.widget.format_value(field.prepare_value(value))
                shown = "" if value is None else f' value="{escape(value)}"'
                cell_id = self._cell_id(html_name)
                cell_errors = errors.get(name)
                marks = ""
                if cell_errors:
                    marks = ' aria-invalid="true"'
                    if cell_id:
                        marks += f' aria-describedby="{escape(cell_id)}_error"'
                id_attr = f' id="{escape(cell_id)}"' if cell_id else ""
                parts.append(
                    f'\n            <td><input type="text" name="{escape(html_name)}"{shown}'
                    f"{fixed[column]}{marks}{id_attr}>"
                )
                parts.extend(
                    f'<div class="invalid-feedback d-block">{conditional_escape(error)}</div>'
                    for error in cell_errors or ()
                )
                parts.append("</td>")
            parts.append("\n          </tr>\n        ")
        return mark_safe("".join(parts))

    def hidden_fields(self):
        """Django's, without building a BoundField for each grid cell to ask whether it is
        hidden."""
        return [self[name] for name, field in self.fields.items() if field.widget.is_hidden]

    def _cell_id(self, html_name: str) -> str:
        """A cell's id, as BoundField.auto_id gives it."""
        if self.auto_id and "%s" in str(self.auto_id):
            return self.auto_id % html_name
        return html_name if self.auto_id else ""

    # A page of 400 monthly groups has 19,200 grid cells: Django's cleaning and change
    # detection would build a BoundField for each. These two read a cell's value straight
    # from the data instead (a grid field is never disabled), and leave every other field
    # to Django, in the same order.

    def _clean_fields(self):
        for name, field in self.fields.items():
            try:
                if name in self.grid_names:
                    sent = field.widget.value_from_datadict(
                        self.data, self.files, self.add_prefix(name)
                    )
                    self.cleaned_data[name] = field.clean(sent)
                    continue
                self.cleaned_data[name] = field._clean_bound_field(self[name])
                if hasattr(self, f"clean_{name}"):
                    self.cleaned_data[name] = getattr(self, f"clean_{name}")()
            except ValidationError as error:
                self.add_error(name, error)

    @cached_property
    def changed_data(self) -> list[str]:
        changed = []
        for name, field in self.fields.items():
            if name in self.grid_names:
                initial = self.get_initial_for_field(field, name)
                sent = field.widget.value_from_datadict(
                    self.data, self.files, self.add_prefix(name)
                )
                if field.has_changed(initial, sent):
                    changed.append(name)
            elif self[name]._has_changed():
                changed.append(name)
        return changed

    def clean(self):
        cleaned = super().clean()
        shape = cleaned.get("shape")
        # A draft may leave the shape's figures or months empty (the columns allow it):
        # the calculation reports them, and submission waits for them.
        cleaned["periods"] = self._clean_periods() if shape == EquipmentGroup.Shape.PERIODS else []
        return cleaned

    def _clean_periods(self) -> list[dict]:
        periods, seen = [], set()
        for i in range(self.rows):
            month = (self.cleaned_data.get(f"month_{i}") or "").strip()
            power = self.cleaned_data.get(f"power_{i}")
            hours = self.cleaned_data.get(f"hours_{i}")
            energy = self.cleaned_data.get(f"energy_{i}")
            if power is None and hours is None and energy is None:
                if not month or self.SKIP_BARE_MONTHS:
                    continue
            if not MONTH_PATTERN.match(month):
                self.add_error(f"month_{i}", _("月份請填西元年-月，例如 2019-09。"))
                continue
            if month in seen:
                self.add_error(f"month_{i}", _("月份重複。"))
            refusal = self.check_month(month)
            if refusal:
                self.add_error(f"month_{i}", refusal)
            seen.add(month)
            if energy is not None:
                if power is not None or hours is not None:
                    self.add_error(f"energy_{i}", _("請填功率與時數，或電錶用電量，擇一即可。"))
                periods.append({"month": month, "energy_kwh": energy})
            elif power is None or hours is None:
                field = f"power_{i}" if power is None else f"hours_{i}"
                self.add_error(field, _("請填寫此月份的功率與運轉時數。"))
            else:
                periods.append({"month": month, "power_kw": power, "hours": hours})
            if len(periods) == MAX_PERIODS + 1:
                self.add_error(
                    f"month_{i}",
                    _("逐月資料最多 %(limit)d 個月，請刪除此月份起多餘的月份。")
                    % {"limit": MAX_PERIODS},
                )
        return periods


class GroupRowFormSet(RowFormSet):
    """The groups of one side (prefix "baseline-groups" or "project-groups")."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        # The row's id, plan and delete box, written directly like the group's own inputs.
        for field in form.fields.values():
            if type(field.widget) is forms.HiddenInput:
                field.widget = DirectHiddenInput(field.widget.attrs)
            elif type(field.widget) is forms.CheckboxInput:
                field.widget = DirectCheckboxInput(field.widget.attrs)

    def too_many_message(self) -> str:
        side = dict(Side.choices).get(self.prefix.split("-")[0], "")
        return _("「%(side)s」的設備群組最多 %(limit)d 組，請刪除多餘的群組。") % {
            "side": side,
            "limit": self.max_num,
        }


def group_formset(*, extra: int, form=GroupForm, parent=Plan):
    """The groups of one side: a plan's (GroupForm), or a monitoring report's."""
    return row_formset(
        form.Meta.model,
        form.Meta.fields,
        form=form,
        formset=GroupRowFormSet,
        extra=extra,
        max_num=MAX_GROUPS,
        parent=parent,
    )


GroupFormSet = group_formset(extra=0)
# A side with no group yet starts with one empty group to fill in.
FirstGroupFormSet = group_formset(extra=1)


class RefrigerantForm(forms.ModelForm, metaclass=PlanFormMetaclass):
    """A side's refrigerant. For a refrigerant in the reference table the GWP and
    ODP are the table's: they are shown, not asked. Figures a document gave for
    a table refrigerant are kept as they are (and flagged, see
    consistency.warnings) until the applicant takes the table's figures."""

    code = forms.ChoiceField(label=_("冷媒"), required=False)
    use_table = forms.BooleanField(
        label=_("改用參考資料表的 GWP 與 ODP"), required=False, initial=False
    )

    class Meta:
        model = PlanRefrigerant
        fields = ["code", "annual_quantity_t", "gwp", "odp"]

    # The quantity topped up or leaked (a year's in a plan, the period's in a report).
    QUANTITY_FIELD = "annual_quantity_t"
    quantity_required = _("選用冷媒時請填寫年補充／洩漏量。")

    def __init__(self, *args, table=None, edition: str = "AR5", **kwargs):
        super().__init__(*args, **kwargs)
        # code -> RefrigerantData of the reference table (methodologies.reference)
        self.table = table if table is not None else {}
        self.edition = edition
        codes = list(self.table) or list(Refrigerant.objects.values_list("code", flat=True))
        if self.instance.code and self.instance.code not in codes:
            codes.append(self.instance.code)  # a code outside the table, with its own GWP/ODP
        self.fields["code"].choices = [("", _("（無冷媒）"))] + [(code, code) for code in codes]
        self.fields[self.QUANTITY_FIELD].required = False
        code = self.data.get(self.add_prefix("code")) if self.is_bound else self.instance.code
        self.from_table = code in self.table
        row = self.table.get(code)
        own_figures = (
            row is not None
            and self.instance.code == code
            and (
                self.instance.gwp not in (None, row.gwp.get(edition))
                or self.instance.odp not in (None, row.odp)
            )
        )
        if self.from_table:
            # Not asked: what is saved stays (None means the table's figure).
            for name in ("gwp", "odp"):
                self.fields[name].disabled = True
                self.fields[name].help_text = ""
        if not (self.from_table and own_figures):
            del self.fields["use_table"]

    @property
    def quantity_field(self) -> BoundField:
        return self[self.QUANTITY_FIELD]

    @property
    def keeps_own_figures(self) -> bool:
        """A table refrigerant with the figures a document gave it."""
        return "use_table" in self.fields

    def table_figures(self) -> dict | None:
        """The reference table's GWP (of the plan's edition) and ODP of the chosen code."""
        code = self["code"].value()
        row = self.table.get(code)
        if row is None:
            return None
        gwp = row.gwp.get(self.edition)
        return {
            "gwp": decimal_text(gwp) if gwp is not None else None,
            "odp": decimal_text(row.odp),
            "edition": self.edition,
        }

    def table_json(self) -> str:
        """Every table refrigerant's figures, for the page to show on a change of code."""
        return json.dumps(
            {
                code: {
                    "gwp": decimal_text(row.gwp[self.edition]) if self.edition in row.gwp else "",
                    "odp": decimal_text(row.odp),
                }
                for code, row in self.table.items()
            }
        )

    def clean(self):
        cleaned = super().clean()
        quantity = self.QUANTITY_FIELD
        if cleaned.get("code") and cleaned.get(quantity) is None:
            self.add_error(quantity, self.quantity_required)
        if not cleaned.get("code"):
            for name in (quantity, "gwp", "odp"):
                if cleaned.get(name) is not None:
                    self.add_error(name, _("請先選擇冷媒，或清除此欄。"))
        if self.from_table and (
            cleaned.get("use_table") or self.instance.code != cleaned.get("code")
        ):
            # A table refrigerant newly chosen, or its own figures given up.
            cleaned["gwp"] = cleaned["odp"] = None
        return cleaned


ServicePairFormSet = row_formset(ServiceLevelPair, ["location", "baseline", "project"])
PARAMETER_NOTE_FIELDS = ["table", "parameter", "definition", "unit", "display", "source", "note"]
ParameterNoteFormSet = row_formset(ParameterNote, PARAMETER_NOTE_FIELDS, extra=0)


class EnvironmentForm(PlanModelForm):
    """五 環境衝擊分析與公眾意見"""

    class Meta:
        model = Plan
        fields = [
            "environment_summary",
            "environment_construction",
            "environment_crediting",
            "consultation_identification",
            "consultation_tier_table_number",
            "consultation_collection",
            "consultation_summary",
            "consultation_responses",
            "consultation_conclusion",
        ]


def _clean_month(month: str, message) -> str:
    """A month typed as 2020-11, 2020/11, 109.11 or 109-11, as "YYYY-MM"."""
    month = month.strip()
    if month:
        try:
            year, number = month.replace("/", "-").replace(".", "-").split("-")
            year, number = int(year), int(number)
        except ValueError as error:
            raise ValidationError(message) from error
        if year < 1911:
            year += 1911  # typed in the ROC calendar
        if not 1 <= number <= 12:
            raise ValidationError(message)
        month = f"{year:04d}-{number:02d}"
    return month


class TierForm(RowForm):
    def clean_survey_month(self):
        return _clean_month(
            self.cleaned_data.get("survey_month", ""),
            _("調查時間請填年-月，例如 2020-11 或 109-11。"),
        )

    def clean(self):
        cleaned = super().clean()
        sent, paper = cleaned.get("copies_sent"), cleaned.get("copies_returned")
        online = self.instance.responses.count() if self.instance.pk else 0
        # Paper alone over the copies sent is the model's own check.
        if sent is not None and (paper or 0) <= sent < (paper or 0) + online:
            self.add_error(
                "copies_returned",
                _("回收份數（紙本 %(paper)d、線上 %(online)d）不可多於發送的 %(sent)d 份。")
                % {"paper": paper or 0, "online": online, "sent": sent},
            )
        return cleaned


StakeholderTierFormSet = row_formset(
    StakeholderTier,
    ["name", "definition", "targets", "survey_month", "copies_sent", "copies_returned"],
    form=TierForm,
)

ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
# Content signatures: what the file is, whatever its name says.
ATTACHMENT_SIGNATURES = (
    (b"%PDF-", "PDF"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"PK\x03\x04", "XLSX"),
)
# The stored name's extension comes from the content, never from the upload's name.
ATTACHMENT_EXTENSIONS = {"PDF": "pdf", "JPEG": "jpg", "PNG": "png", "XLSX": "xlsx"}


class AttachmentForm(forms.ModelForm):
    class Meta:
        model = Attachment
        fields = ["label", "description", "file"]

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if not upload or not hasattr(upload, "read"):
            return upload
        if upload.size > ATTACHMENT_MAX_BYTES:
            raise ValidationError(_("檔案不可超過 20 MB。"))
        head = upload.read(8)
        upload.seek(0)
        kind = next((name for magic, name in ATTACHMENT_SIGNATURES if head.startswith(magic)), None)
        if kind is None:
            raise ValidationError(_("僅接受 PDF、JPEG、PNG 或 XLSX 檔案。"))
        if kind == "XLSX" and not upload.name.lower().endswith(".xlsx"):
            raise ValidationError(_("壓縮格式的檔案僅接受 Excel 活頁簿 (.xlsx)。"))
        stem = Path(upload.name).stem[:60] or "attachment"
        upload.name = f"{stem}.{ATTACHMENT_EXTENSIONS[kind]}"
        return upload


class FigureForm(forms.Form):
    """An image for a slot of the 計畫書; its content is checked (and made
    print-ready) by services.figure_add."""

    slot = forms.ChoiceField(label=_("位置"), choices=PlanFigure.Slot.choices)
    caption = forms.CharField(label=_("圖說"), max_length=300)
    image = forms.FileField(label=_("圖片 (PNG 或 JPEG)"))

    def clean_image(self):
        upload = self.cleaned_data["image"]
        if upload.size > figures.UPLOAD_MAX_BYTES:
            raise ValidationError(_("圖片不可超過 10 MB。"))
        return upload


class ImportForm(forms.Form):
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.none(), label=_("申請單位"))
    document = forms.FileField(label=_("計畫書 JSON 檔 (offset-plan/1)"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = import_organisations(user)
        self.fields["organisation"].empty_label = None


class ReplaceForm(forms.Form):
    document = forms.FileField(label=_("計畫書 JSON 檔 (offset-plan/1)"))


class CommentForm(forms.Form):
    section = forms.ChoiceField(
        label=_("章節"),
        choices=ReviewComment.Section.choices,
        initial="general",
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    field = forms.CharField(
        label=_("欄位（選填）"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"placeholder": _("例：線路損失率"), "class": "form-control form-control-sm"}
        ),
    )
    text = forms.CharField(
        label=_("意見"),
        max_length=MAX_STRING,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control form-control-sm"}),
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)


class QuestionForm(RowForm):
    """A question; a multi-choice question's options are typed one per line."""

    options_text = forms.CharField(
        label=_("選項（每行一個）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "wrap": "off"}),
    )
    responses_text = forms.CharField(
        label=_("對各選項之回應（每行對應一個選項）"),
        required=False,
        strip=False,  # a leading blank line holds the first option's place
        help_text=_(
            "印在該選項的百分比之後，例如「本店將提出設備相符證明」；"
            "第幾行回應第幾個選項，不需回應的選項留空行。"
        ),
        widget=forms.Textarea(attrs={"rows": 2, "wrap": "off"}),
    )

    class Meta:
        model = Question
        fields = ["order", "kind", "text", "summary_lead"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["order"].label = _("順序")
        self.fields["order"].required = False  # left empty: after the last (formset's clean)
        self.fields["text"].widget.attrs["rows"] = "2"
        if self.instance.pk:
            options = list(self.instance.options.all())
            self.fields["options_text"].initial = "\n".join(option.text for option in options)
            self.fields["responses_text"].initial = "\n".join(
                option.response for option in options
            ).rstrip("\n")
            # One visual line per option, so that each response stands beside its option.
            for name in ("options_text", "responses_text"):
                self.fields[name].widget.attrs["rows"] = str(max(2, len(options)))

    def clean(self):
        cleaned = super().clean()
        multi = cleaned.get("kind") == Question.Kind.MULTI
        options = [
            line.strip() for line in cleaned.get("options_text", "").splitlines() if line.strip()
        ]
        if multi and len(options) < 2:
            self.add_error("options_text", _("複選題至少需要兩個選項。"))
        long = [option for option in options if len(option) > OPTION_TEXT_MAX]
        if long:
            self.add_error(
                "options_text",
                _("每個選項最多 %(max)d 字：「%(option)s…」")
                % {"max": OPTION_TEXT_MAX, "option": long[0][:20]},
            )
        # Line n answers option n; blank lines hold the place of options left unanswered.
        responses = [line.strip() for line in cleaned.get("responses_text", "").splitlines()]
        while responses and not responses[-1]:
            responses.pop()
        if responses and not multi:
            self.add_error("responses_text", _("只有複選題的選項可以填寫回應。"))
        elif len(responses) > len(options):
            self.add_error(
                "responses_text",
                _("回應有 %(responses)d 行，多於 %(options)d 個選項；每行對應一個選項。")
                % {"responses": len(responses), "options": len(options)},
            )
        elif any(len(response) > OPTION_RESPONSE_MAX for response in responses):
            self.add_error(
                "responses_text", _("每則回應最多 %(max)d 字。") % {"max": OPTION_RESPONSE_MAX}
            )
        cleaned["options"] = options if multi else []
        cleaned["responses"] = responses if multi else []
        return cleaned

    def save(self, commit=True):
        question = super().save(commit)
        if commit:
            save_options(question, self.cleaned_data["options"], self.cleaned_data["responses"])
        return question


def save_options(question, texts: list[str], responses: list[str] = ()) -> None:
    """Keep options (and their answers) where they stand; rename, add or drop the
    rest. `responses[n]` answers option n (missing ones are blank)."""
    existing = list(question.options.all())
    for order, text in enumerate(texts):
        response = responses[order] if order < len(responses) else ""
        if order < len(existing):
            option = existing[order]
            if (option.text, option.order, option.response) != (text, order, response):
                option.text, option.order, option.response = text, order, response
                option.save(update_fields=["text", "order", "response"])
        else:
            QuestionOption.objects.create(
                question=question, order=order, text=text, response=response
            )
    for option in existing[len(texts) :]:
        option.delete()


class QuestionRowFormSet(RowFormSet):
    """Rows keep the order the applicant typed in the 順序 column; a row with none goes
    after the last."""

    def clean(self):
        super().clean()
        kept = [
            form for form in self.forms if form.is_valid() and not self._should_delete_form(form)
        ]
        last = max(
            (f.cleaned_data["order"] for f in kept if f.cleaned_data.get("order") is not None),
            default=0,
        )
        for form in kept:
            if form.has_changed() and form.cleaned_data.get("order") is None:
                last += 1
                form.cleaned_data["order"] = form.instance.order = last

    def save(self, commit=True):
        return forms.BaseInlineFormSet.save(self, commit)


QuestionFormSet = forms.inlineformset_factory(
    Plan,
    Question,
    form=QuestionForm,
    formset=QuestionRowFormSet,
    fields=QuestionForm.Meta.fields,
    extra=1,
    can_delete=True,
    max_num=MAX_ITEMS,
    validate_max=True,
)


class TallyForm(forms.Form):
    """Paper tallies for every tier and question: 是/否 counts, or per-option counts."""

    def __init__(self, *args, tiers, questions, tallies, **kwargs):
        super().__init__(*args, **kwargs)
        self.tiers, self.questions = tiers, questions
        for tier in tiers:
            for question in questions:
                if question.kind == Question.Kind.MULTI:
                    for option in question.options.all():
                        tally = tallies.get((tier.pk, question.pk, option.pk))
                        self.fields[self.option_name(tier, option)] = self._count(
                            tally.count if tally else None, f"{tier.name} {option.text}"
                        )
                else:
                    tally = tallies.get((tier.pk, question.pk, None))
                    for answer in ("yes", "no"):
                        self.fields[self.yes_no_name(tier, question, answer)] = self._count(
                            getattr(tally, answer) if tally else None,
                            f"{tier.name} {_('是') if answer == 'yes' else _('否')}",
                        )

    @staticmethod
    def _count(initial, label):
        return LocalizedIntegerField(
            min_value=0,
            required=False,
            initial=initial,
            label=label,
            widget=CountInput(attrs={"class": "form-control form-control-sm tally"}),
        )

    @staticmethod
    def option_name(tier, option) -> str:
        return f"t{tier.pk}-o{option.pk}"

    @staticmethod
    def yes_no_name(tier, question, answer) -> str:
        return f"t{tier.pk}-q{question.pk}-{answer}"

    def clean(self):
        cleaned = super().clean()
        for tier in self.tiers:
            returned = tier.copies_returned or 0
            for question in self.questions:
                if question.kind == Question.Kind.MULTI:
                    for option in question.options.all():
                        name = self.option_name(tier, option)
                        if (cleaned.get(name) or 0) > returned:
                            self.add_error(
                                name,
                                _(
                                    "%(tier)s勾選「%(option)s」的份數不可多於紙本回收的 %(returned)d 份。"
                                )
                                % {"tier": tier.name, "option": option.text, "returned": returned},
                            )
                else:
                    yes = cleaned.get(self.yes_no_name(tier, question, "yes")) or 0
                    no = cleaned.get(self.yes_no_name(tier, question, "no")) or 0
                    if yes + no > returned:
                        self.add_error(
                            self.yes_no_name(tier, question, "yes"),
                            _(
                                "%(tier)s此題的回答（是 %(yes)d、否 %(no)d）不可多於紙本回收的 %(returned)d 份。"
                            )
                            % {"tier": tier.name, "yes": yes, "no": no, "returned": returned},
                        )
        return cleaned

    def rows(self):
        """For the template: per question, per tier, the bound fields."""
        table = []
        for question in self.questions:
            cells = []
            for tier in self.tiers:
                if question.kind == Question.Kind.MULTI:
                    fields = [self[self.option_name(tier, o)] for o in question.options.all()]
                else:
                    fields = [self[self.yes_no_name(tier, question, a)] for a in ("yes", "no")]
                cells.append((tier, fields))
            table.append((question, cells))
        return table


class SurveyAnswerForm(forms.Form):
    """The public questionnaire, one field per question."""

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for number, question in enumerate(questions, start=1):
            label = f"{number}. {question.text}"
            name = f"q{question.pk}"
            if question.kind == Question.Kind.MULTI:
                self.fields[name] = forms.ModelMultipleChoiceField(
                    queryset=question.options.all(),
                    widget=forms.CheckboxSelectMultiple,
                    required=False,
                    label=label,
                )
            elif question.kind == Question.Kind.YES_NO:
                self.fields[name] = forms.ChoiceField(
                    choices=[("yes", _("是")), ("no", _("否"))],
                    widget=forms.RadioSelect,
                    label=label,
                    error_messages={"required": _("請選擇「是」或「否」。")},
                )
            else:
                self.fields[name] = forms.CharField(
                    required=False,
                    max_length=MAX_STRING,
                    widget=forms.Textarea(attrs={"rows": 3}),
                    label=label,
                )
