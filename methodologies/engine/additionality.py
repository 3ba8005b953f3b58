"""Regulatory additionality: the energy-saving-rate test of 能源用戶訂定節約能源目標及執行計畫規定."""

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction


@dataclass(frozen=True)
class SavingRate:
    measures_kwh: Fraction  # F = Σ the year's measures
    previous_year_kwh: Fraction  # G = the previous year's consumption
    rate_percent: Fraction  # H = F ÷ (F + G) × 100
    required_percent: Fraction | None
    meets_rule: bool | None  # H ≥ required: the rule is met without this plan's savings


def saving_rate(
    *, measures_kwh: list[Decimal], previous_year_kwh: Decimal, required_percent: Decimal | None
) -> SavingRate | None:
    """H = F ÷ (F + G) × 100, None when F + G is 0 (nothing to compare)."""
    f = sum((Fraction(value) for value in measures_kwh), Fraction(0))  # F = A + B + …
    g = Fraction(previous_year_kwh)
    if f + g == 0:
        return None
    h = f / (f + g) * 100  # H = F / (F + G) × 100
    required = Fraction(required_percent) if required_percent is not None else None
    return SavingRate(
        measures_kwh=f,
        previous_year_kwh=g,
        rate_percent=h,
        required_percent=required,
        meets_rule=None if required is None else h >= required,
    )
