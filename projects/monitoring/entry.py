"""The applicant's side of a monitoring report: starting one (prefilled from the
registered plan), saving its editor page, the live preview, evidence, replacing it
from an `offset-monitoring/1` document, and submitting it for verification.

Every write locks the report row (`select_for_update`) and checks again, under the
lock, that the user may change it (`can_edit_report`); a refused action raises
MonitoringError with a message for the user. Figures come from the engine only:
`report_document` → `parse_monitoring_document` → `calculate_monitoring`."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from methodologies.engine import (
    DocumentErrors,
    FieldError,
    calculate_monitoring,
    crediting_years,
    floor_int,
    format_fixed,
    parse_monitoring_document,
)
from methodologies.models import EmissionFactor
from methodologies.reference import (
    load_reference_data,
    reference_from_snapshot,
    reference_snapshot,
)
from projects import compare
from projects.dates import roc_long
from projects.interchange import ProductReader, _check_calculation_precision, decimal_text
from projects.models import Organisation, Plan, Side
from projects.monitoring import verification
from projects.monitoring.models import (
    MonitoringAttachment,
    MonitoringEvent,
    MonitoringGroup,
    MonitoringGroupPeriod,
    MonitoringRefrigerant,
    MonitoringReport,
    MonitoringReportVersion,
    validate_period,
)
from projects.monitoring.permissions import can_edit_report
from projects.monitoring.services import MonitoringError, create_report, report_document
from projects.presentation import describe_error, figure
from projects.services import FiguresPreview as Preview
from projects.services import numbered_label, rolled_back


class ReportNotEditable(MonitoringError):
    """The report was submitted (or the user lost the right to change it) meanwhile."""


class SubmissionRefused(MonitoringError):
    """Submission was refused; `field` names the form field the message is for ("" for
    the report as a whole) and `problems` lists what to fix."""

    def __init__(self, message: str, field: str = "", problems: list[str] | None = None):
        super().__init__(message)
        self.field = field
        self.problems = problems or []


# -- reading ------------------------------------------------------------------------


def factor_published(report: MonitoringReport) -> bool:
    """Whether the emission factor of the report's year is in the reference table."""
    return EmissionFactor.objects.filter(year=report.emission_factor_year).exists()


def factor_pending_message(report: MonitoringReport) -> str:
    """What a report whose year's factor is not published yet says, plainly."""
    year = report.emission_factor_year
    return _(
        "%(year)d 年（民國 %(roc)d 年）的電力排碳係數尚未公告：係數於次年（%(next)d 年）春季公告，"
        "公告前無法計算本期減量，本報告書維持草稿，不能送查證。您仍可先填寫監測數據並上傳佐證。"
    ) % {"year": year, "roc": year - 1911, "next": year + 1}


def report_calculate(report: MonitoringReport, reference=None):
    """The engine's exact results for the stored report; DocumentErrors when incomplete."""
    return calculate_monitoring(
        parse_monitoring_document(report_document(report), reference or load_reference_data())
    )


def report_refresh_results(report: MonitoringReport) -> None:
    """Store the engine's results on the report (None while inputs are incomplete)."""
    try:
        report.results = report_calculate(report).to_json()
    except DocumentErrors:
        report.results = None
    MonitoringReport.objects.filter(pk=report.pk).update(results=report.results)


def calculation_errors(report: MonitoringReport) -> list[str]:
    """What keeps the stored report from being calculated, in the user's words."""
    if report.results is not None:
        return []
    try:
        report_calculate(report)
    except DocumentErrors as errors:
        return [describe_error(error) for error in errors.errors]
    return []


def ex_ante(report: MonitoringReport) -> dict | None:
    """The registered plan's estimate for the report's period: its annual figures
    (the registered version's results) × the period's exact years, to 3 decimals, and
    its reduction down to whole tonnes (the `ex_ante_tco2e` of the results)."""
    version = report.plan.registered_version
    if version is None or not version.results:
        return None
    years = crediting_years(report.period_start, report.period_end)
    annual = version.results

    def share(value: str) -> str:
        return format_fixed(Fraction(Decimal(value)) * years, 3)

    return {
        "period_years": format_fixed(years, 4),
        "baseline_energy_kwh": share(annual["baseline"]["energy_kwh"]),
        "baseline_emissions_tco2e": share(annual["baseline"]["emissions_tco2e"]),
        "project_energy_kwh": share(annual["project"]["energy_kwh"]),
        "project_emissions_tco2e": share(annual["project"]["emissions_tco2e"]),
        "leakage_tco2e": share(annual["leakage_tco2e"]),
        "reduction_tco2e": str(floor_int(version.annual_reduction_tco2e * years)),
        "annual_reduction_tco2e": version.annual_reduction_tco2e,
    }


