"""The AMS-II.C formulas, each on small exact figures."""

from decimal import Decimal
from fractions import Fraction

import pytest

from methodologies.engine import Group, Period, group_energy_kwh
from tests.methodologies.helpers import document, parse, power_group, run


def test_power_group_energy_is_count_power_hours():
    group = Group(
        name="T5", count=1000, shape="power", power_kw=Decimal("0.028"), annual_hours=Decimal(861)
    )
    assert group_energy_kwh(group) == 24108


def test_chiller_group_energy_is_count_capacity_kw_per_rt_hours():
    group = Group(
        name="200RT",
        count=2,
        shape="chiller",
        capacity_rt=Decimal("177.2"),
        kw_per_rt=Decimal("0.8313"),
        annual_hours=Decimal(4745),
    )
    assert group_energy_kwh(group) == Fraction("1397937.3564")


def test_periods_group_energy_is_count_times_the_sum_of_its_periods():
    group = Group(
        name="metered",
        count=2,
        shape="periods",
        periods=(
            Period("2020-01", Decimal("10"), Decimal("100"), None),
            Period("2020-02", None, None, Decimal("123.45")),
            Period("2020-03", Decimal("0"), Decimal("0"), None),
        ),
    )
    assert group_energy_kwh(group) == 2 * (1000 + Fraction("123.45"))


def test_energy_sums_the_groups_and_divides_by_one_minus_the_line_loss():
    # E_BL,y = (1000 + 300) ÷ (1 − 0.35) = 2000; E_PJ,y = 650 ÷ 0.65 = 1000
    doc = document(
        line_loss="0.35",
        baseline={"groups": [power_group(power_kw="1"), power_group(power_kw="0.3")]},
        project={"groups": [power_group(power_kw="0.65")]},
    )
    results = run(doc)

    assert results.baseline_group_energies_kwh == (1000, 300)
    assert results.project_group_energies_kwh == (650,)
    assert results.baseline_energy_kwh == 2000
    assert results.project_energy_kwh == 1000
    assert results.savings_kwh == 1000
    assert results.annual_savings_kwh == 1000


def test_energy_with_a_loss_that_never_ends_in_decimals():
    doc = document(line_loss="0.0394", baseline={"groups": [power_group(power_kw="0.028")]})
    results = run(doc)

    assert results.baseline_energy_kwh == Fraction(28) / (1 - Fraction("0.0394"))
    assert results.to_json()["baseline"]["energy_kwh"] == "29.148"


def test_emissions_are_electricity_plus_refrigerant():
    # BE_y = 2000 kWh × 0.5 ÷ 1000 + 0.01 t × 1760 = 1 + 17.6
    # PE_y = 1000 kWh × 0.5 ÷ 1000 + 0.02 t × 1300 = 0.5 + 26
    doc = document(
        baseline={
            "groups": [power_group(power_kw="2")],
            "refrigerant": {"code": "R-22", "annual_quantity_t": "0.01"},
        },
        project={
            "groups": [power_group(power_kw="1")],
            "refrigerant": {"code": "R-134a", "annual_quantity_t": "0.02"},
        },
        leakage_tco2e="0.25",
    )
    results = run(doc)

    assert results.baseline_electricity_tco2e == 1
    assert results.baseline_refrigerant_tco2e == Fraction("17.6")
    assert results.baseline_emissions_tco2e == Fraction("18.6")
    assert results.project_electricity_tco2e == Fraction("0.5")
    assert results.project_refrigerant_tco2e == 26
    assert results.project_emissions_tco2e == Fraction("26.5")
    assert results.leakage_tco2e == Fraction("0.25")
    # ER_y = BE_y − PE_y − LE_y = 18.6 − 26.5 − 0.25
    assert results.reduction_tco2e == Fraction("-8.15")
    assert results.annual_reduction_tco2e == -9
    assert results.to_json()["leakage_tco2e"] == "0.250"


def test_leakage_defaults_to_zero():
    results = run(document())

    assert results.leakage_tco2e == 0
    assert results.reduction_tco2e == Fraction("0.25")


def test_multi_group_chiller_metered_and_mixed_shapes():
    # Baseline: a chiller group (2 × 100 RT × 0.8 kW/RT × 10 h = 1600 kWh)
    # plus a lamp group (10 × 0.04 kW × 1000 h = 400 kWh).
    # Project: metered periods (1 × (50 × 10 + 300) = 800 kWh) plus a lamp group (200 kWh).
    doc = document(
        baseline={
            "groups": [
                {
                    "name": "chiller",
                    "count": 2,
                    "capacity_rt": "100",
                    "kw_per_rt": "0.8",
                    "annual_hours": "10",
                },
                power_group(count=10, power_kw="0.04"),
            ]
        },
        project={
            "groups": [
                {
                    "name": "metered chiller",
                    "count": 1,
                    "periods": [
                        {"period": "2020-01", "power_kw": "50", "hours": "10"},
                        {"period": "2020-02", "energy_kwh": "300"},
                    ],
                },
                power_group(count=10, power_kw="0.02"),
            ]
        },
    )
    results = run(doc)

    assert results.baseline_group_energies_kwh == (1600, 400)
    assert results.project_group_energies_kwh == (800, 200)
    assert results.baseline_energy_kwh == 2000
    assert results.project_energy_kwh == 1000
    assert results.reduction_tco2e == Fraction("0.5")


