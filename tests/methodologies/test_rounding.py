"""Rounding: each output from its own exact value, half away from zero or down to −∞."""

import math
from decimal import Decimal
from fractions import Fraction

import pytest

from methodologies.engine import floor_int, format_fixed, round_half_away, round_half_away_int
from tests.methodologies.helpers import document, power_group, run


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Fraction("1.2345"), "1.235"),  # a half goes away from zero
        (Fraction("-1.2345"), "-1.235"),
        (Fraction("1.2344999"), "1.234"),
        (Fraction("2.0005"), "2.001"),
        (Fraction(2, 3), "0.667"),
        (Fraction(-2, 3), "-0.667"),
        (Fraction(0), "0.000"),
        (Fraction("-0.0004"), "0.000"),  # no "-0.000"
        (Fraction("-0.0005"), "-0.001"),
        (Fraction(12), "12.000"),
    ],
)
def test_format_fixed_gives_three_decimals_half_away_from_zero(value, text):
    assert format_fixed(value, 3) == text


def test_format_fixed_to_whole_numbers_and_four_decimals():
    assert format_fixed(Fraction(5, 2), 0) == "3"
    assert format_fixed(Fraction(-5, 2), 0) == "-3"
    assert format_fixed(Fraction(9) + Fraction(275, 365), 4) == "9.7534"
    assert format_fixed(Fraction("0.00005"), 4) == "0.0001"  # half up


def test_round_half_away_returns_an_exact_decimal():
    assert round_half_away(Fraction("2.0005"), 3) == Decimal("2.001")
    assert str(round_half_away(Fraction(1, 3), 3)) == "0.333"
    assert str(round_half_away(Fraction(-1, 8), 2)) == "-0.13"


def test_round_half_away_int():
    assert round_half_away_int(Fraction(1, 2)) == 1
    assert round_half_away_int(Fraction(-1, 2)) == -1
    assert round_half_away_int(Fraction(49, 100)) == 0


@pytest.mark.parametrize(
    ("value", "whole"),
    [("4.9", 4), ("4", 4), ("-4.2", -5), ("-4", -4), ("-0.001", -1), ("0", 0)],
)
def test_floor_int_goes_towards_minus_infinity(value, whole):
    assert floor_int(Fraction(value)) == whole


def test_each_output_is_rounded_from_its_own_exact_value():
    # Baseline electricity 0.0005 t and refrigerant 0.0005 t: each rounds to 0.001 on its
    # own, their exact sum 0.001 stays 0.001 (not 0.002 from the rounded parts).
    doc = document(
        emission_factor={"value": "0.5"},
        baseline={
            "groups": [power_group(power_kw="1", annual_hours="1")],
            "refrigerant": {"code": "R-134a", "annual_quantity_t": "0.0005", "gwp": "1"},
        },
        project={"groups": [power_group(power_kw="0", annual_hours="1")]},
    )
    baseline = run(doc).to_json()["baseline"]

    assert baseline["electricity_tco2e"] == "0.001"
    assert baseline["refrigerant_tco2e"] == "0.001"
    assert baseline["emissions_tco2e"] == "0.001"


def test_annual_savings_round_half_away_from_zero():
    doc = document(
        baseline={"groups": [power_group(power_kw="1.5", annual_hours="1")]},
        project={"groups": [power_group(power_kw="1", annual_hours="1")]},
    )
    assert run(doc).annual_savings_kwh == 1  # 0.5 kWh

    doc = document(
        baseline={"groups": [power_group(power_kw="1", annual_hours="1")]},
        project={"groups": [power_group(power_kw="1.5", annual_hours="1")]},
    )
    results = run(doc)
    assert results.annual_savings_kwh == -1  # −0.5 kWh
    assert results.to_json()["annual_savings_kwh"] == "-1"


def test_negative_reduction_floors_towards_minus_infinity():
    # Project uses 8400 kWh more than the baseline at 0.5 kg/kWh: ER_y = −4.2 t.
    doc = document(
        baseline={"groups": [power_group(power_kw="1", annual_hours="1000")]},
        project={"groups": [power_group(power_kw="9.4", annual_hours="1000")]},
    )
    results = run(doc)

    assert results.reduction_tco2e == Fraction("-4.2")
    assert results.annual_reduction_tco2e == -5
    assert results.total_reduction_tco2e == -50
    assert results.to_json()["annual_reduction_tco2e"] == "-5"
    assert results.to_json()["total_reduction_tco2e"] == "-50"


def test_a_reduction_of_exactly_one_tonne_is_one_tonne():
    # l = 0.1 (AMS-II.C's default loss): 1 ÷ 0.9 never ends, so 28-digit Decimals
    # make BE_y − PE_y come out at 0.99…98 and floor it to 0.
    loss, factor, baseline_kwh, project_kwh = "0.1", "0.5", "1813", "13"
    naive_be = Decimal(baseline_kwh) / (1 - Decimal(loss)) * Decimal(factor) / 1000
    naive_pe = Decimal(project_kwh) / (1 - Decimal(loss)) * Decimal(factor) / 1000
    assert math.floor(naive_be - naive_pe) == 0  # the trap this test is about

    doc = document(
        emission_factor={"value": factor},
        line_loss=loss,
        baseline={"groups": [power_group(power_kw=baseline_kwh, annual_hours="1")]},
        project={"groups": [power_group(power_kw=project_kwh, annual_hours="1")]},
    )
    results = run(doc)

    assert results.reduction_tco2e == 1
    assert results.annual_reduction_tco2e == 1
    assert results.total_reduction_tco2e == 10
    assert results.check("positive_reduction").status == "pass"
