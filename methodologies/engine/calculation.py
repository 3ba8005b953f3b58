"""AMS-II.C emission reductions, exactly, and their `offset-plan-results/1` form.

Every value is an exact `Fraction` computed from the `Decimal` inputs; each output is rounded
once, from its own exact value, only when it is written out (plan-format.md, "Results").
"""

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from methodologies.engine.document import (
    CHILLER,
    PERIODS,
    POWER,
    CalculationInput,
    Group,
    Refrigerant,
    ServiceLevel,
)

RESULTS_FORMAT = "offset-plan-results/1"
SAVINGS_CAP_KWH = 60_000_000  # AMS-II.C Type II limit: 60 GWh a year
MICROSCALE_KWH = 20_000_000  # micro-scale additionality guideline: 20 GWh a year
MINIMUM_TOTAL_TCO2E = 500  # 溫室氣體抵換專案管理辦法 Art. 8, individual projects
SERVICE_LEVEL_LOW = Fraction(9, 10)  # new equipment gives 90–150 % of the baseline's service
SERVICE_LEVEL_HIGH = Fraction(3, 2)

PASS, FAIL, NOT_APPLICABLE = "pass", "fail", "not_applicable"
CHECK_IDS = (
    "service_level",
    "savings_cap",
    "microscale",
    "refrigerant_odp",
    "positive_reduction",
    "minimum_total",
)
# What each check's detail says, by the code of its wording (the check id, a dot, the case).
CHECK_CODES = (
    "service_level.none",
    "service_level.aggregate_within",
    "service_level.aggregate_outside",
    "service_level.range_within",
    "service_level.range_outside",
    "service_level.per_point_within",
    "service_level.per_point_outside",
    "savings_cap.within",
    "savings_cap.over",
    "microscale.within",
    "microscale.over",
    "refrigerant_odp.none",
    "refrigerant_odp.zero",
    "refrigerant_odp.positive",
    "positive_reduction.positive",
    "positive_reduction.not_positive",
    "minimum_total.sub_project",
    "minimum_total.over",
    "minimum_total.not_over",
)


# --- Rounding and formatting -------------------------------------------------------------


def round_half_away_int(value: Fraction) -> int:
    """The whole number nearest to `value`, halves away from zero (2.5 -> 3, -2.5 -> -3)."""
    whole = math.floor(abs(value) + Fraction(1, 2))
    return whole if value >= 0 else -whole


def format_fixed(value: Fraction, places: int) -> str:
    """`value` with exactly `places` decimals, half away from zero; never "-0.000"."""
    scaled = round_half_away_int(value * 10**places)
    sign = "-" if scaled < 0 else ""
    digits = str(abs(scaled)).rjust(places + 1, "0")
    if places == 0:
        return sign + digits
    return f"{sign}{digits[:-places]}.{digits[-places:]}"


def round_half_away(value: Fraction, places: int) -> Decimal:
    """`value` as a Decimal with exactly `places` decimals, half away from zero."""
    return Decimal(format_fixed(value, places))


def floor_int(value: Fraction) -> int:
    """The largest whole number ≤ `value` (towards minus infinity: −4.2 -> −5)."""
    return math.floor(value)


def _display(value: Fraction, places: int = 3) -> str:
    """A figure for people: rounded to `places` decimals, trailing zeros dropped."""
    text = format_fixed(value, places)
    return text.rstrip("0").rstrip(".") if "." in text else text


def _gwh(kwh: Fraction, limit_kwh: int) -> str:
    """`kwh` in GWh to 3 significant digits, or more where fewer would show the limit itself."""
    gwh = kwh / 10**6
    digits = 3
    while True:
        places = max(0, digits - _integer_digits(gwh))
        text = _display(gwh, places)
        if digits >= 15 or kwh == limit_kwh or Fraction(text) != Fraction(limit_kwh, 10**6):
            return text
        digits += 1


