"""Where a figure the applicant states differs from the computed one.

Plans state 每年總節電量, 專案總減量 and the GWh of applicability condition 5
in words; the chiller reference plan states 0.904 GWh where its own tables give
1.117 GWh. These warnings do not block saving; they say what to correct."""

import math
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from methodologies.engine import (
    CalculationInput,
    DocumentErrors,
    group_energy_kwh,
    parse_calculation_document,
)
from methodologies.engine.additionality import saving_rate as compute_saving_rate
from methodologies.engine.calculation import round_half_away
from methodologies.engine.document import CHILLER, DEFAULT_GWP_EDITION, POWER
from methodologies.models import SavingTarget
from methodologies.reference import load_reference_data
from projects import schema
from projects.dates import crediting_period
from projects.interchange import calculation_document, saving_rate_section
from projects.models import Plan, Side

GWH_PATTERN = re.compile(r"(\d+(?:\.\d+)?)\s*GWh", re.IGNORECASE)
KWH_PER_GWH = Decimal(1_000_000)
CREDITING_YEARS = {Plan.Crediting.FIXED: 10, Plan.Crediting.RENEWABLE: 7}


def _stated_matches(stated: Decimal, computed: Decimal) -> bool:
    """The computed figure, rounded to the stated figure's precision, equals it."""
    exponent = Decimal(1).scaleb(stated.as_tuple().exponent)
    return computed.quantize(exponent, ROUND_HALF_UP) == stated


def warnings(plan: Plan) -> list[str]:
    results = plan.results
    found = []
    if results:
        savings = Decimal(results["annual_savings_kwh"])
        total = Decimal(results["total_reduction_tco2e"])
        stated = plan.annual_savings_stated_kwh
        if stated is not None and stated.normalize() != savings:
            found.append(
                _("二、每年總節電量填寫 %(stated)s 度，計算結果為 %(computed)s 度。")
                % {"stated": f"{stated.normalize():,f}", "computed": f"{savings:,}"}
            )
        stated = plan.total_reduction_stated_tco2e
        if stated is not None and stated.normalize() != total:
            found.append(
                _("一、專案總減量填寫 %(stated)s tCO2e，計算結果為 %(computed)s tCO2e。")
                % {"stated": f"{stated.normalize():,f}", "computed": f"{total:,}"}
            )
        condition5 = plan.applicability.filter(condition=5).first()
        if condition5:
            match = GWH_PATTERN.search(condition5.explanation)
            # The exact savings in GWh from the results' whole kWh is precise enough
            # to compare with a figure written to a few decimals.
            computed_gwh = savings / KWH_PER_GWH
            if match and not _stated_matches(Decimal(match.group(1)), computed_gwh):
                found.append(
                    _("三、條件 5 說明寫年節電量 %(stated)s GWh，計算結果為 %(computed)s GWh。")
                    % {
                        "stated": match.group(1),
                        "computed": computed_gwh.quantize(Decimal("0.001"), ROUND_HALF_UP),
                    }
                )
    found.extend(refrigerant_differences(plan))
    if plan.crediting_start and plan.crediting_end and plan.crediting in CREDITING_YEARS:
        years = CREDITING_YEARS[plan.crediting]
        if crediting_period(plan.crediting_start, years)[1] != plan.crediting_end:
            found.append(
                _("計入期長度與%(type)s的 %(years)d 年不同。")
                % {"type": plan.get_crediting_display(), "years": years}
            )
    return found


def refrigerant_differences(plan: Plan) -> list[str]:
    """A table refrigerant whose GWP or ODP a document gave otherwise: kept as
    the document says, and said here, to the applicant and the reviewer."""
    refrigerants = list(plan.refrigerants.all())
    if not any(r.gwp is not None or r.odp is not None for r in refrigerants):
        return []
    table = load_reference_data().refrigerants
    edition = plan.gwp_edition or DEFAULT_GWP_EDITION
    found = []
    for refrigerant in refrigerants:
        row = table.get(refrigerant.code)
        if row is None:
            continue
        side = Side(refrigerant.side).label
        for name, given, listed in (
            ("GWP", refrigerant.gwp, row.gwp.get(edition)),
            ("ODP", refrigerant.odp, row.odp),
        ):
            if given is not None and listed is not None and given != listed:
                found.append(
                    _(
                        "四、%(side)s冷媒 %(code)s 的 %(name)s 填寫 %(given)s，"
                        "參考資料表為 %(listed)s；計算依填寫的數值。"
                    )
                    % {
                        "side": side,
                        "code": refrigerant.code,
                        "name": name,
                        "given": f"{given.normalize():f}",
                        "listed": f"{listed.normalize():f}",
                    }
                )
    return found


def required_saving_rate(year: int) -> Decimal | None:
    """The rule's rate for users just above 800 kW in that year (reference data)."""
    target = (
        SavingTarget.objects.filter(first_year__lte=year, last_year__gte=year)
        .order_by("min_contract_kw")
        .first()
    )
    return target.rate_percent if target else None


