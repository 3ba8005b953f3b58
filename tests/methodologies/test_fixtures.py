"""The two reference plans give exactly the results in expected-results.json."""

import json

import pytest

from methodologies.engine import dumps, loads
from tests.methodologies.helpers import fixture_text, run_text

EXPECTED = json.loads(fixture_text("expected-results.json"))


@pytest.mark.parametrize("name", ["lighting-subproject.json", "chiller-individual.json"])
def test_reference_plan_gives_the_expected_results(name):
    results = run_text(fixture_text(name)).to_json()

    details = [check.pop("detail") for check in results["checks"]]
    for check in results["checks"]:  # the product's wording keys, see test_codes.py
        del check["code"], check["params"]
    assert results == EXPECTED[name]
    assert all(isinstance(detail, str) and detail for detail in details)


def test_results_json_has_every_key_as_text():
    results = run_text(fixture_text("chiller-individual.json")).to_json()

    assert list(results) == [
        "format",
        "baseline",
        "project",
        "leakage_tco2e",
        "annual_savings_kwh",
        "annual_reduction_tco2e",
        "crediting_years",
        "total_reduction_tco2e",
        "checks",
    ]
    for side in ("baseline", "project"):
        assert list(results[side]) == [
            "energy_kwh",
            "electricity_tco2e",
            "refrigerant_tco2e",
            "emissions_tco2e",
        ]
    assert [list(check) for check in results["checks"]] == [
        ["id", "status", "detail", "code", "params"]
    ] * 6


def test_results_survive_dumps_and_loads():
    results = run_text(fixture_text("lighting-subproject.json")).to_json()

    text = dumps(results)

    assert loads(text) == results
    assert '"energy_kwh": "25096.814"' in text


def test_savings_cap_detail_matches_the_spec_example():
    results = run_text(fixture_text("lighting-subproject.json"))

    assert results.check("savings_cap").detail == "0.00896 GWh ≤ 60 GWh"