def _integer_digits(value: Fraction) -> int:
    """The place of the leading digit: 123.4 -> 3, 1.2 -> 1, 0.0123 -> -1.

    Significant digits minus this are the decimals to show: 3 s.f. of 0.0123 is 4 decimals.
    """
    value = abs(value)
    if value == 0:
        return 1
    digits = 1
    while value >= 10:
        value /= 10
        digits += 1
    while value < 1:
        value *= 10
        digits -= 1
    return digits


# --- Crediting years ---------------------------------------------------------------------


def _anniversary(start: date, years: int) -> date:
    """`start` moved on by whole years; 29 February becomes 28 February in other years."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return date(start.year + years, 2, 28)


def crediting_years(start: date, end: date) -> Fraction:
    """Crediting years of the inclusive period start–end: whole years from anniversary to
    anniversary, plus the rest as its share of the days of the year it falls in."""
    if end < start:
        raise ValueError("the crediting period ends before it starts")
    after_end = end + timedelta(days=1)
    # n: the largest whole number with start + n years ≤ the day after the end.
    n = after_end.year - start.year
    while _anniversary(start, n) > after_end:
        n -= 1
    year_start, year_end = _anniversary(start, n), _anniversary(start, n + 1)
    share = Fraction((after_end - year_start).days, (year_end - year_start).days)
    return n + share


# --- Results -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """One check: `detail` says it in English; `code` (one of CHECK_CODES) and `params` (plain
    values: Decimal, int, bool, str, or tuples of dicts of them) let a product word it."""

    id: str
    status: str  # "pass" | "fail" | "not_applicable"
    detail: str
    code: str = ""
    params: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        if self.code and self.code not in CHECK_CODES and self.code not in _monitoring_codes():
            raise ValueError(f"unknown check code {self.code!r}; add it to CHECK_CODES")


def _monitoring_codes() -> tuple[str, ...]:
    # Imported here: the monitoring module builds on this one.
    from methodologies.engine.monitoring import MONITORING_CHECK_CODES

    return MONITORING_CHECK_CODES


def side_json(energy: Fraction, electricity: Fraction, refrigerant: Fraction) -> dict:
    """One side of the results: energy, its electricity emissions, the refrigerant's, their
    sum, each rounded from its own exact value to 3 decimals."""
    return {
        "energy_kwh": format_fixed(energy, 3),
        "electricity_tco2e": format_fixed(electricity, 3),
        "refrigerant_tco2e": format_fixed(refrigerant, 3),
        "emissions_tco2e": format_fixed(electricity + refrigerant, 3),
    }


def checks_json(checks: tuple[Check, ...]) -> list[dict]:
    """The checks of the results: id, status, English detail, and the code and params."""
    return [
        {
            "id": check.id,
            "status": check.status,
            "detail": check.detail,
            "code": check.code,
            "params": json_params(check.params),
        }
        for check in checks
    ]


def json_params(value: Any) -> Any:
    """`params` as JSON text: numbers as strings (as every figure of the results), tuples as
    lists; True/False/None and strings as they are."""
    if isinstance(value, dict):
        return {key: json_params(item) for key, item in value.items()}
    if isinstance(value, tuple | list):
        return [json_params(item) for item in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not a plain value")


@dataclass(frozen=True)
class SideFigures:
    """One side's figures as the plan's tables print them, each rounded once from its exact
    value (never from another rounded figure)."""

    energy_kwh: Decimal  # E_BL,y / E_PJ,y in kWh, 3 decimals, half away from zero
    energy_mwh: Decimal  # the same exact energy in MWh, 4 decimals
    emissions_tco2e: int  # BE_y / PE_y in whole tonnes, half away from zero (half up)


@dataclass(frozen=True)
class DisplayFigures:
    """The figures the official PDF prints, from the exact results."""

    baseline: SideFigures
    project: SideFigures
    leakage_tco2e: int  # LE_y in whole tonnes, half away from zero
    annual_savings_kwh: int
    annual_reduction_tco2e: int
    total_reduction_tco2e: int
    crediting_years: Decimal  # 4 decimals


def _side_figures(energy_kwh: Fraction, emissions_tco2e: Fraction) -> SideFigures:
    return SideFigures(
        energy_kwh=round_half_away(energy_kwh, 3),
        energy_mwh=round_half_away(energy_kwh / 1000, 4),
        emissions_tco2e=round_half_away_int(emissions_tco2e),
    )


class ChecksById:
    """`check(id)` over a results object's `checks` (plan and monitoring results)."""

    checks: tuple[Check, ...]

    def check(self, id: str) -> Check:
        for check in self.checks:
            if check.id == id:
                return check
        raise KeyError(id)