def saving_rate_figures(additionality: dict, *, required_from=None) -> dict | None:
    """The energy-saving-rate table of 三, from a document's `additionality`: the
    page and the PDF both show these figures. None without measures and G, or
    when F + G is 0. `required_from(year)` gives the rule's rate where the
    document states none (the page passes `required_saving_rate`; the PDF, which
    reads only its snapshot, nothing)."""
    rate = additionality.get("saving_rate") or {}
    measures = rate.get("measures") or []
    if not measures or rate.get("previous_year_kwh") is None:
        return None
    kwh = [Decimal(m["savings_kwh"]) for m in measures]
    previous = Decimal(rate["previous_year_kwh"])
    stated = rate.get("required_percent")
    required = Decimal(stated) if stated is not None else None
    year = rate.get("year")
    if required is None and year and required_from is not None:
        required = required_from(year)
    computed = compute_saving_rate(
        measures_kwh=kwh, previous_year_kwh=previous, required_percent=required
    )
    if computed is None:
        return None
    letters = [chr(ord("A") + i) for i in range(len(measures))]
    return {
        "year": year,
        "measures": [
            (m.get("label", ""), letter, value)
            for m, letter, value in zip(measures, letters, kwh, strict=True)
        ],
        "formula": "F=" + "+".join(letters),
        "f": sum(kwh, Decimal(0)),
        "g": previous,
        # Truncated to 2 decimals, as the reference plan shows 1.1764… as 1.17.
        "h": Decimal(math.floor(computed.rate_percent * 100)) / 100,
        "required": required,
        "required_from_table": stated is None and required is not None,
        "meets_rule": computed.meets_rule,
    }


def saving_rate(plan: Plan):
    """The energy-saving-rate table's figures of a stored plan, or None."""
    return saving_rate_figures(
        {"saving_rate": saving_rate_section(plan)}, required_from=required_saving_rate
    )


COST_LABELS = {
    "setup": gettext_lazy("設置成本"),
    "energy": gettext_lazy("能源或燃料成本"),
    "subsidy": gettext_lazy("政府補助"),
    "operation": gettext_lazy("維運成本"),
    "other": gettext_lazy("其他"),
}


def cost_figures(costs: dict) -> list[dict]:
    """Each cost a document's `plan.costs` gives, in the format's order, with its
    share of all costs given (占比, to one decimal, half up; None when they sum
    to 0): the page and the PDF both show these."""
    amounts = [(key, Decimal(costs[key])) for key in COST_LABELS if costs.get(key) is not None]
    total = sum((value for _key, value in amounts), Decimal(0))
    return [
        {
            "key": key,
            "label": COST_LABELS[key],
            "amount": value,
            "percent": (value * 100 / total).quantize(Decimal("0.1"), ROUND_HALF_UP)
            if total
            else None,
        }
        for key, value in amounts
    ]


def cost_shares(plan: Plan) -> list[dict]:
    """The page's cost shares: the costs of a stored plan that are not zero."""
    costs = schema.write_scalars(plan).get("costs", {})
    return [item for item in cost_figures(costs) if item["amount"]]


@dataclass(frozen=True)
class GroupFigures:
    """One equipment group's figures as the page and the PDF show them."""

    number: int  # i of n_i: the group's place on its side, from 1
    name: str
    count: int
    power_kw: Decimal | None  # one unit's ρ_i (capacity × kW/RT for a chiller); None by month
    energy_kwh: Decimal  # n_i × ρ_i × o_i (or n_i × Σ months), before line loss, 3 decimals
    energy_mwh: Decimal  # the same in MWh, 4 decimals (the lighting plans' unit)


def group_figures(calculation: CalculationInput) -> dict[str, list[GroupFigures]]:
    """Each group's energy of a parsed document, by side, from the engine's
    group_energy_kwh (the Σ terms of E_BL,y and E_PJ,y), each rounded once from
    the exact value: the page and the PDF both show these."""
    figures = {}
    for side in ("baseline", "project"):
        figures[side] = []
        for number, group in enumerate(getattr(calculation, side).groups, start=1):
            energy = group_energy_kwh(group)
            power = None
            if group.shape == POWER:
                power = group.power_kw
            elif group.shape == CHILLER:
                power = round_half_away(Fraction(group.capacity_rt) * Fraction(group.kw_per_rt), 2)
            figures[side].append(
                GroupFigures(
                    number=number,
                    name=group.name,
                    count=group.count,
                    power_kw=power,
                    energy_kwh=round_half_away(energy, 3),
                    energy_mwh=round_half_away(energy / 1000, 4),
                )
            )
    return figures


def plan_group_figures(
    plan: Plan, groups=None, months=None
) -> dict[str, list[GroupFigures]] | None:
    """group_figures of a stored plan's document; None while its calculation
    inputs are incomplete (the results panel then says what is missing). `groups`,
    `months`: see interchange.calculation_document."""
    try:
        document = calculation_document(plan, groups, months)
        calculation = parse_calculation_document(document, load_reference_data())
    except DocumentErrors:
        return None
    return group_figures(calculation)