def next_attachment_label(report: MonitoringReport) -> str:
    return numbered_label("佐證", report.attachments.count())


# -- starting a report ----------------------------------------------------------------

REGISTERED_GROUP_KEYS = ("power_kw", "capacity_rt", "kw_per_rt")


def _shape(group: dict) -> str:
    if "periods" in group:
        return MonitoringGroup.Shape.PERIODS
    if "capacity_rt" in group or "kw_per_rt" in group:
        return MonitoringGroup.Shape.CHILLER
    return MonitoringGroup.Shape.POWER


def _prefill_groups(report: MonitoringReport) -> None:
    """The registered version's equipment groups as the report's, with their names,
    counts and power; the period's hours and months are the applicant's to enter."""
    version = report.plan.registered_version
    calculation = (version.document or {}).get("calculation", {}) if version else {}
    rows = []
    for side in Side.values:
        groups = (calculation.get(side) or {}).get("groups") or []
        for order, group in enumerate(groups):
            if not isinstance(group, dict):
                continue
            figures = {
                key: Decimal(str(group[key]))
                for key in REGISTERED_GROUP_KEYS
                if group.get(key) is not None
            }
            rows.append(
                MonitoringGroup(
                    report=report,
                    side=side,
                    order=order,
                    shape=_shape(group),
                    name=str(group.get("name", ""))[:200],
                    count=group.get("count") or 1,
                    **figures,
                )
            )
    MonitoringGroup.objects.bulk_create(rows)


@transaction.atomic
def report_start(plan: Plan, *, by, period_start: date, period_end: date) -> MonitoringReport:
    """A new draft report of a registered plan (services.create_report: numbered,
    the period checked under a lock on the plan), its groups prefilled from the
    registered plan's."""
    report = create_report(plan, by=by, period_start=period_start, period_end=period_end)
    _prefill_groups(report)
    report_refresh_results(report)
    return report


# -- changing the period ----------------------------------------------------------------


class MonthsOutsidePeriod(ValidationError):
    """The new period would leave saved months of the month grids outside it: refused at
    the period's fields, naming them, unless the user confirms they are to be deleted."""


@dataclass(frozen=True)
class PeriodChange:
    report: MonitoringReport
    changed: bool  # False when the period sent is the one saved
    dropped: str = ""  # the months deleted, as the history says them ("" for none)
    # Groups whose hours were entered for the old period (not rescaled: the user checks).
    hours_to_check: bool = False


def _month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _by_group(rows) -> str:
    """「group」2022-01、2022-02；「other」2022-03 (rows ordered by group, then month)."""
    months: dict[int, tuple[str, list[str]]] = {}
    for row in rows:
        months.setdefault(row.group_id, (row.group.name, []))[1].append(row.month)
    return "；".join(f"「{name}」{'、'.join(listed)}" for name, listed in months.values())


def _months_outside(report: MonitoringReport, start: date, end: date) -> list:
    """The saved grid months of the report that share no day with `start`..`end`."""
    return list(
        MonitoringGroupPeriod.objects.filter(group__report=report)
        .exclude(month__gte=_month_of(start), month__lte=_month_of(end))
        .select_related("group")
        .order_by("group__side", "group__order", "group__pk", "month")
    )


