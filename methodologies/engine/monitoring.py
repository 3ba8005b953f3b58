"""Monitoring reports (`offset-monitoring/1`): the ex post AMS-II.C reduction of one period.

`parse_monitoring_document` reads a parsed document into a `MonitoringInput` with the plan's
reader, group and refrigerant rules (monitoring-format.md: `hours` of the period in place of
`annual_hours`, `quantity_t` in place of `annual_quantity_t`, `monitoring.` in place of
`calculation.`), and `calculate_monitoring` gives its exact `MonitoringResults`, written out as
`offset-monitoring-results/1` by `to_json`. Arithmetic, rounding and the anniversary rule are the
plan engine's (methodologies.engine.calculation).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from methodologies.engine.calculation import (
    FAIL,
    MICROSCALE_KWH,
    NOT_APPLICABLE,
    PASS,
    Check,
    ChecksById,
    _display,
    _gwh,
    _unconfirmed,
    _unconfirmed_text,
    checks_json,
    crediting_years,
    emission_figures,
    floor_int,
    format_fixed,
    refrigerant_odp_check,
    round_half_away,
    round_half_away_int,
    side_json,
)
from methodologies.engine.document import (
    GroupRules,
    ReferenceData,
    Side,
    read_crediting_period,
    read_date_range,
    read_emission_factor,
    read_gwp_edition,
    read_leakage,
    read_side,
)
from methodologies.engine.errors import DocumentErrors
from methodologies.engine.jsonio import duplicate_key_errors, size_errors
from methodologies.engine.reader import MISSING, Reader

MONITORING_FORMAT = "offset-monitoring/1"
MONITORING_RESULTS_FORMAT = "offset-monitoring-results/1"
SECTION = "monitoring"
HOURS_PER_DAY = 24

MONITORING_CHECK_IDS = (
    "within_crediting_period",
    "single_calendar_year",
    "positive_reduction",
    "microscale",
    "refrigerant_odp",
    "above_estimate_explained",
)
# What each check's detail says, by the code of its wording (the check id, a dot, the case);
# refrigerant_odp words its cases as the plan's check does.
MONITORING_CHECK_CODES = (
    "within_crediting_period.within",
    "within_crediting_period.outside",
    "single_calendar_year.same",
    "single_calendar_year.different",
    "positive_reduction.period_positive",
    "positive_reduction.period_not_positive",
    "microscale.period_within",
    "microscale.period_over",
    "above_estimate_explained.not_above",
    "above_estimate_explained.explained",
    "above_estimate_explained.unexplained",
)


@dataclass(frozen=True)
class MonitoringInput:
    """One monitoring report, read. Each group's `annual_hours` holds its `hours` of the period,
    each refrigerant's `annual_quantity_t` its `quantity_t` of the period."""

    plan_number: str
    crediting_start: date
    crediting_end: date
    annual_reduction_tco2e: int  # the plan's estimate a year (may be 0 or negative)
    number: int  # the report's sequence number for the plan
    period_start: date
    period_end: date  # inclusive
    emission_factor: Decimal  # kgCO2e/kWh
    emission_factor_year: int
    emission_factor_from_table: bool
    emission_factor_unconfirmed: bool
    line_loss: Decimal
    gwp_edition: str  # "AR4" | "AR5" | "AR6"
    baseline: Side
    project: Side
    leakage_tco2e: Decimal
    explanation: str


def parse_monitoring_document(doc: Any, reference: ReferenceData) -> MonitoringInput:
    """Read a parsed `offset-monitoring/1` document; raises DocumentErrors listing every error.

    A document over a size limit (at `monitoring.` paths) is refused with those errors alone,
    before anything else is read; duplicate keys are refused anywhere.
    """
    oversized = size_errors(doc, SECTION)
    if oversized:
        raise DocumentErrors(oversized)
    reader = Reader()
    for error in duplicate_key_errors(doc):
        reader.add(error)
    monitoring = read_monitoring(doc, reference, reader)
    if reader.errors or monitoring is None:
        raise DocumentErrors(reader.errors)
    return monitoring


def read_monitoring(doc: Any, reference: ReferenceData, reader: Reader) -> MonitoringInput | None:
    """Read a whole monitoring document; errors go to `reader`, and None is returned when the
    document had any."""
    local = Reader()
    result = _read(doc, reference, local)
    for error in local.errors:
        reader.add(error)
    return None if local.errors else result