@dataclass(frozen=True)
class Results(ChecksById):
    """Exact values (Fraction) of one calculation; `to_json` writes them out, rounded."""

    baseline_energy_kwh: Fraction
    baseline_electricity_tco2e: Fraction
    baseline_refrigerant_tco2e: Fraction
    baseline_emissions_tco2e: Fraction
    project_energy_kwh: Fraction
    project_electricity_tco2e: Fraction
    project_refrigerant_tco2e: Fraction
    project_emissions_tco2e: Fraction
    leakage_tco2e: Fraction
    savings_kwh: Fraction  # exact E_BL,y − E_PJ,y
    reduction_tco2e: Fraction  # exact ER_y
    annual_savings_kwh: int
    annual_reduction_tco2e: int
    crediting_years: Fraction
    total_reduction_tco2e: int
    baseline_group_energies_kwh: tuple[Fraction, ...]  # each group before line loss
    project_group_energies_kwh: tuple[Fraction, ...]
    checks: tuple[Check, ...]

    def display(self) -> DisplayFigures:
        """The printed figures, each rounded once from its own exact value."""
        return DisplayFigures(
            baseline=_side_figures(self.baseline_energy_kwh, self.baseline_emissions_tco2e),
            project=_side_figures(self.project_energy_kwh, self.project_emissions_tco2e),
            leakage_tco2e=round_half_away_int(self.leakage_tco2e),
            annual_savings_kwh=self.annual_savings_kwh,
            annual_reduction_tco2e=self.annual_reduction_tco2e,
            total_reduction_tco2e=self.total_reduction_tco2e,
            crediting_years=round_half_away(self.crediting_years, 4),
        )

    def to_json(self) -> dict:
        """The `offset-plan-results/1` object: every key, numbers as strings."""
        return {
            "format": RESULTS_FORMAT,
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
            "annual_savings_kwh": str(self.annual_savings_kwh),
            "annual_reduction_tco2e": str(self.annual_reduction_tco2e),
            # Half up and half away from zero agree here: crediting years are never negative.
            "crediting_years": format_fixed(self.crediting_years, 4),
            "total_reduction_tco2e": str(self.total_reduction_tco2e),
            "checks": checks_json(self.checks),
        }


def group_energy_kwh(group: Group) -> Fraction:
    """One group's annual energy before line loss: count × power × hours, or count × Σ periods."""
    if group.shape == POWER:
        return group.count * Fraction(group.power_kw) * Fraction(group.annual_hours)
    if group.shape == CHILLER:
        # Chiller power = capacity (RT) × specific consumption (kW/RT).
        power = Fraction(group.capacity_rt) * Fraction(group.kw_per_rt)
        return group.count * power * Fraction(group.annual_hours)
    if group.shape == PERIODS:
        # The periods' sum is the year's energy as given (no annualising).
        total = sum(
            (
                Fraction(p.energy_kwh)
                if p.energy_kwh is not None
                else Fraction(p.power_kw) * Fraction(p.hours)
            )
            for p in group.periods
        )
        return group.count * Fraction(total)
    raise ValueError(f"unknown group shape {group.shape!r}")


def refrigerant_tco2e(refrigerant: Refrigerant | None) -> Fraction:
    """Q_ref × GWP_ref, the refrigerant part of BE_y / PE_y; 0 without a refrigerant."""
    if refrigerant is None:
        return Fraction(0)
    return Fraction(refrigerant.annual_quantity_t) * Fraction(refrigerant.gwp)


