"""The plan's section pages: which forms and formsets each page edits.

Each editor builds its forms from the request data, validates them together and
saves them in one transaction (through `services.plan_section_save`), so a page
is saved entirely or not at all, and an invalid page keeps everything typed.
"""

from dataclasses import dataclass

from django.db import transaction
from django.forms import BaseFormSet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from methodologies.engine.document import DEFAULT_GWP_EDITION
from methodologies.models import Regulation, RegulationGroup
from methodologies.reference import load_reference_data
from projects import forms as f
from projects import schema, wording
from projects.interchange import group_months
from projects.models import (
    ApplicabilityAnswer,
    EquipmentGroup,
    GroupPeriod,
    ParameterNote,
    Plan,
    PlanRefrigerant,
    RegulationChoice,
    Side,
)


class SectionEditor:
    slug = ""
    number = ""
    title = ""
    template = ""

    def __init__(self, plan: Plan, data=None, files=None):
        self.plan = plan
        self.data = data
        self.files = files
        self.bound = data is not None
        # The plan revision the page was read at: a save from an older read is
        # refused (see services.plan_section_save), and `conflicts` then lists
        # what differs between the saved plan and what was sent.
        self.revision = plan.revision
        self.conflicts: list[Conflict] = []
        self.build()

    @staticmethod
    def posted_revision(data) -> int | None:
        try:
            return int(data.get("revision", ""))
        except (TypeError, ValueError):
            return None

    def build(self) -> None:
        self.form = None
        self.formsets = {}

    def all_forms(self):
        """Every form and formset on the page."""
        parts = [self.form] if self.form is not None else []
        return parts + list(self.formsets.values())

    def is_valid(self) -> bool:
        return all([part.is_valid() for part in self.all_forms()])

    def error_count(self) -> int:
        count = 0
        for part in self.all_forms():
            if hasattr(part, "total_error_count"):
                count += part.total_error_count()
            else:
                count += len(part.errors)
        return count

    # No savepoint of its own: the caller's transaction (a save, or a preview
    # rolled back) is the unit that succeeds or fails.
    @transaction.atomic(savepoint=False)
    def save(self) -> None:
        if self.form is not None:
            self.form.save()
        for formset in self.formsets.values():
            formset.save()

    @classmethod
    def is_complete(cls, plan: Plan) -> bool:
        """Whether the required content of this section is filled in (for the
        navigator, which asks without building the forms): the schema's required
        fields of the section and its rules, as submission checks them."""
        return not schema.section_problems(plan, cls.slug)


@dataclass(frozen=True)
class Conflict:
    """A field whose saved value differs from the one this page sent."""

    label: str
    saved: str
    sent: str


def _shown(form, name: str, value) -> str:
    """A field's value as the page shows it."""
    field = form.fields[name]
    if hasattr(field, "choices") and not isinstance(value, list | tuple):
        for key, label in field.choices:
            if str(key) == str(value if value is not None else ""):
                return str(label)
    if isinstance(value, bool):
        return "✓" if value else "—"
    if value in (None, ""):
        return "—"
    return str(field.widget.format_value(value) if hasattr(field.widget, "format_value") else value)


def _form_conflicts(sent_form, saved_form, row_label: str = "") -> list[Conflict]:
    found = []
    for name, field in sent_form.fields.items():
        if name in ("id", "DELETE", "ORDER") or field.disabled:
            continue
        # A field the saved form lacks (a grid row the page added) was saved empty.
        known = saved_form is not None and name in saved_form.fields
        saved = saved_form[name].initial if known else None
        sent = field.widget.value_from_datadict(
            sent_form.data, sent_form.files, sent_form.add_prefix(name)
        )
        if not known and sent in (None, "", [], False):
            continue
        if field.has_changed(saved, sent):
            label = f"{row_label}{field.label or name}"
            found.append(
                Conflict(label, _shown(sent_form, name, saved), _shown(sent_form, name, sent))
            )
    return found


def editor_conflicts(sent: "SectionEditor", saved: "SectionEditor") -> list[Conflict]:
    """What the saved plan holds that differs from the page that was sent, form
    by form; formset rows are matched by their row's id."""
    found = []
    sent_parts, saved_parts = sent.all_forms(), saved.all_forms()
    for sent_part, saved_part in zip(sent_parts, saved_parts, strict=False):
        if isinstance(sent_part, BaseFormSet):
            saved_rows = {form.instance.pk: form for form in saved_part.forms if form.instance.pk}
            seen = set()
            for number, form in enumerate(sent_part.forms, start=1):
                pk = form.instance.pk if form.instance.pk else None
                seen.add(pk)
                label = _("第 %(number)d 列：") % {"number": number}
                found.extend(_form_conflicts(form, saved_rows.get(pk), label))
            added = [pk for pk in saved_rows if pk not in seen]
            if added:
                found.append(
                    Conflict(
                        str(_("表格列數")),
                        ngettext("另有 %(count)d 列", "另有 %(count)d 列", len(added))
                        % {"count": len(added)},
                        _("未包含這些列"),
                    )
                )
        else:
            found.extend(_form_conflicts(sent_part, saved_part))
    return found


