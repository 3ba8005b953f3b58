"""Crediting years: whole years anniversary to anniversary plus the rest as a share in days."""

from datetime import date
from fractions import Fraction

import pytest

from methodologies.engine import crediting_years, format_fixed
from tests.methodologies.helpers import document, run


@pytest.mark.parametrize(
    ("start", "end", "years", "shown"),
    [
        (date(2021, 1, 1), date(2030, 12, 31), Fraction(10), "10.0000"),
        (date(2021, 4, 1), date(2028, 3, 31), Fraction(7), "7.0000"),
        (date(2021, 4, 1), date(2030, 12, 31), 9 + Fraction(275, 365), "9.7534"),
    ],
)
def test_the_spec_examples(start, end, years, shown):
    assert crediting_years(start, end) == years
    assert format_fixed(crediting_years(start, end), 4) == shown


def test_a_one_day_period_is_one_day_of_its_year():
    assert crediting_years(date(2021, 3, 1), date(2021, 3, 1)) == Fraction(1, 365)
    # 2024-01-01 – 2025-01-01 holds 29 February: 366 days.
    assert crediting_years(date(2024, 1, 1), date(2024, 1, 1)) == Fraction(1, 366)
    # 2024-03-01 – 2025-03-01 does not.
    assert crediting_years(date(2024, 3, 1), date(2024, 3, 1)) == Fraction(1, 365)


def test_a_29_february_start_steps_to_28_february_in_other_years():
    start = date(2024, 2, 29)
    # Anniversaries: 2025-02-28, 2026-02-28, 2027-02-28, 2028-02-29.
    assert crediting_years(start, date(2025, 2, 27)) == 1
    assert crediting_years(start, date(2027, 2, 27)) == 3
    assert crediting_years(start, date(2028, 2, 28)) == 4
    # The day after the end, 2026-02-26, is 363 days into the year 2025-02-28 – 2026-02-28.
    assert crediting_years(start, date(2026, 2, 25)) == 1 + Fraction(363, 365)
    # Ten years from 29 February 2024 end the day before 29 February 2034 → 28 February 2034.
    assert crediting_years(start, date(2034, 2, 27)) == 10


def test_a_partial_year_is_a_share_of_the_year_it_falls_in():
    # 2023-07-01 – 2024-06-30 holds 29 February 2024: 366 days of 366.
    assert crediting_years(date(2023, 7, 1), date(2024, 6, 30)) == 1
    # The rest 2023-09-01 – 2024-03-01 is 182 days of the 366 to 2024-09-01.
    assert crediting_years(date(2021, 9, 1), date(2024, 2, 29)) == 2 + Fraction(182, 366)
    # The rest 2024-03-01 – 2024-09-01 is 184 days of the 365 to 2025-03-01.
    assert crediting_years(date(2022, 3, 1), date(2024, 8, 31)) == 2 + Fraction(184, 365)


def test_an_end_before_the_start_is_refused():
    with pytest.raises(ValueError):
        crediting_years(date(2021, 1, 2), date(2021, 1, 1))


def test_the_total_uses_the_exact_crediting_years():
    # 73 t a year × (9 + 275/365) years = 712 exactly; the shown 9.7534 would give 711.998.
    doc = document(
        baseline={"groups": [{"name": "x", "count": 1, "power_kw": "146", "annual_hours": "1000"}]},
        project={"groups": [{"name": "y", "count": 1, "power_kw": "0", "annual_hours": "1000"}]},
    )
    doc["plan"]["crediting_period"] = {"start": "2021-04-01", "end": "2030-12-31"}
    results = run(doc)

    assert results.annual_reduction_tco2e == 73
    assert results.to_json()["crediting_years"] == "9.7534"
    assert results.total_reduction_tco2e == 712


def test_the_total_uses_the_whole_annual_tonnes():
    # ER_y = 4.9 t: 4 t × 10 years = 40, not 49.
    doc = document(
        baseline={"groups": [{"name": "x", "count": 1, "power_kw": "9.8", "annual_hours": "1000"}]},
        project={"groups": [{"name": "y", "count": 1, "power_kw": "0", "annual_hours": "1000"}]},
    )
    results = run(doc)

    assert results.reduction_tco2e == Fraction("4.9")
    assert results.total_reduction_tco2e == 40
