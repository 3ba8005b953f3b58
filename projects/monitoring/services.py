"""Monitoring report writes and the report's `offset-monitoring/1` document.

Period rules (one calendar year, within the registered crediting period, no
overlap with another report of the plan) are checked by
`projects.monitoring.models.validate_period` under a lock on the plan row, so
two reports created at once cannot take overlapping periods or the same number.
A refused period raises django's ValidationError keyed by field
(`period_start`, `period_end`), for a form's `add_error(None, error)`; a refused
action raises MonitoringError. A report's period is changed from its page by
`projects.monitoring.entry.report_set_period`, beside the report's other saves."""

from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from projects.dates import roc_long
from projects.interchange import decimal_text
from projects.models import Plan, Side
from projects.monitoring.models import (
    MONITORING_FORMAT,
    MonitoringEvent,
    MonitoringGroup,
    MonitoringReport,
    validate_period,
)
from projects.monitoring.permissions import can_create_report
from projects.services import PlanError


class MonitoringError(PlanError):
    """A business rule refused the action on a monitoring report; the message is for the user."""


@transaction.atomic
def create_report(plan: Plan, *, by, period_start: date, period_end: date) -> MonitoringReport:
    """A new draft report of a registered plan for the period, numbered after the
    plan's last report (1, 2, 3…), with the plan's line loss and GWP edition and
    the period's year as its emission factor year."""
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if not plan.is_registered:
        raise MonitoringError(_("計畫書註冊後才能提出監測報告書。"))
    if not can_create_report(by, plan):
        raise MonitoringError(_("只有申請單位的編輯者可以建立監測報告書。"))
    validate_period(plan, period_start, period_end)
    last = plan.monitoring_reports.aggregate(last=Max("number"))["last"] or 0
    report = MonitoringReport.objects.create(
        plan=plan,
        number=last + 1,
        period_start=period_start,
        period_end=period_end,
        emission_factor_year=period_start.year,
        line_loss=plan.line_loss,
        gwp_edition=plan.gwp_edition,
        created_by=by,
    )
    MonitoringEvent.objects.create(
        report=report,
        user=by,
        kind=MonitoringEvent.Kind.CREATED,
        to_status=report.status,
        message=_("建立第 %(number)d 號監測報告書，監測期間 %(start)s 至 %(end)s。")
        % {"number": report.number, "start": roc_long(period_start), "end": roc_long(period_end)},
    )
    return report


# -- the interchange document ----------------------------------------------------


def _number(value) -> str | None:
    return None if value is None else decimal_text(value)


def _group(group: MonitoringGroup) -> dict:
    data: dict[str, Any] = {"name": group.name, "count": group.count}
    if group.shape != MonitoringGroup.Shape.PERIODS:
        for name in MonitoringGroup.SHAPE_FIELDS[group.shape]:
            data[name] = _number(getattr(group, name))
    else:
        data["periods"] = [
            {"period": p.month, "energy_kwh": _number(p.energy_kwh)}
            if p.energy_kwh is not None
            else {"period": p.month, "power_kw": _number(p.power_kw), "hours": _number(p.hours)}
            for p in group.periods.all()
        ]
    return {key: value for key, value in data.items() if value is not None}


def _refrigerant(refrigerant) -> dict | None:
    if refrigerant is None:
        return None
    data = {
        "code": refrigerant.code,
        "quantity_t": _number(refrigerant.quantity_t),
        "gwp": _number(refrigerant.gwp),
        "odp": _number(refrigerant.odp),
    }
    return {key: value for key, value in data.items() if value is not None}


def report_document(report: MonitoringReport) -> dict:
    """The report as an `offset-monitoring/1` document (keys in the format's order).
    `plan` repeats what the registration fixed: the project number, the registered
    crediting period and the registered version's annual reduction. A draft's
    missing figures are left out, for the engine to name."""
    plan = report.plan
    crediting = {
        "start": plan.registered_crediting_start.isoformat()
        if plan.registered_crediting_start
        else None,
        "end": plan.registered_crediting_end.isoformat() if plan.registered_crediting_end else None,
    }
    annual = plan.registered_version.annual_reduction_tco2e if plan.registered_version_id else None
    groups = list(report.groups.prefetch_related("periods"))
    refrigerants = {r.side: r for r in report.refrigerants.all()}
    monitoring: dict[str, Any] = {
        "number": report.number,
        "period": {"start": report.period_start.isoformat(), "end": report.period_end.isoformat()},
        "emission_factor": {"year": report.emission_factor_year},
    }
    if report.line_loss is not None:
        monitoring["line_loss"] = decimal_text(report.line_loss)
    monitoring["gwp_edition"] = report.gwp_edition or "AR5"
    for side in Side.values:
        monitoring[side] = {
            "groups": [_group(g) for g in groups if g.side == side],
            "refrigerant": _refrigerant(refrigerants.get(side)),
        }
    monitoring["leakage_tco2e"] = decimal_text(report.leakage_tco2e)
    monitoring["explanation"] = report.explanation
    return {
        "format": MONITORING_FORMAT,
        "plan": {
            "number": plan.project_number,
            "crediting_period": crediting,
            "annual_reduction_tco2e": annual,
        },
        "monitoring": monitoring,
    }