def emission_figures(inp) -> dict[str, Any]:
    """E_BL,y, E_PJ,y, BE_y, PE_y, LE_y, ER_y and the savings, exact, from the two
    sides, the line loss, the emission factor and the leakage of a plan
    (CalculationInput: a year) or of a monitoring period (MonitoringInput: the
    period), keyed as Results and MonitoringResults name them."""
    loss = Fraction(inp.line_loss)
    factor = Fraction(inp.emission_factor)  # kgCO2e/kWh = tCO2e/MWh

    baseline_groups = tuple(group_energy_kwh(g) for g in inp.baseline.groups)
    project_groups = tuple(group_energy_kwh(g) for g in inp.project.groups)
    # E_BL,y = Σ energy of the baseline groups ÷ (1 − l)
    baseline_energy = sum(baseline_groups, Fraction(0)) / (1 - loss)
    # E_PJ,y = Σ energy of the project groups ÷ (1 − l)
    project_energy = sum(project_groups, Fraction(0)) / (1 - loss)

    baseline_electricity = baseline_energy * factor / 1000
    project_electricity = project_energy * factor / 1000
    # Q_ref × GWP_ref (of the period: the quantity topped up or leaked during it)
    baseline_refrigerant = refrigerant_tco2e(inp.baseline.refrigerant)
    project_refrigerant = refrigerant_tco2e(inp.project.refrigerant)
    # BE_y = E_BL,y × EF ÷ 1000 + Q_ref,BL × GWP_ref,BL
    baseline_emissions = baseline_electricity + baseline_refrigerant
    # PE_y = E_PJ,y × EF ÷ 1000 + Q_ref,PJ × GWP_ref,PJ
    project_emissions = project_electricity + project_refrigerant
    # LE_y, as given in the plan or reported for the period
    leakage = Fraction(inp.leakage_tco2e)
    return {
        "baseline_energy_kwh": baseline_energy,
        "baseline_electricity_tco2e": baseline_electricity,
        "baseline_refrigerant_tco2e": baseline_refrigerant,
        "baseline_emissions_tco2e": baseline_emissions,
        "project_energy_kwh": project_energy,
        "project_electricity_tco2e": project_electricity,
        "project_refrigerant_tco2e": project_refrigerant,
        "project_emissions_tco2e": project_emissions,
        "leakage_tco2e": leakage,
        "savings_kwh": baseline_energy - project_energy,
        # ER_y = BE_y − PE_y − LE_y
        "reduction_tco2e": baseline_emissions - project_emissions - leakage,
        "baseline_group_energies_kwh": baseline_groups,
        "project_group_energies_kwh": project_groups,
    }


def calculate(inp: CalculationInput) -> Results:
    """The AMS-II.C results of one plan, exact, with the six checks."""
    figures = emission_figures(inp)
    reduction, savings = figures["reduction_tco2e"], figures["savings_kwh"]

    # Annual reduction: ER_y down to whole tonnes (conservative, towards minus infinity).
    annual_reduction = floor_int(reduction)
    years = crediting_years(inp.crediting_start, inp.crediting_end)
    # Total: the whole annual tonnes × the exact crediting years, down to whole tonnes.
    total = floor_int(annual_reduction * years)

    notes = _unconfirmed(inp)
    checks = (
        _service_level_check(inp.service_level),
        _limit_check("savings_cap", savings, SAVINGS_CAP_KWH),
        _limit_check("microscale", savings, MICROSCALE_KWH),
        refrigerant_odp_check(inp.project.refrigerant),
        _positive_reduction_check(reduction, notes),
        _minimum_total_check(inp.plan_type, total, years, notes),
    )
    return Results(
        **figures,
        # Annual savings: E_BL,y − E_PJ,y to a whole kWh, half away from zero.
        annual_savings_kwh=round_half_away_int(savings),
        annual_reduction_tco2e=annual_reduction,
        crediting_years=years,
        total_reduction_tco2e=total,
        checks=checks,
    )