def _period_refusals(report: MonitoringReport, start: date, end: date, drop_months: bool) -> None:
    """What the saved figures say against the new period, at its fields, all at once: a
    group's hours above every hour of the new period's days (the engine would refuse
    them: they are to be lowered first) and, unless `drop_months`, grid months outside
    it (then MonthsOutsidePeriod, so that the page offers to delete them)."""
    errors: dict[str, list] = {}
    days = (end - start).days + 1
    over = (
        report.groups.exclude(shape=MonitoringGroup.Shape.PERIODS)
        .filter(hours__gt=24 * days)
        .order_by("side", "order", "pk")
    )
    if over:
        shortened = "period_start" if start > report.period_start else "period_end"
        errors[shortened] = [
            _(
                "新的監測期間最多 %(limit)s 小時（24 × %(days)s 日），少於已填的運轉時數："
                "%(groups)s。請先到「監測數據」改正運轉時數，再修改監測期間。"
            )
            % {
                "limit": figure(24 * days),
                "days": days,
                "groups": "、".join(
                    f"「{g.name}」{figure(decimal_text(g.hours))} 小時" for g in over
                ),
            }
        ]
    outside = [] if drop_months else _months_outside(report, start, end)
    wording = {
        "period_start": _(
            "%(months)s 在新的監測期間開始之前，這些月份已填有逐月資料。確定要改期間，請勾選"
            "「刪除監測期間外的逐月資料」後再送出；或先到「監測數據」處理這些月份。"
        ),
        "period_end": _(
            "%(months)s 在新的監測期間結束之後，這些月份已填有逐月資料。確定要改期間，請勾選"
            "「刪除監測期間外的逐月資料」後再送出；或先到「監測數據」處理這些月份。"
        ),
    }
    sides = {
        "period_start": [row for row in outside if row.month < _month_of(start)],
        "period_end": [row for row in outside if row.month > _month_of(end)],
    }
    for field, rows in sides.items():
        if rows:
            errors.setdefault(field, []).append(wording[field] % {"months": _by_group(rows)})
    if outside:
        raise MonthsOutsidePeriod(errors)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def report_set_period(
    report: MonitoringReport,
    *,
    by,
    period_start: date,
    period_end: date,
    revision: int | None = None,
    drop_months: bool = False,
) -> PeriodChange:
    """Change an editable report's period, and its emission factor year with it, under a
    lock on the plan (periods of a plan: one writer) and on the report.

    Refused (ValidationError at `period_start` / `period_end`) by the rules of
    `validate_period`, when a group's hours exceed the new period's, and when saved
    months of the grids fall outside it (MonthsOutsidePeriod) unless `drop_months`:
    then those months are deleted and the history names them, so that no row outside
    the period stays behind to break the calculation. A page read at another `revision`
    is refused (verification.StaleReport). The figures are computed again."""
    Plan.objects.select_for_update().get(pk=report.plan_id)
    locked = _lock_editable(report, by)
    verification.check_revision(locked, revision)
    validate_period(locked.plan, period_start, period_end, report=locked)
    old_start, old_end = locked.period_start, locked.period_end
    if (period_start, period_end) == (old_start, old_end):
        return PeriodChange(locked, changed=False)
    _period_refusals(locked, period_start, period_end, drop_months)
    before = report_document(locked)
    outside = _months_outside(locked, period_start, period_end)
    MonitoringGroupPeriod.objects.filter(pk__in=[row.pk for row in outside]).delete()
    locked.period_start, locked.period_end = period_start, period_end
    locked.emission_factor_year = period_start.year
    locked.save(update_fields=["period_start", "period_end", "emission_factor_year", "updated_at"])
    _bump(locked)
    report_refresh_results(locked)
    message = _("監測期間由 %(old_start)s 至 %(old_end)s 改為 %(start)s 至 %(end)s。") % {
        "old_start": roc_long(old_start),
        "old_end": roc_long(old_end),
        "start": roc_long(period_start),
        "end": roc_long(period_end),
    }
    dropped = _by_group(outside)
    if dropped:
        message += _("刪除監測期間外的逐月資料：%(months)s。") % {"months": dropped}
    MonitoringEvent.objects.create(
        report=locked,
        user=by,
        kind=MonitoringEvent.Kind.CHANGE,
        message=message,
        changes=compare.changes(before, report_document(locked)),
    )
    hours = locked.groups.exclude(shape=MonitoringGroup.Shape.PERIODS).filter(hours__isnull=False)
    return PeriodChange(locked, changed=True, dropped=dropped, hours_to_check=hours.exists())


# -- saving the editor page -------------------------------------------------------------


def _lock_editable(report: MonitoringReport, user) -> MonitoringReport:
    locked = (
        MonitoringReport.objects.select_for_update(of=("self",))
        .select_related("plan__registered_version")
        .get(pk=report.pk)
    )
    if not can_edit_report(user, locked):
        raise ReportNotEditable(
            _("監測報告書目前為「%(status)s」，無法變更；您輸入的內容仍在頁面上。")
            % {"status": locked.get_status_display()}
        )
    return locked


def _record_changes(report: MonitoringReport, user, before: dict | None) -> None:
    """A report submitted before logs every field that changed since."""
    if before is None:
        return
    found = compare.changes(before, report_document(report))
    if found:
        MonitoringEvent.objects.create(
            report=report, user=user, kind=MonitoringEvent.Kind.CHANGE, changes=found
        )