def save_unless_stale(editor_class, locked, data, files):
    """Build the page's forms on the `locked` row and save them, unless the page was
    read at an older revision and differs from what is saved (`editor.conflicts`)
    or is invalid. Returns the editor and whether it was saved; the caller, in the
    transaction holding the lock, bumps the revision and refreshes the figures.
    A plan's section pages and the monitoring editor save this way."""
    editor = editor_class(locked, data, files)
    editor.saved = False
    if editor.posted_revision(data) != locked.revision:
        # Compared before validation, which would put the sent values on `locked`.
        editor.conflicts = editor_conflicts(editor, editor_class(locked))
        if editor.conflicts:
            return editor, False
        # Nothing on this page differs from what is saved (another section was
        # saved meanwhile): nothing to compare, so the save goes through.
    if not editor.is_valid():
        return editor, False
    editor.save()
    return editor, True


class BasicEditor(SectionEditor):
    slug, number, title = "basic", _("一"), _("基本資料")
    template = "projects/sections/basic.html"

    def build(self):
        self.form = f.BasicForm(self.data, instance=self.plan, prefix="plan")
        self.formsets = {}


class ActivityEditor(SectionEditor):
    slug, number, title = "activity", _("二"), _("專案活動描述")
    template = "projects/sections/activity.html"

    def build(self):
        self.form = f.ActivityForm(self.data, instance=self.plan, prefix="plan")
        self.formsets = {
            "participants": f.ParticipantFormSet(
                self.data, instance=self.plan, prefix="participants"
            ),
            "equipment": f.EquipmentFormSet(self.data, instance=self.plan, prefix="equipment"),
            "schedule": f.ScheduleStepFormSet(self.data, instance=self.plan, prefix="schedule"),
        }


class ApplicabilityEditor(SectionEditor):
    slug, number, title = "applicability", _("三"), _("減量方法應用說明")
    template = "projects/sections/applicability.html"

    def build(self):
        plan = self.plan
        answers = {a.condition: a for a in plan.applicability.all()}
        conditions = (list(plan.methodology.conditions.all()) if plan.methodology_id else []) or [
            None
        ] * schema.CONDITION_COUNT
        self.conditions = []
        for number in schema.CONDITIONS:
            instance = answers.get(number) or ApplicabilityAnswer(plan=plan, condition=number)
            form = f.ApplicabilityForm(self.data, instance=instance, prefix=f"condition-{number}")
            condition = conditions[number - 1] if len(conditions) >= number else None
            self.conditions.append((number, condition, form))
        # What "套用參考計畫書用語" fills in: the registered plan of its technology's wording.
        self.reference_wording = wording.reference_conditions(
            plan.technology, {n: c.text for n, c, _form in self.conditions if c is not None}
        )
        self.reference_footnote = wording.reference_conditions_footnote(plan.technology)
        for number, _condition, form in self.conditions:
            form.reference_wording = self.reference_wording.get(number, "")
        chosen = {c.regulation_id: c for c in plan.regulations.all()}
        self.regulations = []
        for regulation in Regulation.objects.all():
            choice = chosen.get(regulation.pk)
            initial = {
                "selected": choice is not None,
                "explanation": choice.explanation if choice else "",
            }
            self.regulations.append(
                f.RegulationForm(
                    self.data,
                    initial=initial,
                    regulation=regulation,
                    prefix=f"regulation-{regulation.code}",
                )
            )
        self.form = f.AdditionalityForm(self.data, instance=plan, prefix="plan")
        self.formsets = {
            "measures": f.SavingMeasureFormSet(self.data, instance=plan, prefix="measures")
        }

    def regulation_groups(self):
        return [
            (label, [form for form in self.regulations if form.regulation.group == value])
            for value, label in RegulationGroup.choices
        ]

    def all_forms(self):
        return (
            super().all_forms() + [form for _, _, form in self.conditions] + list(self.regulations)
        )

    @transaction.atomic
    def save(self):
        super().save()
        for _number, _condition, form in self.conditions:
            form.save()
        for form in self.regulations:
            if form.cleaned_data["selected"]:
                RegulationChoice.objects.update_or_create(
                    plan=self.plan,
                    regulation=form.regulation,
                    defaults={"explanation": form.cleaned_data["explanation"]},
                )
            else:
                RegulationChoice.objects.filter(plan=self.plan, regulation=form.regulation).delete()


