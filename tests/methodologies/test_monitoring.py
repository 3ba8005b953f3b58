"""Monitoring reports (`offset-monitoring/1`): each rule of monitoring-format.md."""

import copy
import json
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

from methodologies.engine import (
    MONITORING_CHECK_CODES,
    MONITORING_CHECK_IDS,
    DocumentErrors,
    MonitoringResults,
    calculate_monitoring,
    dumps,
    loads,
    parse_monitoring_document,
)
from methodologies.engine.calculation import json_params
from tests.methodologies.helpers import REFERENCE, fixture_text

EXPECTED = json.loads(fixture_text("expected-results.json"))


def group(count=1, power_kw="1", hours="1000", name="lamp") -> dict:
    return {"name": name, "count": count, "power_kw": power_kw, "hours": hours}


def report(**monitoring: Any) -> dict:
    """A small valid report for 2022; keyword arguments replace keys of `monitoring`.

    Baseline 1000 kWh, project 500 kWh, factor 0.5, no loss: ER_y = 0.25 t; the plan estimates
    0 t a year.
    """
    doc = {
        "format": "offset-monitoring/1",
        "plan": {
            "number": "B-0000271-002",
            "crediting_period": {"start": "2021-01-01", "end": "2030-12-31"},
            "annual_reduction_tco2e": 0,
        },
        "monitoring": {
            "number": 1,
            "period": {"start": "2022-01-01", "end": "2022-12-31"},
            "emission_factor": {"year": 2022, "value": "0.5"},
            "line_loss": "0",
            "baseline": {"groups": [group(power_kw="1")], "refrigerant": None},
            "project": {"groups": [group(power_kw="0.5")], "refrigerant": None},
        },
    }
    doc["monitoring"].update(copy.deepcopy(monitoring))
    return doc


def with_plan(doc: dict, **plan: Any) -> dict:
    doc["plan"].update(plan)
    return doc


def run(doc: Any) -> MonitoringResults:
    return calculate_monitoring(parse_monitoring_document(doc, REFERENCE))


def errors_of(doc: Any) -> list[str]:
    try:
        parse_monitoring_document(doc, REFERENCE)
    except DocumentErrors as refused:
        return [str(error) for error in refused.errors]
    raise AssertionError("the document was accepted")


def error_paths(doc: Any) -> set[str]:
    return {line.split(": ", 1)[0] for line in errors_of(doc)}


def status(doc: Any, check_id: str) -> str:
    return run(doc).check(check_id).status


# --- The fixture ---------------------------------------------------------------------------


def test_the_fixture_gives_exactly_the_expected_results():
    results = run(loads(fixture_text("monitoring-lighting-2022.json"))).to_json()

    details = [check.pop("detail") for check in results["checks"]]
    for check in results["checks"]:  # the product's wording keys
        del check["code"], check["params"]
    assert results == EXPECTED["monitoring-lighting-2022.json"]
    assert all(isinstance(detail, str) and detail for detail in details)


def test_the_fixture_results_are_written_to_the_string():
    text = dumps(run(loads(fixture_text("monitoring-lighting-2022.json"))).to_json())

    for line in (
        '"format": "offset-monitoring-results/1"',
        '"period_days": 365',
        '"period_years": "1.0000"',
        '"energy_kwh": "25971.268"',
        '"electricity_tco2e": "12.856"',
        '"energy_kwh": "16695.815"',
        '"emissions_tco2e": "8.264"',
        '"leakage_tco2e": "0.000"',
        '"savings_kwh": "9275"',
        '"reduction_tco2e": "4"',
        '"ex_ante_tco2e": "4"',
    ):
        assert line in text


def test_the_results_have_every_key_and_the_six_checks_in_order():
    results = run(report()).to_json()

    assert list(results) == [
        "format",
        "period_days",
        "period_years",
        "baseline",
        "project",
        "leakage_tco2e",
        "savings_kwh",
        "reduction_tco2e",
        "ex_ante_tco2e",
        "checks",
    ]
    assert [check["id"] for check in results["checks"]] == list(MONITORING_CHECK_IDS)
    assert [list(check) for check in results["checks"]] == [
        ["id", "status", "detail", "code", "params"]
    ] * 6


# --- Period ------------------------------------------------------------------------------