def _bump(report: MonitoringReport) -> None:
    """verification.bump_revision, then the report read afresh (the forms wrote it)."""
    verification.bump_revision(report)
    report.refresh_from_db()


def report_save(*, report: MonitoringReport, editor_class, data, files, user):
    """Save the editor page (all its forms) and refresh the report's figures, under a
    lock on the report. A page read at an older revision is not saved: the editor comes
    back with `conflicts` (what is saved beside what was sent), nothing typed lost.
    Returns the editor; `editor.saved` says whether it was saved."""
    from projects.sections import save_unless_stale

    with transaction.atomic():
        locked = _lock_editable(report, user)
        before = report_document(locked) if locked.current_version_id else None
        editor, saved = save_unless_stale(editor_class, locked, data, files)
        if not saved:
            return editor
        _bump(locked)
        report_refresh_results(locked)
        _record_changes(locked, user, before)
        editor.report = locked
        editor.saved = True
        return editor


def report_preview(*, user, pk, editor_class, data) -> tuple[Any, Preview | None]:
    """The figures for the page's unsaved values: save, calculate, roll back (as the
    plan's preview, projects.services.rolled_back). The report is looked up and
    locked among those `user` may change (MonitoringReport.DoesNotExist otherwise).
    Returns the editor and the preview (None when the forms are invalid)."""

    def work() -> dict:
        locked = MonitoringReport.objects.select_for_update().get(pk=pk)
        if not can_edit_report(user, locked):
            raise MonitoringReport.DoesNotExist
        editor = editor_class(locked, data)
        if not editor.is_valid():
            return {"editor": editor}
        editor.save()
        try:
            results = report_calculate(locked).to_json()
            errors = []
        except DocumentErrors as error:
            results, errors = None, [describe_error(item) for item in error.errors]
        locked.results = results
        return {"editor": editor, "preview": Preview(results=results, errors=errors)}

    outcome = rolled_back(work)
    return outcome["editor"], outcome.get("preview")


# -- evidence -------------------------------------------------------------------------


@transaction.atomic
def attachment_add(
    *, report: MonitoringReport, user, label: str, description: str, file
) -> MonitoringAttachment:
    """Evidence of what was measured, added only while the user may change the report."""
    report = _lock_editable(report, user)
    attachment = MonitoringAttachment(
        report=report,
        label=label,
        description=description,
        file=file,
        order=report.attachments.count(),
        uploaded_by=user,
    )
    attachment.full_clean()
    attachment.save()
    return attachment


@transaction.atomic
def attachment_delete(*, report: MonitoringReport, user, attachment: MonitoringAttachment) -> None:
    """Remove evidence from a report the user may change. Evidence a submitted
    version lists is only withdrawn from the draft (row and file stay, for that
    version); any other is deleted, its file after commit."""
    report = _lock_editable(report, user)
    if attachment.kind != MonitoringAttachment.Kind.EVIDENCE:
        raise MonitoringError(_("只能刪除監測佐證。"))
    if attachment.pk in submitted_evidence_ids(report):
        MonitoringAttachment.objects.filter(pk=attachment.pk, withdrawn_at__isnull=True).update(
            withdrawn_at=timezone.now()
        )
        return
    storage, name = attachment.file.storage, attachment.file.name
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(name))


def submitted_evidence_ids(report: MonitoringReport) -> set[int]:
    """The evidence some submitted version of the report lists."""
    return {
        item["id"]
        for evidence in report.versions.values_list("evidence", flat=True)
        for item in evidence
    }


def current_evidence(report: MonitoringReport):
    return report.attachments.current().filter(kind=MonitoringAttachment.Kind.EVIDENCE)


# -- replacing from a document ---------------------------------------------------------


