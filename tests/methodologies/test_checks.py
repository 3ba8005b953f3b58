"""The six checks, each passing and failing, in the spec's order."""

import pytest

from methodologies.engine import calculate
from tests.methodologies.helpers import document, parse, power_group, run


def service_level(mode, *pairs):
    return {
        "metric": "illuminance_lux",
        "mode": mode,
        "pairs": [
            {"location": f"point {i}", "baseline": baseline, "project": project}
            for i, (baseline, project) in enumerate(pairs)
        ],
    }


def status(doc, check_id):
    return run(doc).check(check_id).status


def test_checks_come_in_the_spec_order():
    assert [check.id for check in run(document()).checks] == [
        "service_level",
        "savings_cap",
        "microscale",
        "refrigerant_odp",
        "positive_reduction",
        "minimum_total",
    ]


def test_an_unknown_check_id_is_a_key_error():
    with pytest.raises(KeyError):
        run(document()).check("nonsense")


# --- service_level -----------------------------------------------------------------------


@pytest.mark.parametrize("level", [None, "absent"])
def test_service_level_not_given_is_not_applicable(level):
    doc = document() if level == "absent" else document(service_level=None)
    assert status(doc, "service_level") == "not_applicable"


@pytest.mark.parametrize(
    ("pairs", "expected"),
    [
        ((("100", "45"), ("100", "135")), "pass"),  # 180 ÷ 200 = 90 % exactly
        ((("100", "150"), ("100", "150")), "pass"),  # 150 % exactly
        ((("100", "44.9"), ("100", "135")), "fail"),  # 89.95 %
        ((("100", "150"), ("100", "150.1")), "fail"),  # 150.05 %
        ((("100", "30"), ("100", "200")), "pass"),  # one point low, the sum within
    ],
)
def test_service_level_aggregate(pairs, expected):
    assert status(document(service_level=service_level("aggregate", *pairs)), "service_level") == (
        expected
    )


@pytest.mark.parametrize(
    ("pairs", "expected"),
    [
        # the band is [0.9 × 92, 1.5 × 333] = [82.8, 499.5]
        ((("92", "137"), ("333", "432")), "pass"),
        ((("92", "82.8"), ("333", "499.5")), "pass"),  # both bounds included
        ((("92", "82.7"), ("333", "432")), "fail"),
        ((("92", "137"), ("333", "499.6")), "fail"),
        # 200 is 217 % of its own baseline but inside the band set by the other point
        ((("92", "200"), ("333", "300")), "pass"),
    ],
)
def test_service_level_range(pairs, expected):
    assert status(document(service_level=service_level("range", *pairs)), "service_level") == (
        expected
    )


@pytest.mark.parametrize(
    ("pairs", "expected"),
    [
        ((("100", "90"), ("200", "300")), "pass"),  # 90 % and 150 % exactly
        ((("100", "89.99"), ("200", "200")), "fail"),
        ((("100", "100"), ("200", "300.01")), "fail"),
        ((("92", "200"), ("333", "300")), "fail"),  # passes as a range, not point by point
    ],
)
def test_service_level_per_point(pairs, expected):
    assert status(document(service_level=service_level("per_point", *pairs)), "service_level") == (
        expected
    )


def test_service_level_details_name_the_failing_points():
    doc = document(service_level=service_level("per_point", ("100", "100"), ("100", "200")))
    detail = run(doc).check("service_level").detail

    assert "point 1 200 %" in detail
    assert "point 0" not in detail


# --- savings_cap and microscale ------------------------------------------------------------


def savings_document(baseline_kwh, line_loss="0"):
    return document(
        line_loss=line_loss,
        baseline={"groups": [power_group(power_kw=baseline_kwh, annual_hours="1")]},
        project={"groups": [power_group(power_kw="0", annual_hours="1")]},
    )


@pytest.mark.parametrize(
    ("baseline_kwh", "line_loss", "cap", "micro"),
    [
        ("20000000", "0", "pass", "pass"),
        ("20000000.001", "0", "pass", "fail"),
        ("19000000", "0.05", "pass", "pass"),  # 20 GWh with the loss
        ("19000000", "0.0500001", "pass", "fail"),  # the loss tips it over
        ("60000000", "0", "pass", "fail"),
        ("60000000.001", "0", "fail", "fail"),
        ("57000000", "0.05", "pass", "fail"),
        ("57000000.001", "0.05", "fail", "fail"),
    ],
)
def test_savings_cap_and_microscale_limits(baseline_kwh, line_loss, cap, micro):
    results = run(savings_document(baseline_kwh, line_loss))

    assert results.check("savings_cap").status == cap
    assert results.check("microscale").status == micro