def test_period_years_follow_the_anniversary_rule():
    doc = with_plan(
        report(period={"start": "2021-04-01", "end": "2021-12-31"}, emission_factor={"year": 2021}),
        annual_reduction_tco2e=4,
    )

    results = run(doc)

    assert results.period_days == 275
    assert results.period_years == Fraction(275, 365)
    assert results.to_json()["period_years"] == "0.7534"
    # The plan's estimate: 4 t × 275/365 = 3.01…, down to 3.
    assert results.to_json()["ex_ante_tco2e"] == "3"


def test_a_leap_year_period_is_one_year_of_366_days():
    doc = report(
        period={"start": "2024-01-01", "end": "2024-12-31"}, emission_factor={"year": 2024}
    )

    results = run(doc).to_json()

    assert (results["period_days"], results["period_years"]) == (366, "1.0000")


def test_period_end_before_start_is_refused_at_the_end():
    doc = report(period={"start": "2022-02-01", "end": "2022-01-31"})

    assert errors_of(doc) == ["monitoring.period.end: must not be before the start"]


def test_period_dates_are_required():
    doc = report(period={"start": "2022-02-30"})

    assert set(errors_of(doc)) == {
        "monitoring.period.end: required",
        "monitoring.period.start: 2022-02-30 is not a date that exists",
    }


def test_hours_up_to_every_hour_of_the_period_are_accepted():
    doc = report(
        period={"start": "2022-01-01", "end": "2022-01-10"},
        baseline={"groups": [group(hours="240")], "refrigerant": None},
        project={"groups": [group(hours="240")], "refrigerant": None},
    )

    assert run(doc).baseline_energy_kwh == 240


def test_hours_over_24_times_the_period_days_are_refused_at_their_path():
    doc = report(
        period={"start": "2022-01-01", "end": "2022-01-10"},
        baseline={"groups": [group(hours="240")], "refrigerant": None},
        project={"groups": [group(hours="1"), group(hours="240.01")], "refrigerant": None},
    )

    assert errors_of(doc) == ["monitoring.project.groups[1].hours: must be at most 240"]


def test_chiller_hours_are_limited_by_the_period_too():
    chiller = {"name": "c", "count": 1, "capacity_rt": "100", "kw_per_rt": "0.8", "hours": "8761"}
    doc = report(baseline={"groups": [chiller], "refrigerant": None})

    assert errors_of(doc) == ["monitoring.baseline.groups[0].hours: must be at most 8760"]


def test_annual_hours_is_not_a_key_of_a_monitoring_group():
    doc = report(
        baseline={
            "groups": [{"name": "a", "count": 1, "power_kw": "1", "annual_hours": "1"}],
            "refrigerant": None,
        }
    )

    assert set(errors_of(doc)) == {
        "monitoring.baseline.groups[0].annual_hours: unknown key",
        "monitoring.baseline.groups[0].hours: required",
    }


def metered(*months: str) -> dict:
    return {
        "name": "meter",
        "count": 1,
        "periods": [{"period": month, "energy_kwh": "100"} for month in months],
    }


def test_a_month_sharing_one_day_with_the_period_is_accepted():
    doc = report(
        period={"start": "2022-01-31", "end": "2022-03-01"},
        project={"groups": [group(hours="10")], "refrigerant": None},
        baseline={"groups": [metered("2022-01", "2022-02", "2022-03")], "refrigerant": None},
    )

    assert run(doc).baseline_energy_kwh == 300


def test_a_month_outside_the_period_is_refused_at_its_entrys_period():
    doc = report(
        period={"start": "2022-01-31", "end": "2022-03-01"},
        project={"groups": [group(hours="10")], "refrigerant": None},
        baseline={"groups": [metered("2021-12", "2022-02", "2022-04")], "refrigerant": None},
    )

    assert set(errors_of(doc)) == {
        "monitoring.baseline.groups[0].periods[0].period: "
        "2021-12 lies outside the period 2022-01-31 to 2022-03-01",
        "monitoring.baseline.groups[0].periods[2].period: "
        "2022-04 lies outside the period 2022-01-31 to 2022-03-01",
    }