# --- Checks ------------------------------------------------------------------------------


def _within_service_band(project: Fraction, baseline: Fraction) -> bool:
    return SERVICE_LEVEL_LOW <= project / baseline <= SERVICE_LEVEL_HIGH


def _percent(ratio: Fraction) -> str:
    return f"{_display(ratio * 100, 1)} %"


def _figure(value: Fraction, places: int = 3) -> Decimal:
    """A figure as `_display` shows it, as a Decimal param."""
    return Decimal(_display(value, places))


def _service_level_check(level: ServiceLevel | None) -> Check:
    """Applicability condition 1: the new equipment gives 90–150 % of the baseline's service."""
    if level is None:
        return Check(
            "service_level", NOT_APPLICABLE, "no service level given", "service_level.none"
        )
    pairs = [(p.location, Fraction(p.baseline), Fraction(p.project)) for p in level.pairs]
    params: dict[str, Any] = {"metric": level.metric, "low": 90, "high": 150}
    if level.mode == "aggregate":
        # Σ project ÷ Σ baseline within 90–150 %
        baseline = sum(b for _, b, _ in pairs)
        project = sum(p for _, _, p in pairs)
        ok = _within_service_band(project, baseline)
        detail = f"{level.metric}: Σ project ÷ Σ baseline = {_percent(project / baseline)}"
        detail += " within 90–150 %" if ok else " outside 90–150 %"
        params["ratio"] = _figure(project / baseline * 100, 1)
    elif level.mode == "range":
        # every project value within [0.9 × min baseline, 1.5 × max baseline]
        low = SERVICE_LEVEL_LOW * min(b for _, b, _ in pairs)
        high = SERVICE_LEVEL_HIGH * max(b for _, b, _ in pairs)
        points = [(loc, p) for loc, _, p in pairs if not low <= p <= high]
        outside = [f"{loc} {_display(p)}" for loc, p in points]
        ok = not outside
        band = f"[{_display(low)}, {_display(high)}]"
        if ok:
            detail = f"{level.metric}: every project value within {band}"
        else:
            detail = f"{level.metric}: outside {band}: {'; '.join(outside)}"
        params.update(low=_figure(low), high=_figure(high))
        params["points"] = tuple({"location": loc, "value": _figure(p)} for loc, p in points)
    elif level.mode == "per_point":
        # each pair's project ÷ baseline within 90–150 %
        points = [(loc, p / b) for loc, b, p in pairs if not _within_service_band(p, b)]
        outside = [f"{loc} {_percent(ratio)}" for loc, ratio in points]
        ok = not outside
        if ok:
            detail = f"{level.metric}: every project ÷ baseline within 90–150 %"
        else:
            detail = f"{level.metric}: outside 90–150 %: {'; '.join(outside)}"
        params["points"] = tuple(
            {"location": loc, "value": _figure(ratio * 100, 1)} for loc, ratio in points
        )
    else:
        raise ValueError(f"unknown service level mode {level.mode!r}")
    code = f"service_level.{level.mode}_{'within' if ok else 'outside'}"
    return Check("service_level", PASS if ok else FAIL, detail, code, params)


def _limit_check(check_id: str, savings_kwh: Fraction, limit_kwh: int) -> Check:
    """savings_cap (Type II, 60 GWh) and microscale (20 GWh): exact E_BL,y − E_PJ,y ≤ limit."""
    limit = _display(Fraction(limit_kwh, 10**6))
    shown = _gwh(savings_kwh, limit_kwh)
    params = {"savings_gwh": Decimal(shown), "limit_gwh": Decimal(limit)}
    if savings_kwh <= limit_kwh:
        return Check(check_id, PASS, f"{shown} GWh ≤ {limit} GWh", f"{check_id}.within", params)
    return Check(check_id, FAIL, f"{shown} GWh > {limit} GWh", f"{check_id}.over", params)