def test_a_group_count_given_as_digits():
    results = run(document(baseline={"groups": [power_group(count="3")]}))

    assert results.baseline_energy_kwh == 3000


@pytest.mark.parametrize(("edition", "gwp"), [("AR4", 1810), ("AR5", 1760), ("AR6", 1960)])
def test_gwp_from_the_table_in_the_plans_edition(edition, gwp):
    doc = document(
        gwp_edition=edition,
        baseline={
            "groups": [power_group()],
            "refrigerant": {"code": "R-22", "annual_quantity_t": "1"},
        },
    )
    inp = parse(doc)

    assert inp.gwp_edition == edition
    assert inp.baseline.refrigerant.gwp == gwp
    assert inp.baseline.refrigerant.gwp_from_table
    assert inp.baseline.refrigerant.unconfirmed == (edition == "AR6")
    assert run(doc).baseline_refrigerant_tco2e == gwp


def test_gwp_edition_defaults_to_ar5():
    assert parse(document()).gwp_edition == "AR5"


def test_a_gwp_in_the_document_wins_over_the_table():
    doc = document(
        baseline={
            "groups": [power_group()],
            "refrigerant": {"code": "R-22", "annual_quantity_t": "1", "gwp": "1700"},
        }
    )
    refrigerant = parse(doc).baseline.refrigerant

    assert refrigerant.gwp == 1700
    assert not refrigerant.gwp_from_table
    assert refrigerant.odp == Decimal("0.055")
    assert refrigerant.odp_from_table


def test_r_1234yf_published_as_below_one_counts_as_one():
    doc = document(
        project={
            "groups": [power_group(power_kw="0.5")],
            "refrigerant": {"code": "R-1234yf", "annual_quantity_t": "0.3"},
        }
    )
    assert run(doc).project_refrigerant_tco2e == Fraction("0.3")


def test_r_717_has_gwp_zero():
    doc = document(
        project={
            "groups": [power_group(power_kw="0.5")],
            "refrigerant": {"code": "R-717", "annual_quantity_t": "5"},
        }
    )
    results = run(doc)

    assert results.project_refrigerant_tco2e == 0
    assert results.check("refrigerant_odp").status == "pass"


def test_a_refrigerant_missing_from_the_table_with_its_own_figures():
    doc = document(
        project={
            "groups": [power_group(power_kw="0.5")],
            "refrigerant": {"code": "R-513A", "annual_quantity_t": "0.1", "gwp": "631", "odp": "0"},
        },
        baseline={
            "groups": [power_group()],
            "refrigerant": {"code": "R-12", "annual_quantity_t": "0.1", "gwp": "10900"},
        },
    )
    inp = parse(doc)

    assert inp.baseline.refrigerant.odp is None  # not needed for the baseline
    assert run(doc).project_refrigerant_tco2e == Fraction("63.1")


def test_emission_factor_from_the_year_table():
    inp = parse(document(emission_factor={"year": 2022}))

    assert inp.emission_factor == Decimal("0.495")
    assert inp.emission_factor_year == 2022
    assert inp.emission_factor_from_table
    assert not inp.emission_factor_unconfirmed


def test_an_unconfirmed_emission_factor_is_used_and_flagged():
    doc = document(emission_factor={"year": 2025})
    inp = parse(doc)

    assert inp.emission_factor == Decimal("0.467")
    assert inp.emission_factor_unconfirmed
    assert "unconfirmed" in run(doc).check("positive_reduction").detail


def test_an_unconfirmed_gwp_is_named_in_the_details():
    doc = document(
        gwp_edition="AR6",
        baseline={
            "groups": [power_group()],
            "refrigerant": {"code": "R-22", "annual_quantity_t": "0.01"},
        },
    )
    results = run(doc)

    assert "unconfirmed" in results.check("positive_reduction").detail
    assert "R-22" in results.check("positive_reduction").detail
    assert "unconfirmed" in results.check("minimum_total").detail


def test_confirmed_figures_are_not_called_unconfirmed():
    results = run(document(emission_factor={"year": 2024}))

    assert "unconfirmed" not in results.check("positive_reduction").detail


def test_an_emission_factor_value_wins_over_its_year():
    inp = parse(document(emission_factor={"value": "0.6", "year": 2025}))

    assert inp.emission_factor == Decimal("0.6")
    assert inp.emission_factor_year == 2025
    assert not inp.emission_factor_from_table
    assert not inp.emission_factor_unconfirmed


def test_an_emission_factor_value_with_a_year_missing_from_the_table():
    inp = parse(document(emission_factor={"value": "0.6", "year": 2030}))

    assert inp.emission_factor == Decimal("0.6")
    assert inp.emission_factor_year == 2030


def test_json_numbers_are_read_from_their_text():
    doc = document(line_loss=Decimal("0.1"), baseline={"groups": [power_group(power_kw=2)]})
    inp = parse(doc)

    assert inp.line_loss == Decimal("0.1")
    assert inp.baseline.groups[0].power_kw == 2