def test_a_metered_month_keeps_the_plan_rules():
    period = {"period": "2022-01", "power_kw": "1", "hours": "745"}
    doc = report(
        baseline={"groups": [{"name": "m", "count": 1, "periods": [period]}], "refrigerant": None}
    )

    assert errors_of(doc) == ["monitoring.baseline.groups[0].periods[0].hours: must be at most 744"]


# --- Emission factor ---------------------------------------------------------------------


@pytest.mark.parametrize("factor", [{}, {"value": "0.5"}])
def test_the_factor_year_is_required(factor):
    doc = report(emission_factor=factor)

    assert errors_of(doc) == ["monitoring.emission_factor.year: required"]


def test_without_a_value_the_factor_of_the_year_comes_from_the_table():
    results = run(report(emission_factor={"year": 2022}))

    # 500 kWh saved × 0.495 kg/kWh
    assert results.reduction_tco2e == Fraction("0.2475")


def test_a_year_the_table_lacks_is_refused_at_the_year():
    doc = report(emission_factor={"year": 2031})

    assert errors_of(doc) == [
        "monitoring.emission_factor.year: no emission factor for 2031 in the reference table"
    ]


def test_a_value_given_is_used_and_the_year_still_counts_for_the_checks():
    doc = report(emission_factor={"year": 2031, "value": "0.8"})

    results = run(doc)

    assert results.reduction_tco2e == Fraction("0.4")
    assert results.check("single_calendar_year").status == "fail"
    assert results.check("single_calendar_year").params["factor_year"] == 2031


def test_a_value_must_be_positive():
    doc = report(emission_factor={"year": 2022, "value": "0"})

    assert errors_of(doc) == ["monitoring.emission_factor.value: must be greater than 0"]


# --- Formulas ------------------------------------------------------------------------------


def test_line_loss_refrigerant_of_the_period_and_leakage_enter_the_reduction():
    doc = report(
        line_loss="0.2",
        gwp_edition="AR4",
        baseline={
            "groups": [group(count=2, power_kw="1")],
            "refrigerant": {"code": "R-22", "quantity_t": "0.01"},
        },
        project={
            "groups": [group(power_kw="0.5")],
            "refrigerant": {"code": "R-32", "quantity_t": "0.002"},
        },
        leakage_tco2e="1.5",
    )

    results = run(doc)

    # E_BL,y = 2000 ÷ 0.8 = 2500 kWh, E_PJ,y = 500 ÷ 0.8 = 625 kWh
    assert (results.baseline_energy_kwh, results.project_energy_kwh) == (2500, 625)
    # BE_y = 2500 × 0.5 ÷ 1000 + 0.01 × 1810 (AR4) = 19.35; PE_y = 0.3125 + 0.002 × 675 = 1.6625
    assert results.baseline_emissions_tco2e == Fraction("19.35")
    assert results.project_emissions_tco2e == Fraction("1.6625")
    # ER_y = 19.35 − 1.6625 − 1.5
    assert results.reduction_tco2e == Fraction("16.1875")
    assert results.to_json()["reduction_tco2e"] == "16"
    assert results.to_json()["savings_kwh"] == "1875"


def test_annual_quantity_t_is_not_a_key_of_a_monitoring_refrigerant():
    doc = report(
        project={
            "groups": [group(power_kw="0.5")],
            "refrigerant": {"code": "R-32", "annual_quantity_t": "0.002"},
        }
    )

    assert set(errors_of(doc)) == {
        "monitoring.project.refrigerant.annual_quantity_t: unknown key",
        "monitoring.project.refrigerant.quantity_t: required",
    }


def test_the_reduction_is_rounded_down_and_never_capped():
    doc = report(project={"groups": [group(power_kw="2")], "refrigerant": None})

    results = run(doc)

    assert results.reduction_tco2e == Fraction("-0.5")
    assert results.to_json()["reduction_tco2e"] == "-1"


def test_metered_energy_sums_the_months():
    doc = report(baseline={"groups": [metered("2022-01", "2022-02")], "refrigerant": None})

    assert run(doc).baseline_energy_kwh == 200