def _read_for(report: MonitoringReport, document) -> None:
    """Validate `document` as this report's content: the format (with today's reference
    data; a factor not published yet is allowed, as for a draft typed in), the
    product's storage precision, and what must match the report: the registered
    plan's number, the report's number, the factor of the period's year, a period
    within the rules of `validate_period`. Raise DocumentErrors listing every error."""
    _check_format(document)
    reader = ProductReader()
    monitoring = document["monitoring"]
    _check_calculation_precision(monitoring, "monitoring", reader)
    errors: list[FieldError] = list(reader.errors)
    plan = report.plan
    if document["plan"]["number"] != plan.project_number:
        errors.append(
            FieldError(
                "plan.number",
                _("專案編號須為本計畫書的 %(number)s。") % {"number": plan.project_number},
            )
        )
    if int(monitoring["number"]) != report.number:
        errors.append(
            FieldError(
                "monitoring.number",
                _("監測報告書序號須為本報告書的 %(number)d。") % {"number": report.number},
            )
        )
    factor = monitoring["emission_factor"]
    start = date.fromisoformat(monitoring["period"]["start"])
    end = date.fromisoformat(monitoring["period"]["end"])
    if "value" in factor:
        errors.append(
            FieldError(
                "monitoring.emission_factor.value",
                _("監測報告書採該年度公告的電力排碳係數，請刪除此欄。"),
            )
        )
    if int(factor["year"]) != start.year:
        errors.append(
            FieldError(
                "monitoring.emission_factor.year",
                _("電力排碳係數年度須為監測期間的年度 %(year)d。") % {"year": start.year},
            )
        )
    try:
        validate_period(plan, start, end, report=report)
    except ValidationError as refused:
        errors.extend(_period_errors(refused))
    if errors:
        raise DocumentErrors(errors)


