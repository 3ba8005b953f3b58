"""Where a figure the applicant states differs from the computed one.

Plans state 每年總節電量, 專案總減量 and the GWh of applicability condition 5
in words; the chiller reference plan states 0.904 GWh where its own tables give
1.117 GWh. These warnings do not block saving; they say what to correct."""

import math
import re
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from methodologies.engine.additionality import saving_rate as compute_saving_rate
from methodologies.engine.document import DEFAULT_GWP_EDITION
from methodologies.models import SavingTarget
from methodologies.reference import load_reference_data
from projects.dates import crediting_period
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


def saving_rate(plan: Plan):
    """The energy-saving-rate table's figures, or None without its inputs."""
    measures = [m.savings_kwh for m in plan.saving_measures.all()]
    if not measures or plan.saving_rate_previous_kwh is None:
        return None
    required = plan.saving_rate_required_percent
    if required is None and plan.saving_rate_year:
        required = required_saving_rate(plan.saving_rate_year)
    rate = compute_saving_rate(
        measures_kwh=measures,
        previous_year_kwh=plan.saving_rate_previous_kwh,
        required_percent=required,
    )
    if rate is None:
        return None
    # Shown to 2 decimals, truncated as the reference plan shows 1.1764… as 1.17.
    shown = Decimal(math.floor(rate.rate_percent * 100)) / 100
    return {
        "f": sum(measures, Decimal(0)),
        "g": plan.saving_rate_previous_kwh,
        "h": shown,
        "required": required,
        "required_from_table": plan.saving_rate_required_percent is None and required is not None,
        "meets_rule": rate.meets_rule,
    }


COST_FIELDS = (
    ("cost_setup", gettext_lazy("設置成本")),
    ("cost_energy", gettext_lazy("能源或燃料成本")),
    ("cost_subsidy", gettext_lazy("政府補助")),
    ("cost_operation", gettext_lazy("維運成本")),
    ("cost_other", gettext_lazy("其他")),
)


def cost_shares(plan: Plan) -> list[dict]:
    """Each cost's share of all costs given (占比), to one decimal, half up."""
    given = [(label, getattr(plan, name)) for name, label in COST_FIELDS]
    given = [(label, value) for label, value in given if value]
    total = sum((value for _, value in given), Decimal(0))
    if not total:
        return []
    return [
        {
            "label": label,
            "percent": (value * 100 / total).quantize(Decimal("0.1"), ROUND_HALF_UP),
        }
        for label, value in given
    ]
