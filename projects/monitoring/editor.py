"""The monitoring report's editor page: which forms it edits (the plan's section 四 forms
over the report's models) and how they are saved together.

Like a plan's section page (projects.sections), the editor validates every form at once
and saves them in the caller's transaction (projects.monitoring.entry.report_save or the
rolled-back preview), so the page is saved entirely or not at all, an invalid page keeps
everything typed, and a page read at an older `revision` comes back with its conflicts."""

from django.db import transaction

from methodologies.engine.document import DEFAULT_GWP_EDITION
from methodologies.reference import load_reference_data
from projects.models import Side
from projects.monitoring import forms as f
from projects.monitoring.models import (
    MonitoringGroup,
    MonitoringGroupPeriod,
    MonitoringRefrigerant,
    MonitoringReport,
)
from projects.sections import SectionEditor, save_sides

PERIOD_COLUMNS = ("month", "power_kw", "hours", "energy_kwh")


def report_months(report: MonitoringReport) -> dict[int, list[tuple]]:
    """The saved months of the report's groups as PERIOD_COLUMNS rows, by group pk, in
    month order, in one query."""
    months: dict[int, list[tuple]] = {}
    rows = MonitoringGroupPeriod.objects.filter(group__report=report).order_by("month")
    for group_id, *row in rows.values_list("group_id", *PERIOD_COLUMNS):
        months.setdefault(group_id, []).append(tuple(row))
    return months


class ReportEditor(SectionEditor):
    """Every form of a report's editor page: the report's own figures, each side's
    groups (with their month grids) and refrigerant."""

    template = "projects/monitoring/report_edit.html"

    def __init__(self, report: MonitoringReport, data=None, files=None):
        self.report = report
        self.plan = report.plan
        self.data = data
        self.files = files
        self.bound = data is not None
        self.revision = report.revision
        self.conflicts = []
        self.build()

    def build(self) -> None:
        report = self.report
        self.form = f.ReportForm(self.data, instance=report, prefix="report")
        groups = list(report.groups.all())
        self.groups, self.months = groups, report_months(report)
        self.formsets = {}
        for side in Side.values:
            rows = [group for group in groups if group.side == side]
            formset_class = f.MonitoringGroupFormSet if rows else f.FirstMonitoringGroupFormSet
            self.formsets[f"{side}_groups"] = formset_class(
                self.data,
                instance=report,
                prefix=f"{side}-groups",
                queryset=report.groups.filter(side=side),
                rows=rows,
                form_kwargs={"months": self.months, "report": report},
            )
        existing = {r.side: r for r in report.refrigerants.all()}
        table = load_reference_data().refrigerants
        self.refrigerants = {
            side: f.MonitoringRefrigerantForm(
                self.data,
                instance=existing.get(side) or MonitoringRefrigerant(report=report, side=side),
                prefix=f"{side}-refrigerant",
                table=table,
                edition=report.gwp_edition or DEFAULT_GWP_EDITION,
            )
            for side in Side.values
        }

    def all_forms(self):
        return super().all_forms() + list(self.refrigerants.values())

    @transaction.atomic(savepoint=False)
    def save(self) -> None:
        self.form.save()
        save_sides(self)

    @staticmethod
    def _save_periods(form) -> None:
        group = form.instance
        if not form.has_changed():
            return
        group.periods.all().delete()
        MonitoringGroupPeriod.objects.bulk_create(
            MonitoringGroupPeriod(group=group, **period) for period in form.cleaned_data["periods"]
        )
        figures = {name for names in MonitoringGroup.SHAPE_FIELDS.values() for name in names}
        clear = {
            name: None for name in figures if name not in MonitoringGroup.SHAPE_FIELDS[group.shape]
        }
        if clear:
            MonitoringGroup.objects.filter(pk=group.pk).update(**clear)