def refrigerant_odp_check(refrigerant: Refrigerant | None) -> Check:
    """Applicability condition 3: the project refrigerant does not deplete ozone (ODP 0)."""
    if refrigerant is None:
        return Check(
            "refrigerant_odp", NOT_APPLICABLE, "no project refrigerant", "refrigerant_odp.none"
        )
    source = " (from the reference table)" if refrigerant.odp_from_table else ""
    odp = _display(Fraction(refrigerant.odp), 6)
    params = {
        "refrigerant": refrigerant.code,
        "odp": Decimal(odp),
        "from_table": refrigerant.odp_from_table,
    }
    if refrigerant.odp == 0:
        detail = f"{refrigerant.code} ODP 0{source}"
        return Check("refrigerant_odp", PASS, detail, "refrigerant_odp.zero", params)
    detail = f"{refrigerant.code} ODP {odp} > 0{source}"
    return Check("refrigerant_odp", FAIL, detail, "refrigerant_odp.positive", params)


def _unconfirmed(inp: CalculationInput) -> tuple[dict[str, Any], ...]:
    """The reference figures used that are marked unconfirmed, as params."""
    notes: list[dict[str, Any]] = []
    if inp.emission_factor_unconfirmed:
        notes.append(
            {
                "kind": "emission_factor",
                "year": inp.emission_factor_year,
                "value": inp.emission_factor,
            }
        )
    for role, side in (("baseline", inp.baseline), ("project", inp.project)):
        ref = side.refrigerant
        if ref is not None and ref.unconfirmed:
            notes.append(
                {
                    "kind": "gwp",
                    "edition": inp.gwp_edition,
                    "gwp": ref.gwp,
                    "side": role,
                    "refrigerant": ref.code,
                }
            )
    return tuple(notes)


def _unconfirmed_text(unconfirmed: tuple[dict[str, Any], ...]) -> str:
    """A sentence naming reference figures used that are marked unconfirmed, or ""."""
    notes = []
    for note in unconfirmed:
        if note["kind"] == "emission_factor":
            notes.append(f"the {note['year']} emission factor {note['value']}")
        else:
            notes.append(
                f"the {note['edition']} GWP {note['gwp']} of the {note['side']} "
                f"{note['refrigerant']}"
            )
    if not notes:
        return ""
    return f" Uses unconfirmed reference figures: {'; '.join(notes)}."


def _positive_reduction_check(reduction: Fraction, unconfirmed: tuple) -> Check:
    """The plan reduces emissions: exact ER_y > 0."""
    shown = f"ER_y = {format_fixed(reduction, 3)} tCO2e"
    notes = _unconfirmed_text(unconfirmed)
    params = {"reduction": round_half_away(reduction, 3), "unconfirmed": unconfirmed}
    if reduction > 0:
        detail = f"{shown} > 0.{notes}"
        return Check("positive_reduction", PASS, detail, "positive_reduction.positive", params)
    detail = f"{shown} ≤ 0.{notes}"
    return Check("positive_reduction", FAIL, detail, "positive_reduction.not_positive", params)


def _minimum_total_check(plan_type: str, total: int, years: Fraction, unconfirmed: tuple) -> Check:
    """Art. 8: an individual project reduces more than 500 tCO2e over its crediting period."""
    if plan_type != "individual":
        detail = "sub-projects have no minimum total"
        return Check("minimum_total", NOT_APPLICABLE, detail, "minimum_total.sub_project")
    over = f"over {format_fixed(years, 4)} crediting years"
    notes = _unconfirmed_text(unconfirmed)
    params = {
        "total": total,
        "minimum": MINIMUM_TOTAL_TCO2E,
        "years": round_half_away(years, 4),
        "unconfirmed": unconfirmed,
    }
    if total > MINIMUM_TOTAL_TCO2E:
        detail = f"{total} tCO2e > 500 tCO2e {over}.{notes}"
        return Check("minimum_total", PASS, detail, "minimum_total.over", params)
    detail = f"{total} tCO2e ≤ 500 tCO2e {over}.{notes}"
    return Check("minimum_total", FAIL, detail, "minimum_total.not_over", params)