# --- Plan part -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "annual,period,expected",
    [
        (4, ("2022-01-01", "2022-12-31"), "4"),
        (4, ("2021-04-01", "2021-12-31"), "3"),  # 4 × 275/365 = 3.01…
        (-4, ("2022-01-01", "2022-12-31"), "-4"),
        (-4, ("2021-04-01", "2021-12-31"), "-4"),  # −3.01… down to −4
        (0, ("2021-04-01", "2021-12-31"), "0"),
        ("4", ("2022-01-01", "2022-12-31"), "4"),
        ("-4", ("2021-04-01", "2021-12-31"), "-4"),
    ],
)
def test_the_ex_ante_estimate_is_the_annual_estimate_times_the_period_years_down(
    annual, period, expected
):
    start, end = period
    doc = with_plan(
        report(period={"start": start, "end": end}, emission_factor={"year": int(start[:4])}),
        annual_reduction_tco2e=annual,
    )

    assert run(doc).to_json()["ex_ante_tco2e"] == expected


@pytest.mark.parametrize("annual", ["4.0", Decimal("4.0"), True, "", "+4", " 4", None])
def test_the_annual_estimate_must_be_a_whole_number(annual):
    doc = with_plan(report(), annual_reduction_tco2e=annual)

    message = "must not be null" if annual is None else "must be an integer"
    assert errors_of(doc) == [f"plan.annual_reduction_tco2e: {message}"]


def test_the_plan_part_needs_its_three_keys_and_no_other():
    doc = report()
    doc["plan"] = {"type": "individual"}

    assert set(errors_of(doc)) == {
        "plan.type: unknown key",
        "plan.number: required",
        "plan.crediting_period: required",
        "plan.annual_reduction_tco2e: required",
    }


def test_the_plan_number_may_be_empty():
    doc = with_plan(report(), number="")

    assert parse_monitoring_document(doc, REFERENCE).plan_number == ""


def test_a_crediting_period_ending_before_it_starts_is_refused_at_its_end():
    doc = with_plan(report(), crediting_period={"start": "2030-01-01", "end": "2021-01-01"})

    assert errors_of(doc) == ["plan.crediting_period.end: must not be before the start"]


# --- Checks ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "period,expected",
    [
        (("2021-01-01", "2021-12-31"), "pass"),  # the first day of the crediting period
        (("2030-01-01", "2030-12-31"), "pass"),  # its last day
        (("2020-12-31", "2021-12-30"), "fail"),
        (("2030-01-02", "2031-01-01"), "fail"),
    ],
)
def test_within_crediting_period(period, expected):
    start, end = period
    doc = report(period={"start": start, "end": end})

    assert status(doc, "within_crediting_period") == expected


@pytest.mark.parametrize(
    "period,year,expected",
    [
        (("2022-01-01", "2022-12-31"), 2022, "pass"),
        (("2022-03-01", "2022-06-30"), 2022, "pass"),
        (("2022-07-01", "2023-06-30"), 2022, "fail"),
        (("2022-07-01", "2023-06-30"), 2023, "fail"),
        (("2022-01-01", "2022-12-31"), 2021, "fail"),
    ],
)
def test_single_calendar_year(period, year, expected):
    start, end = period
    doc = report(period={"start": start, "end": end}, emission_factor={"year": year})

    assert status(doc, "single_calendar_year") == expected


@pytest.mark.parametrize("project_kw,expected", [("0.5", "pass"), ("1", "fail"), ("2", "fail")])
def test_positive_reduction(project_kw, expected):
    doc = report(project={"groups": [group(power_kw=project_kw)], "refrigerant": None})

    assert status(doc, "positive_reduction") == expected


def test_microscale_limits_the_savings_a_year_not_of_the_period():
    # 10,400,000 kWh saved in 26 weeks (182 days): 10.4 GWh, but 20.86 GWh a year.
    doc = report(
        period={"start": "2022-01-01", "end": "2022-07-01"},
        baseline={
            "groups": [group(count=1000, power_kw="10.4", hours="1000")],
            "refrigerant": None,
        },
        project={"groups": [group(power_kw="0")], "refrigerant": None},
    )

    check = run(doc).check("microscale")

    assert check.status == "fail"
    assert check.code == "microscale.period_over"
    assert check.detail == "20.9 GWh a year > 20 GWh"


def test_microscale_passes_at_exactly_20_gwh_a_year():
    doc = report(
        baseline={"groups": [group(count=1000, power_kw="20", hours="1000")], "refrigerant": None},
        project={"groups": [group(power_kw="0")], "refrigerant": None},
    )

    assert status(doc, "microscale") == "pass"