def _read(doc: Any, reference: ReferenceData, r: Reader) -> MonitoringInput | None:
    root = r.obj(doc, "$", required=("format", "plan", "monitoring"))
    if root is None:
        return None
    if r.string(root, "format", "$", required=True) not in (None, MONITORING_FORMAT):
        r.error(
            "format", f'must be "{MONITORING_FORMAT}"', "wrong_format", format=MONITORING_FORMAT
        )

    plan = r.obj(
        root.get("plan", MISSING),
        "plan",
        required=("number", "crediting_period", "annual_reduction_tco2e"),
    )
    plan_number = r.string(plan, "number", "plan", required=True)
    crediting_start, crediting_end = read_crediting_period(plan, r)
    annual = r.signed_integer(plan, "annual_reduction_tco2e", "plan", required=True)

    path = SECTION
    mon = r.obj(
        root.get(SECTION, MISSING),
        path,
        required=("number", "period", "emission_factor", "line_loss", "baseline", "project"),
        optional=("gwp_edition", "leakage_tco2e", "explanation"),
    )
    if mon is None:
        return None
    number = r.count(mon, "number", path, required=True)
    start, end = read_date_range(mon, path, "period", r)
    known = start is not None and end is not None and start <= end
    rules = GroupRules(
        hours_key="hours",
        # Hours of the period: at most every hour of its days (none known when it is wrong).
        max_hours=HOURS_PER_DAY * ((end - start).days + 1) if known else None,
        quantity_key="quantity_t",
        months_within=(start, end) if known else None,
    )
    gwp_edition = read_gwp_edition(mon, path, r)
    factor = read_emission_factor(mon, path, reference, r, year_required=True)
    line_loss = r.quantity(mon, "line_loss", path, required=True, below_one=True)
    baseline = read_side(mon, path, "baseline", reference, gwp_edition, r, rules)
    project = read_side(mon, path, "project", reference, gwp_edition, r, rules)
    leakage = read_leakage(mon, path, r)
    explanation = ""
    if "explanation" in mon:
        explanation = r.string(mon, "explanation", path, required=True)

    if r.errors:
        return None
    value, year, from_table, unconfirmed = factor
    return MonitoringInput(
        plan_number=plan_number,
        crediting_start=crediting_start,
        crediting_end=crediting_end,
        annual_reduction_tco2e=annual,
        number=number,
        period_start=start,
        period_end=end,
        emission_factor=value,
        emission_factor_year=year,
        emission_factor_from_table=from_table,
        emission_factor_unconfirmed=unconfirmed,
        line_loss=line_loss,
        gwp_edition=gwp_edition,
        baseline=baseline,
        project=project,
        leakage_tco2e=leakage,
        explanation=explanation,
    )


# --- Results -----------------------------------------------------------------------------


@dataclass(frozen=True)
class MonitoringResults(ChecksById):
    """Exact values (Fraction) of one monitoring period; `to_json` writes them out, rounded."""

    period_days: int
    period_years: Fraction
    baseline_energy_kwh: Fraction  # E_BL,y of the period
    baseline_electricity_tco2e: Fraction
    baseline_refrigerant_tco2e: Fraction
    baseline_emissions_tco2e: Fraction  # BE_y
    project_energy_kwh: Fraction  # E_PJ,y
    project_electricity_tco2e: Fraction
    project_refrigerant_tco2e: Fraction
    project_emissions_tco2e: Fraction  # PE_y
    leakage_tco2e: Fraction  # LE_y
    savings_kwh: Fraction  # exact E_BL,y − E_PJ,y
    reduction_tco2e: Fraction  # exact ER_y
    rounded_savings_kwh: int  # `savings_kwh` of the JSON
    claimed_reduction_tco2e: int  # `reduction_tco2e` of the JSON: what the report claims
    ex_ante_tco2e: int  # the plan's estimate for the period
    baseline_group_energies_kwh: tuple[Fraction, ...]  # each group before line loss
    project_group_energies_kwh: tuple[Fraction, ...]
    checks: tuple[Check, ...]

    def to_json(self) -> dict:
        """The `offset-monitoring-results/1` object: every key, figures as strings."""
        return {
            "format": MONITORING_RESULTS_FORMAT,
            "period_days": self.period_days,
            # Half up and half away from zero agree here: a period's years are never negative.
            "period_years": format_fixed(self.period_years, 4),
            "baseline": side_json(
                self.baseline_energy_kwh,
                self.baseline_electricity_tco2e,
                self.baseline_refrigerant_tco2e,
            ),
            "project": side_json(
                self.project_energy_kwh,
                self.project_electricity_tco2e,
                self.project_refrigerant_tco2e,
            ),
            "leakage_tco2e": format_fixed(self.leakage_tco2e, 3),
            "savings_kwh": str(self.rounded_savings_kwh),
            "reduction_tco2e": str(self.claimed_reduction_tco2e),
            "ex_ante_tco2e": str(self.ex_ante_tco2e),
            "checks": checks_json(self.checks),
        }