def _quantity(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


@transaction.atomic
def report_replace(*, report: MonitoringReport, document, user) -> MonitoringReport:
    """Replace the report's content (period, figures, groups, refrigerants, leakage,
    explanation) with an `offset-monitoring/1` document, all of it or nothing. The
    report keeps its number, status and evidence."""
    Plan.objects.select_for_update().get(pk=report.plan_id)  # periods of a plan: one writer
    locked = _lock_editable(report, user)
    _read_for(locked, document)
    before = report_document(locked) if locked.current_version_id else None
    monitoring = document["monitoring"]
    locked.groups.all().delete()
    locked.refrigerants.all().delete()
    locked.period_start = date.fromisoformat(monitoring["period"]["start"])
    locked.period_end = date.fromisoformat(monitoring["period"]["end"])
    locked.emission_factor_year = int(monitoring["emission_factor"]["year"])
    locked.line_loss = _quantity(monitoring["line_loss"])
    locked.gwp_edition = monitoring.get("gwp_edition") or ""
    locked.leakage_tco2e = _quantity(monitoring.get("leakage_tco2e")) or Decimal("0")
    locked.explanation = monitoring.get("explanation", "")
    locked.save()
    for side in Side.values:
        for order, data in enumerate(monitoring[side]["groups"]):
            group = MonitoringGroup.objects.create(
                report=locked,
                side=side,
                order=order,
                shape=_shape(data),
                name=data["name"],
                count=int(data["count"]),
                **{
                    key: _quantity(data.get(key))
                    for key in ("power_kw", "capacity_rt", "kw_per_rt", "hours")
                },
            )
            MonitoringGroupPeriod.objects.bulk_create(
                MonitoringGroupPeriod(
                    group=group,
                    month=period["period"],
                    power_kw=_quantity(period.get("power_kw")),
                    hours=_quantity(period.get("hours")),
                    energy_kwh=_quantity(period.get("energy_kwh")),
                )
                for period in data.get("periods", [])
            )
        refrigerant = monitoring[side].get("refrigerant")
        if refrigerant:
            MonitoringRefrigerant.objects.create(
                report=locked,
                side=side,
                code=refrigerant["code"],
                quantity_t=_quantity(refrigerant["quantity_t"]),
                gwp=_quantity(refrigerant.get("gwp")),
                odp=_quantity(refrigerant.get("odp")),
            )
    _bump(locked)
    report_refresh_results(locked)
    if before is not None:
        _record_changes(locked, user, before)
    else:
        MonitoringEvent.objects.create(
            report=locked,
            user=user,
            kind=MonitoringEvent.Kind.CHANGE,
            message=_("以 offset-monitoring/1 檔案取代監測報告書內容。"),
        )
    return locked


def _period_errors(refused: ValidationError) -> list[FieldError]:
    where = {"period_start": "monitoring.period.start", "period_end": "monitoring.period.end"}
    return [
        FieldError(where.get(name, "monitoring.period"), message)
        for name, messages in refused.message_dict.items()
        for message in messages
    ]


def _check_format(document) -> None:
    """The document read as `offset-monitoring/1` with today's reference data; a factor
    not published yet is allowed (the report then stays a draft)."""
    try:
        parse_monitoring_document(document, load_reference_data())
    except DocumentErrors as refused:
        # The reader reports every error: without others, the rest of the document is valid.
        others = [error for error in refused.errors if error.code != "no_factor_for_year"]
        if others:
            raise DocumentErrors(others) from None


@transaction.atomic
def report_import(*, document, by) -> MonitoringReport:
    """A new report of the registered plan that `plan.number` names, from a whole
    document (manage.py import_monitoring): numbered after the plan's last report
    (`monitoring.number` must be that number), all of it or nothing."""
    _check_format(document)
    number = document["plan"]["number"]
    plan = Plan.objects.filter(project_number=number).exclude(project_number="").first()
    if plan is None:
        raise DocumentErrors(
            [
                FieldError(
                    "plan.number",
                    _("沒有專案編號為 %(number)s 的註冊計畫書。") % {"number": number},
                )
            ]
        )
    period = document["monitoring"]["period"]
    try:
        report = report_start(
            plan,
            by=by,
            period_start=date.fromisoformat(period["start"]),
            period_end=date.fromisoformat(period["end"]),
        )
    except ValidationError as refused:
        raise DocumentErrors(_period_errors(refused)) from None
    return report_replace(report=report, document=document, user=by)


# -- submitting for verification -------------------------------------------------------


def monitoring_reference_snapshot(document: dict) -> dict:
    """Every reference figure a report's document uses (its year's emission factor,
    its refrigerants' GWP and ODP), from today's tables, as PlanVersion.reference
    holds a plan's (methodologies.reference.reference_snapshot)."""
    monitoring = document.get("monitoring", {})
    shaped = {
        "calculation": {key: monitoring.get(key) for key in ("emission_factor", *Side.values)}
    }
    snapshot = reference_snapshot(shaped)
    snapshot.pop("used", None)
    return snapshot


@transaction.atomic
def report_submit(
    report: MonitoringReport, *, by, verification_body: Organisation
) -> MonitoringReport:
    """Submit a draft (or a report sent back) for verification by the named body:
    freeze a MonitoringReportVersion (document, results, reference snapshot) and move
    the report to SUBMITTED. Refused while the year's emission factor is not
    published, while the figures are incomplete, or while a check fails."""
    locked = _lock_editable(report, by)
    if verification_body is None or verification_body.kind != Organisation.Kind.VERIFIER:
        raise SubmissionRefused(_("請選擇查驗機構。"), field="verification_body")
    if not factor_published(locked):
        raise SubmissionRefused(factor_pending_message(locked))
    document = report_document(locked)
    reference = monitoring_reference_snapshot(document)
    try:
        results = calculate_monitoring(
            parse_monitoring_document(document, reference_from_snapshot(reference))
        ).to_json()
    except DocumentErrors as errors:
        raise SubmissionRefused(
            _("監測數據尚未填齊，無法送查證。"),
            problems=[describe_error(error) for error in errors.errors],
        ) from None
    from projects.presentation import check_detail, check_label

    failing = verification.failing_in(results)
    if failing:
        raise SubmissionRefused(
            _("有檢核未通過，無法送查證。"),
            problems=[
                f"{check_label(check['id'], results['format'])}：{check_detail(check)}"
                for check in failing
            ],
        )
    number = (locked.current_version.number if locked.current_version_id else 0) + 1
    version = MonitoringReportVersion.objects.create(
        report=locked,
        number=number,
        document=document,
        results=results,
        reduction_tco2e=int(results["reduction_tco2e"]),
        reference=reference,
        evidence=[attachment.manifest() for attachment in current_evidence(locked)],
        created_by=by,
    )
    before = locked.status
    locked.status = MonitoringReport.Status.SUBMITTED
    locked.verification_body = verification_body
    locked.current_version = version
    locked.submitted_at = timezone.now()
    locked.results = results
    locked.save(
        update_fields=[
            "status",
            "verification_body",
            "current_version",
            "submitted_at",
            "results",
            "updated_at",
        ]
    )
    _bump(locked)
    MonitoringEvent.objects.create(
        report=locked,
        user=by,
        kind=MonitoringEvent.Kind.TRANSITION,
        from_status=before,
        to_status=locked.status,
        message=_("送 %(body)s 查證（第 %(version)d 版，申報減量 %(reduction)s tCO2e）。")
        % {
            "body": verification_body.name,
            "version": number,
            "reduction": results["reduction_tco2e"],
        },
    )
    verification.notify_submitted(locked, by)  # the body's verifiers are mailed
    return locked