@pytest.mark.parametrize(
    "refrigerant,expected",
    [
        (None, "not_applicable"),
        ({"code": "R-32", "quantity_t": "0.001"}, "pass"),
        ({"code": "R-22", "quantity_t": "0.001"}, "fail"),
        ({"code": "R-X", "quantity_t": "0.001", "gwp": "10", "odp": "0"}, "pass"),
        ({"code": "R-32", "quantity_t": "0.001", "odp": "0.01"}, "fail"),
    ],
)
def test_refrigerant_odp(refrigerant, expected):
    doc = report(project={"groups": [group(power_kw="0.5")], "refrigerant": refrigerant})

    assert status(doc, "refrigerant_odp") == expected


def test_a_project_refrigerant_missing_from_the_table_needs_gwp_and_odp():
    doc = report(
        project={
            "groups": [group(power_kw="0.5")],
            "refrigerant": {"code": "R-X", "quantity_t": "1"},
        }
    )

    assert errors_of(doc) == [
        'monitoring.project.refrigerant.code: R-X is not in the reference table; give "gwp" and "odp"'
    ]


def above_estimate(explanation: str | None, annual: int = 0) -> dict:
    """ER_y = 0.25 t a year, claimed 0 t; the plan estimates `annual` t a year."""
    doc = report(baseline={"groups": [group(power_kw="5")], "refrigerant": None})  # claims 2 t
    if explanation is not None:
        doc["monitoring"]["explanation"] = explanation
    return with_plan(doc, annual_reduction_tco2e=annual)


@pytest.mark.parametrize(
    "explanation,annual,expected,code",
    [
        ("", 2, "not_applicable", "above_estimate_explained.not_above"),
        (None, 3, "not_applicable", "above_estimate_explained.not_above"),
        ("更換範圍擴大", 1, "pass", "above_estimate_explained.explained"),
        (None, 1, "fail", "above_estimate_explained.unexplained"),
        ("", 1, "fail", "above_estimate_explained.unexplained"),
        (" \n\t\u3000", 1, "fail", "above_estimate_explained.unexplained"),
    ],
)
def test_above_estimate_explained(explanation, annual, expected, code):
    check = run(above_estimate(explanation, annual)).check("above_estimate_explained")

    assert (check.status, check.code) == (expected, code)
    assert check.params["reduction"] == 2
    assert check.params["ex_ante"] == annual


# --- Codes ---------------------------------------------------------------------------------

# A document giving each check code of a monitoring report (refrigerant_odp's are the plan's).
SCENARIOS = {
    "within_crediting_period.within": report(),
    "within_crediting_period.outside": report(
        period={"start": "2020-01-01", "end": "2020-12-31"}, emission_factor={"year": 2020}
    ),
    "single_calendar_year.same": report(),
    "single_calendar_year.different": report(emission_factor={"year": 2021}),
    "positive_reduction.period_positive": report(),
    "positive_reduction.period_not_positive": report(
        project={"groups": [group(power_kw="2")], "refrigerant": None}
    ),
    "microscale.period_within": report(),
    "microscale.period_over": report(
        baseline={"groups": [group(count=1000, power_kw="21", hours="1000")], "refrigerant": None}
    ),
    "above_estimate_explained.not_above": report(),
    "above_estimate_explained.explained": above_estimate("更換範圍擴大", 1),
    "above_estimate_explained.unexplained": above_estimate("", 1),
}


def test_the_scenarios_give_every_monitoring_check_code():
    assert set(SCENARIOS) == set(MONITORING_CHECK_CODES)


@pytest.mark.parametrize("code", MONITORING_CHECK_CODES)
def test_each_check_carries_its_code_and_plain_params(code):
    check = run(copy.deepcopy(SCENARIOS[code])).check(code.split(".")[0])

    assert check.code == code
    assert check.detail
    json_params(check.params)  # plain values only, or TypeError


def test_unconfirmed_reference_figures_are_named_in_the_positive_reduction_check():
    doc = report(
        period={"start": "2025-01-01", "end": "2025-12-31"}, emission_factor={"year": 2025}
    )

    check = run(doc).check("positive_reduction")

    assert check.detail.endswith(
        "Uses unconfirmed reference figures: the 2025 emission factor 0.467."
    )