def test_savings_limit_details():
    at_limit = run(savings_document("60000000"))
    just_over = run(savings_document("60000000.001"))

    assert at_limit.check("savings_cap").detail == "60 GWh ≤ 60 GWh"
    assert at_limit.check("microscale").detail == "60 GWh > 20 GWh"
    # never "60 GWh > 60 GWh": enough digits are shown to tell them apart
    assert just_over.check("savings_cap").detail == "60.000000001 GWh > 60 GWh"
    assert run(savings_document("1234567")).check("microscale").detail == "1.23 GWh ≤ 20 GWh"


def test_negative_savings_pass_the_limits():
    doc = document(
        baseline={"groups": [power_group(power_kw="1")]},
        project={"groups": [power_group(power_kw="2")]},
    )
    results = run(doc)

    assert results.annual_savings_kwh == -1000
    assert results.check("savings_cap").status == "pass"
    assert results.check("savings_cap").detail == "-0.001 GWh ≤ 60 GWh"


# --- refrigerant_odp -----------------------------------------------------------------------


def project_refrigerant(refrigerant):
    return document(project={"groups": [power_group(power_kw="0.5")], "refrigerant": refrigerant})


def test_refrigerant_odp_not_applicable_without_a_project_refrigerant():
    doc = document(
        baseline={
            "groups": [power_group()],
            "refrigerant": {"code": "R-22", "annual_quantity_t": "0.01"},
        }
    )
    assert status(doc, "refrigerant_odp") == "not_applicable"


def test_refrigerant_odp_passes_with_odp_zero_from_the_table():
    check = run(project_refrigerant({"code": "R-410A", "annual_quantity_t": "0.01"})).check(
        "refrigerant_odp"
    )
    assert check.status == "pass"
    assert "R-410A" in check.detail


def test_refrigerant_odp_fails_for_r_22_with_its_odp_from_the_table():
    doc = project_refrigerant({"code": "R-22", "annual_quantity_t": "0.01"})
    check = run(doc).check("refrigerant_odp")

    assert parse(doc).project.refrigerant.odp_from_table
    assert check.status == "fail"
    assert "0.055" in check.detail


def test_refrigerant_odp_given_in_the_document():
    doc = project_refrigerant({"code": "R-134a", "annual_quantity_t": "0.01", "odp": "0.01"})
    assert status(doc, "refrigerant_odp") == "fail"
    doc = project_refrigerant(
        {"code": "R-999", "annual_quantity_t": "0.01", "gwp": "10", "odp": "0"}
    )
    assert status(doc, "refrigerant_odp") == "pass"


# --- positive_reduction ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("project_kw", "expected"),
    [("0.999", "pass"), ("1", "fail"), ("1.001", "fail")],
)
def test_positive_reduction(project_kw, expected):
    doc = document(
        baseline={"groups": [power_group(power_kw="1")]},
        project={"groups": [power_group(power_kw=project_kw)]},
    )
    assert status(doc, "positive_reduction") == expected


def test_positive_reduction_uses_the_exact_reduction_not_the_whole_tonnes():
    # ER_y = 0.25 t: 0 whole tonnes, still a reduction.
    results = run(document())

    assert results.annual_reduction_tco2e == 0
    assert results.check("positive_reduction").status == "pass"


# --- minimum_total -----------------------------------------------------------------------


def total_document(annual_tonnes, years, plan_type="individual"):
    doc = document(
        baseline={"groups": [power_group(power_kw=str(annual_tonnes * 2), annual_hours="1000")]},
        project={"groups": [power_group(power_kw="0", annual_hours="1000")]},
    )
    doc["plan"]["type"] = plan_type
    doc["plan"]["crediting_period"] = {"start": "2021-01-01", "end": f"{2020 + years}-12-31"}
    return doc


def test_minimum_total_passes_above_500():
    results = run(total_document(167, 3))

    assert results.total_reduction_tco2e == 501
    assert results.check("minimum_total").status == "pass"


def test_minimum_total_fails_at_exactly_500():
    results = run(total_document(50, 10))

    assert results.total_reduction_tco2e == 500
    assert results.check("minimum_total").status == "fail"


def test_minimum_total_is_not_applicable_to_sub_projects():
    results = run(total_document(10, 10, plan_type="sub_project"))

    assert results.total_reduction_tco2e == 100
    assert results.check("minimum_total").status == "not_applicable"


def test_calculate_takes_a_calculation_input():
    inp = parse(total_document(167, 3))
    assert calculate(inp).total_reduction_tco2e == 501