def calculate_monitoring(inp: MonitoringInput) -> MonitoringResults:
    """The AMS-II.C results of one monitoring period, exact, with the six checks."""
    # The factor is the period's year's; the refrigerants' quantities and the leakage
    # are those of the period.
    figures = emission_figures(inp)
    reduction, savings = figures["reduction_tco2e"], figures["savings_kwh"]
    period_days = (inp.period_end - inp.period_start).days + 1
    # The period in years by the anniversary rule of the crediting years.
    period_years = crediting_years(inp.period_start, inp.period_end)

    # The claimed reduction: ER_y down to whole tonnes (towards minus infinity), never capped.
    claimed = floor_int(reduction)
    # The plan's estimate for the period: its annual tonnes × the exact period years, down.
    ex_ante = floor_int(inp.annual_reduction_tco2e * period_years)

    notes = _unconfirmed(inp)
    checks = (
        _within_crediting_period_check(inp),
        _single_calendar_year_check(inp),
        _positive_reduction_check(reduction, notes),
        _microscale_check(savings, period_years),
        refrigerant_odp_check(inp.project.refrigerant),
        _above_estimate_check(claimed, ex_ante, inp.explanation),
    )
    return MonitoringResults(
        period_days=period_days,
        period_years=period_years,
        **figures,
        # Savings: E_BL,y − E_PJ,y to a whole kWh, half away from zero.
        rounded_savings_kwh=round_half_away_int(savings),
        claimed_reduction_tco2e=claimed,
        ex_ante_tco2e=ex_ante,
        checks=checks,
    )


# --- Checks ------------------------------------------------------------------------------


def _within_crediting_period_check(inp: MonitoringInput) -> Check:
    """The period lies within the plan's crediting period (both inclusive)."""
    params = {
        "start": inp.period_start.isoformat(),
        "end": inp.period_end.isoformat(),
        "crediting_start": inp.crediting_start.isoformat(),
        "crediting_end": inp.crediting_end.isoformat(),
    }
    period = f"{params['start']} to {params['end']}"
    crediting = f"the crediting period {params['crediting_start']} to {params['crediting_end']}"
    check_id = "within_crediting_period"
    if inp.crediting_start <= inp.period_start and inp.period_end <= inp.crediting_end:
        detail = f"{period} lies within {crediting}"
        return Check(check_id, PASS, detail, f"{check_id}.within", params)
    detail = f"{period} does not lie within {crediting}"
    return Check(check_id, FAIL, detail, f"{check_id}.outside", params)


def _single_calendar_year_check(inp: MonitoringInput) -> Check:
    """The period's start, its end and the emission factor's year are one calendar year."""
    years = {inp.period_start.year, inp.period_end.year, inp.emission_factor_year}
    params = {
        "start": inp.period_start.isoformat(),
        "end": inp.period_end.isoformat(),
        "factor_year": inp.emission_factor_year,
    }
    shown = f"{params['start']} to {params['end']} with the {inp.emission_factor_year} factor"
    check_id = "single_calendar_year"
    if len(years) == 1:
        detail = f"{shown}: one calendar year"
        return Check(check_id, PASS, detail, f"{check_id}.same", params)
    detail = f"{shown}: not one calendar year"
    return Check(check_id, FAIL, detail, f"{check_id}.different", params)


def _positive_reduction_check(reduction: Fraction, unconfirmed: tuple) -> Check:
    """The period reduces emissions: exact ER_y > 0."""
    shown = f"ER_y of the period = {format_fixed(reduction, 3)} tCO2e"
    notes = _unconfirmed_text(unconfirmed)
    params = {"reduction": round_half_away(reduction, 3), "unconfirmed": unconfirmed}
    check_id = "positive_reduction"
    if reduction > 0:
        return Check(check_id, PASS, f"{shown} > 0.{notes}", f"{check_id}.period_positive", params)
    detail = f"{shown} ≤ 0.{notes}"
    return Check(check_id, FAIL, detail, f"{check_id}.period_not_positive", params)


def _microscale_check(savings_kwh: Fraction, period_years: Fraction) -> Check:
    """Micro-scale: (exact E_BL,y − E_PJ,y) ÷ the exact period years ≤ 20,000,000 kWh."""
    per_year = savings_kwh / period_years
    limit = _display(Fraction(MICROSCALE_KWH, 10**6))
    shown = _gwh(per_year, MICROSCALE_KWH)
    params = {"savings_gwh": Decimal(shown), "limit_gwh": Decimal(limit)}
    if per_year <= MICROSCALE_KWH:
        detail = f"{shown} GWh a year ≤ {limit} GWh"
        return Check("microscale", PASS, detail, "microscale.period_within", params)
    detail = f"{shown} GWh a year > {limit} GWh"
    return Check("microscale", FAIL, detail, "microscale.period_over", params)


def _above_estimate_check(claimed: int, ex_ante: int, explanation: str) -> Check:
    """A reduction above the plan's estimate for the period needs an explanation."""
    params = {"reduction": claimed, "ex_ante": ex_ante}
    shown = f"{claimed} tCO2e"
    estimate = f"the plan's estimate of {ex_ante} tCO2e for the period"
    check_id = "above_estimate_explained"
    if claimed <= ex_ante:
        detail = f"{shown} ≤ {estimate}"
        return Check(check_id, NOT_APPLICABLE, detail, f"{check_id}.not_above", params)
    if explanation.strip():
        detail = f"{shown} > {estimate}; explained"
        return Check(check_id, PASS, detail, f"{check_id}.explained", params)
    detail = f"{shown} > {estimate}, with no explanation"
    return Check(check_id, FAIL, detail, f"{check_id}.unexplained", params)