# --- The document as a whole -----------------------------------------------------------------


def test_the_format_must_be_offset_monitoring():
    doc = report()
    doc["format"] = "offset-plan/1"

    assert errors_of(doc) == ['format: must be "offset-monitoring/1"']


@pytest.mark.parametrize(
    "where,key", [("$", "applicability"), ("plan", "title"), ("monitoring", "service_level")]
)
def test_unknown_keys_are_refused(where, key):
    doc = report()
    (doc if where == "$" else doc[where])[key] = "x"

    path = key if where == "$" else f"{where}.{key}"
    assert errors_of(doc) == [f"{path}: unknown key"]


def test_a_key_given_twice_is_refused():
    text = json.dumps(report(), ensure_ascii=False).replace(
        '"line_loss": "0"', '"line_loss": "0", "line_loss": "0.1"'
    )

    assert errors_of(loads(text)) == ["monitoring.line_loss: duplicate key"]


def test_optional_keys_take_their_defaults():
    inp = parse_monitoring_document(report(), REFERENCE)

    assert (inp.gwp_edition, inp.leakage_tco2e, inp.explanation) == ("AR5", Decimal(0), "")
    assert inp.baseline.refrigerant is None


def test_null_is_refused_outside_refrigerant():
    doc = report(explanation=None, leakage_tco2e=None)

    assert set(errors_of(doc)) == {
        "monitoring.explanation: must not be null",
        "monitoring.leakage_tco2e: must not be null",
    }


def test_the_report_number_is_a_count():
    assert errors_of(report(number=0)) == ["monitoring.number: must be a count (an integer ≥ 1)"]


@pytest.mark.parametrize(
    "mutate,path",
    [
        (
            lambda doc: doc["monitoring"]["baseline"].update(groups=[group()] * 201),
            "monitoring.baseline.groups",
        ),
        (
            lambda doc: doc["monitoring"]["project"].update(groups=[group()] * 201),
            "monitoring.project.groups",
        ),
        (
            lambda doc: doc["monitoring"]["baseline"].update(
                groups=[metered(*[f"2022-{m:02d}" for m in range(1, 13)] * 11)]
            ),
            "monitoring.baseline.groups[0].periods",
        ),
        (lambda doc: doc["monitoring"].update(explanation="說" * 20_001), "monitoring.explanation"),
    ],
)
def test_size_limits_are_refused_at_monitoring_paths(mutate, path):
    doc = report()
    mutate(doc)

    errors = errors_of(doc)

    assert [line.split(": ", 1)[0] for line in errors] == [path]


def test_200_groups_are_accepted():
    doc = report(baseline={"groups": [group(power_kw="0.01")] * 200, "refrigerant": None})

    assert run(doc).baseline_energy_kwh == 2000


def test_every_error_is_reported_at_once():
    doc = report(
        number="x",
        period={"start": "2022-01-01", "end": "2022-01-31"},
        emission_factor={"value": "0.5"},
        line_loss="1",
        gwp_edition="AR3",
        baseline={"groups": [group(hours="745"), metered("2022-02")], "refrigerant": None},
        project={"groups": [], "refrigerant": {"code": "R-32"}},
        leakage_tco2e="-1",
        explanation=3,
        extra=1,
    )
    doc["format"] = "offset-monitoring/2"
    doc["plan"]["annual_reduction_tco2e"] = Decimal("1.5")
    doc["plan"]["crediting_period"]["end"] = "2020-01-01"

    assert error_paths(doc) == {
        "format",
        "plan.crediting_period.end",
        "plan.annual_reduction_tco2e",
        "monitoring.extra",
        "monitoring.number",
        "monitoring.emission_factor.year",
        "monitoring.line_loss",
        "monitoring.gwp_edition",
        "monitoring.baseline.groups[0].hours",
        "monitoring.baseline.groups[1].periods[0].period",
        "monitoring.project.groups",
        "monitoring.project.refrigerant.quantity_t",
        "monitoring.leakage_tco2e",
        "monitoring.explanation",
    }


def test_a_document_that_is_not_an_object_is_refused_at_the_root():
    assert errors_of([]) == ["$: must be an object"]
