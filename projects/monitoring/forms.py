"""Forms of a monitoring report's pages. The plan's forms over the report's models: the
group cards with their pasted month grid (projects.forms.GroupForm), the refrigerant
row, the evidence upload; they only parse and check input, the engine computes."""

from datetime import date
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from projects import forms as plan_forms
from projects import numbers
from projects.dates import roc_long
from projects.models import Organisation
from projects.monitoring.models import (
    MonitoringAttachment,
    MonitoringGroup,
    MonitoringRefrigerant,
    MonitoringReport,
    period_hours,
)


class PeriodForm(forms.Form):
    """A report's monitoring period: ROC dates shown, ROC or ISO dates read. The rules
    (one year, within the crediting period, apart from other reports) are the model's
    `validate_period`, applied by the services; their errors come back at these fields."""

    period_start = plan_forms.RocDateField(label=_("監測期間起"))
    period_end = plan_forms.RocDateField(label=_("監測期間迄"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")


class PeriodChangeForm(PeriodForm):
    """The report page's change of period: the creation form's dates, the revision the
    page was read at (a stale tab is refused), and the confirmation that grid months
    outside the new period may be deleted (offered once the service names them)."""

    revision = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    drop_months = forms.BooleanField(label=_("刪除監測期間外的逐月資料"), required=False)

    def __init__(self, *args, report: MonitoringReport, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "period_start": report.period_start,
                "period_end": report.period_end,
                "revision": report.revision,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["drop_months"].widget.attrs["class"] = "form-check-input"
        # Shown once the service has named the months (or when it was ticked already).
        self.offer_drop = bool(self.is_bound and self.data.get(self.add_prefix("drop_months")))


def period_months(report: MonitoringReport) -> list[str]:
    """The months (YYYY-MM) the report's period touches, in order."""
    months, year, month = [], report.period_start.year, report.period_start.month
    while (year, month) <= (report.period_end.year, report.period_end.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def month_refusal(month: str, start: date, end: date):
    """Why `month` (YYYY-MM) cannot be a month of the period start..end, or None: a month
    sharing at least one day with the period is accepted (monitoring-format.md)."""
    year, number = (int(part) for part in month.split("-"))
    first = date(year, number, 1)
    after = date(year + number // 12, number % 12 + 1, 1)
    if after <= start or first > end:
        return _("%(month)s 不在監測期間 %(start)s 至 %(end)s 之內。") % {
            "month": month,
            "start": roc_long(start),
            "end": roc_long(end),
        }
    return None


class MonitoringGroupForm(plan_forms.GroupForm):
    """One equipment group of a report: devices in operation, power and the period's
    operating hours, or a month grid within the period (the plan's card and grid)."""

    HOURS_FIELD = "hours"
    SKIP_BARE_MONTHS = True

    class Meta:
        model = MonitoringGroup
        fields = ["name", "shape", "count", "power_kw", "capacity_rt", "kw_per_rt", "hours"]
        widgets = {
            "name": plan_forms.DirectTextInput,
            "shape": plan_forms.DirectSelect,
            "count": plan_forms.CountInput,
        }

    def __init__(self, *args, report: MonitoringReport, **kwargs):
        self.report = report
        super().__init__(*args, **kwargs)
        self._follow_period()
        hours = self.fields["hours"]
        hours.help_text = _("監測期間最多 %(limit)s 小時（24 × %(days)s 日）。") % {
            "limit": f"{period_hours(report):,}",
            "days": (report.period_end - report.period_start).days + 1,
        }

    def _follow_period(self) -> None:
        """The grid's rows are the period's months, in order, each with its saved readings:
        a new group's grid comes with its months to fill in, and after the period changes
        (projects.monitoring.entry.report_set_period) its new months are there too. A saved
        month outside the period keeps its row, for check_month to refuse."""
        cells = ("power", "hours", "energy")
        saved = {
            month: tuple(self.initial.get(f"{cell}_{i}") for cell in cells)
            for i in range(self.rows)
            if (month := self.initial.get(f"month_{i}"))
        }
        months = sorted(set(saved) | set(period_months(self.report)))
        if not self.rows or len(months) > self.rows:
            return  # no grid (another shape), or one that holds what it holds
        for i, month in enumerate(months):
            self.initial[f"month_{i}"] = month
            for cell, value in zip(cells, saved.get(month, (None,) * 3), strict=True):
                self.initial[f"{cell}_{i}"] = value

    def clean_hours(self):
        hours = self.cleaned_data.get("hours")
        limit = period_hours(self.report)
        if hours is not None and hours > limit:
            raise ValidationError(
                _("運轉時數不可超過監測期間的 %(limit)s 小時（24 × 日數）。")
                % {"limit": f"{limit:,}"}
            )
        return hours

    def check_month(self, month: str):
        return month_refusal(month, self.report.period_start, self.report.period_end)


def monitoring_group_formset(*, extra: int):
    return plan_forms.group_formset(extra=extra, form=MonitoringGroupForm, parent=MonitoringReport)


MonitoringGroupFormSet = monitoring_group_formset(extra=0)
FirstMonitoringGroupFormSet = monitoring_group_formset(extra=1)


class MonitoringRefrigerantForm(plan_forms.RefrigerantForm):
    """A side's refrigerant topped up or leaked during the period."""

    QUANTITY_FIELD = "quantity_t"
    quantity_required = _("選用冷媒時請填寫監測期間補充／洩漏量。")

    class Meta:
        model = MonitoringRefrigerant
        fields = ["code", "quantity_t", "gwp", "odp"]


class ReportForm(plan_forms.PlanModelForm):
    """The report's own figures: line loss, GWP edition, leakage and the explanation."""

    class Meta:
        model = MonitoringReport
        fields = ["line_loss", "gwp_edition", "leakage_tco2e", "explanation"]
        widgets = {"explanation": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)
        # As the plan's section 四 reads it.
        self.fields["line_loss"].percent = numbers.FRACTION
        self.fields["line_loss"].help_text = _(
            "以分數填寫，例如 0.0394，或寫成百分比 3.94%；不計線損填 0。"
        )
        self.fields["leakage_tco2e"].required = False
        self.fields["leakage_tco2e"].help_text = _("留白視為 0。")
        self.fields["explanation"].help_text = _(
            "實際減量高於計畫書對本期的預估時必填：說明原因（例如運轉時數增加）。"
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("leakage_tco2e") is None and not self.has_error("leakage_tco2e"):
            cleaned["leakage_tco2e"] = Decimal("0")  # the model's default (the column is NOT NULL)
        return cleaned

    def save(self, commit=True):
        """Only this form's fields: the row also holds the status and the results."""
        names = [name for name in self.fields if name in self.cleaned_data]
        self.instance.save(update_fields=[*names, "updated_at"])
        return self.instance


class MonitoringAttachmentForm(plan_forms.AttachmentForm):
    """Evidence: PDF, JPEG, PNG or XLSX up to 20 MB, checked by content as a plan's."""

    class Meta:
        model = MonitoringAttachment
        fields = ["label", "description", "file"]


class ReplaceForm(forms.Form):
    document = forms.FileField(label=_("監測報告書 JSON 檔 (offset-monitoring/1)"))


class SubmitForm(forms.Form):
    """The verification body the applicant names when submitting."""

    verification_body = forms.ModelChoiceField(
        label=_("查驗機構"),
        queryset=Organisation.objects.filter(kind=Organisation.Kind.VERIFIER).order_by("name"),
        empty_label=_("請選擇查驗機構"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["verification_body"].widget.attrs["class"] = "form-select"