def save_sides(editor) -> None:
    """Each side's groups (removed, saved, their months by `editor._save_periods`) and
    refrigerant, from the forms of a plan's section 四 or of a monitoring report's
    editor, inside the caller's transaction."""
    for side in Side.values:
        formset = editor.formsets[f"{side}_groups"]
        groups = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.delete()
        for group in groups:
            group.side = side
            group.save()
        for form in formset.forms:
            if form in formset.deleted_forms or not form.instance.pk:
                continue
            editor._save_periods(form)
        refrigerant = editor.refrigerants[side]
        if refrigerant.cleaned_data.get("code"):
            if refrigerant.has_changed() or refrigerant.instance.pk is None:
                refrigerant.instance.side = side
                refrigerant.save()
        elif refrigerant.instance.pk:
            refrigerant.instance.delete()


class CalculationEditor(SectionEditor):
    slug, number, title = "calculation", _("四"), _("計算方法")
    template = "projects/sections/calculation.html"

    def build(self):
        plan = self.plan
        self.form = f.CalculationForm(self.data, instance=plan, prefix="plan")
        self.formsets = {}
        # Both sides' groups and their months in two queries, read once; as read (an
        # unbound page changes none of them), the page's group figures use them too.
        groups = list(plan.groups.all())
        self.groups, self.months = groups, group_months(plan)
        for side in Side.values:
            rows = [group for group in groups if group.side == side]
            formset_class = f.GroupFormSet if rows else f.FirstGroupFormSet
            self.formsets[f"{side}_groups"] = formset_class(
                self.data,
                instance=plan,
                prefix=f"{side}-groups",
                queryset=plan.groups.filter(side=side),
                rows=rows,
                form_kwargs={"months": self.months},
            )
        self.formsets["pairs"] = f.ServicePairFormSet(self.data, instance=plan, prefix="pairs")
        self.formsets["notes"] = self._notes_formset()
        existing = {r.side: r for r in plan.refrigerants.all()}
        table = load_reference_data().refrigerants
        self.refrigerants = {
            side: f.RefrigerantForm(
                self.data,
                instance=existing.get(side) or PlanRefrigerant(plan=plan, side=side),
                prefix=f"{side}-refrigerant",
                table=table,
                edition=plan.gwp_edition or DEFAULT_GWP_EDITION,
            )
            for side in Side.values
        }

    def _notes_formset(self):
        """A new plan starts with one row per standard parameter, to fill in."""
        notes = list(self.plan.parameter_notes.all())
        if notes:
            return f.ParameterNoteFormSet(self.data, instance=self.plan, prefix="notes", rows=notes)
        initial = [
            {"table": table, "parameter": parameter}
            for table, parameters in schema.STANDARD_PARAMETERS.items()
            for parameter in parameters
        ]
        formset_class = f.row_formset(ParameterNote, f.PARAMETER_NOTE_FIELDS, extra=len(initial))
        return formset_class(self.data, instance=self.plan, prefix="notes", initial=initial)

    def all_forms(self):
        return super().all_forms() + list(self.refrigerants.values())

    @transaction.atomic(savepoint=False)
    def save(self):
        self.form.save()
        for name in ("pairs", "notes"):
            self.formsets[name].save()
        save_sides(self)

    @staticmethod
    def _save_periods(form):
        group = form.instance
        if not form.has_changed():
            return  # a query or three per group otherwise, on a page of up to 400
        group.periods.all().delete()
        # Only the periods shape keeps a grid; other shapes keep only their own fields.
        GroupPeriod.objects.bulk_create(
            GroupPeriod(group=group, **period) for period in form.cleaned_data["periods"]
        )
        clear = {
            name: None
            for name in EquipmentGroup.FIGURE_FIELDS
            if name not in EquipmentGroup.SHAPE_FIELDS[group.shape]
        }
        if clear:
            EquipmentGroup.objects.filter(pk=group.pk).update(**clear)


class EnvironmentEditor(SectionEditor):
    slug, number, title = "environment", _("五"), _("環境衝擊分析與公眾意見")
    template = "projects/sections/environment.html"

    def build(self):
        self.form = f.EnvironmentForm(self.data, instance=self.plan, prefix="plan")
        self.formsets = {
            "tiers": f.StakeholderTierFormSet(self.data, instance=self.plan, prefix="tiers"),
            "questions": f.QuestionFormSet(
                self.data,
                instance=self.plan,
                prefix="questions",
                queryset=self.plan.questions.prefetch_related("options"),
            ),
        }


EDITORS = [BasicEditor, ActivityEditor, ApplicabilityEditor, CalculationEditor, EnvironmentEditor]
EDITOR_BY_SLUG = {editor.slug: editor for editor in EDITORS}
