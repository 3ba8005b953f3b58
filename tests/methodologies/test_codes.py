"""Checks and errors come with a code and params (for a product to word them), besides their
English text, which stays as it was."""

import ast
import copy
import inspect
from decimal import Decimal

import pytest

from methodologies.engine import (
    DocumentErrors,
    FieldError,
    Reader,
    calculation,
    document,
    jsonio,
    monitoring,
    read_calculation,
    reader,
)
from methodologies.engine.calculation import CHECK_CODES, CHECK_IDS, Check
from methodologies.engine.errors import ERROR_CODES
from tests.methodologies.helpers import REFERENCE, errors_of, parse, power_group, run
from tests.methodologies.helpers import document as plan_document


def service_level(mode, baseline, project):
    return {
        "metric": "照度",
        "mode": mode,
        "pairs": [{"location": "教室 A", "baseline": baseline, "project": project}],
    }


def big_savings():
    """70 GWh a year saved: over both savings limits, and over 500 t in total."""
    return plan_document(baseline={"groups": [power_group(power_kw="70000")], "refrigerant": None})


def sub_project():
    doc = plan_document()
    doc["plan"]["type"] = "sub_project"
    return doc


def project_refrigerant(code):
    return plan_document(
        project={
            "groups": [power_group(power_kw="0.5")],
            "refrigerant": {"code": code, "annual_quantity_t": "0.001"},
        }
    )


# A document giving each check code (the check is the code's first part).
SCENARIOS = {
    "service_level.none": plan_document(),
    "service_level.aggregate_within": plan_document(
        service_level=service_level("aggregate", "100", "100")
    ),
    "service_level.aggregate_outside": plan_document(
        service_level=service_level("aggregate", "100", "200")
    ),
    "service_level.range_within": plan_document(service_level=service_level("range", "100", "100")),
    "service_level.range_outside": plan_document(
        service_level=service_level("range", "100", "1234.5")
    ),
    "service_level.per_point_within": plan_document(
        service_level=service_level("per_point", "100", "100")
    ),
    "service_level.per_point_outside": plan_document(
        service_level=service_level("per_point", "100", "80")
    ),
    "savings_cap.within": plan_document(),
    "savings_cap.over": big_savings(),
    "microscale.within": plan_document(),
    "microscale.over": big_savings(),
    "refrigerant_odp.none": plan_document(),
    "refrigerant_odp.zero": project_refrigerant("R-32"),
    "refrigerant_odp.positive": project_refrigerant("R-22"),
    "positive_reduction.positive": plan_document(),
    "positive_reduction.not_positive": plan_document(
        project={"groups": [power_group(power_kw="2")], "refrigerant": None}
    ),
    "minimum_total.sub_project": sub_project(),
    "minimum_total.over": big_savings(),
    "minimum_total.not_over": plan_document(),
}


def check_of(code: str) -> Check:
    return run(copy.deepcopy(SCENARIOS[code])).check(code.split(".")[0])


def test_the_scenarios_give_every_check_code_of_every_check():
    assert set(SCENARIOS) == set(CHECK_CODES)
    assert {code.split(".")[0] for code in CHECK_CODES} == set(CHECK_IDS)


@pytest.mark.parametrize("code", CHECK_CODES)
def test_each_check_carries_its_code_and_plain_params(code):
    check = check_of(code)

    assert check.code == code
    assert check.detail  # the English, as before
    calculation.json_params(check.params)  # plain values only, or TypeError


def test_a_check_code_outside_the_list_is_refused():
    with pytest.raises(ValueError):
        Check("savings_cap", "pass", "1 GWh ≤ 60 GWh", "savings_cap.nonsense")


def test_savings_params_are_the_figures_of_the_english_detail():
    check = run(plan_document()).check("savings_cap")

    assert check.detail == "0.0005 GWh ≤ 60 GWh"
    assert check.params == {"savings_gwh": Decimal("0.0005"), "limit_gwh": Decimal("60")}


def test_service_level_points_outside_are_params():
    check = check_of("service_level.per_point_outside")

    assert check.detail == "照度: outside 90–150 %: 教室 A 80 %"
    assert check.params["points"] == ({"location": "教室 A", "value": Decimal("80")},)
    assert (check.params["low"], check.params["high"]) == (90, 150)


def test_minimum_total_gives_years_total_and_unconfirmed_figures_as_params():
    doc = plan_document(emission_factor={"year": 2025})

    check = run(doc).check("minimum_total")

    assert check.detail.endswith(
        "over 10.0000 crediting years. Uses unconfirmed reference figures: "
        "the 2025 emission factor 0.467."
    )
    assert check.params["years"] == Decimal("10.0000")
    assert check.params["unconfirmed"] == (
        {"kind": "emission_factor", "year": 2025, "value": Decimal("0.467")},
    )


def test_results_json_writes_check_params_as_text():
    results = run(copy.deepcopy(SCENARIOS["minimum_total.not_over"])).to_json()

    check = results["checks"][-1]
    assert check["code"] == "minimum_total.not_over"
    assert check["params"] == {
        "total": "0",
        "minimum": "500",
        "years": "10.0000",
        "unconfirmed": [],
    }


# --- Errors --------------------------------------------------------------------------------


def _error_calls(module):
    """(line, call) of every Reader.error / FieldError call in a module's source."""
    tree = ast.parse(inspect.getsource(module))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if (isinstance(func, ast.Attribute) and func.attr == "error") or (
            isinstance(func, ast.Name) and func.id == "FieldError"
        ):
            yield node.lineno, node


@pytest.mark.parametrize("module", [reader, document, jsonio, monitoring])
def test_every_engine_error_has_a_code(module):
    """A message with params needs a code; a fixed one must be one of ERROR_CODES."""
    fixed = {message for message in ERROR_CODES.values() if "{" not in message}
    uncoded = []
    for line, call in _error_calls(module):
        if len(call.args) >= 3:
            continue  # the code is given
        message = call.args[1] if len(call.args) > 1 else None
        if isinstance(message, ast.Constant) and message.value in fixed:
            continue
        if isinstance(message, ast.Name) and getattr(module, message.id, None) in fixed:
            continue
        if isinstance(message, ast.Name) and message.id == "message":
            continue  # Reader.error passing its own argument on
        uncoded.append(line)
    assert uncoded == []


def test_reader_errors_carry_code_and_params():
    doc = plan_document(emission_factor={})
    doc["plan"]["crediting_period"]["end"] = "2021-02-30"

    reader_ = Reader()
    read_calculation(doc, REFERENCE, reader_)

    found = {(e.path, e.code): e.params for e in reader_.errors}
    assert found == {
        ("plan.crediting_period.end", "date_not_exists"): {"value": "2021-02-30"},
        ("calculation.emission_factor", "factor_needs_value_or_year"): {},
    }


def test_document_errors_name_their_refrigerant_and_month():
    period = {"period": "2024-01", "energy_kwh": "1"}
    doc = plan_document(
        baseline={
            "groups": [{"name": "a", "count": 1, "periods": [period, period]}],
            "refrigerant": {"code": "R-999", "annual_quantity_t": "1"},
        }
    )
    with pytest.raises(DocumentErrors) as refused:
        parse(doc)
    errors = {e.code: e for e in refused.value.errors}
    assert errors["period_twice"].params == {"month": "2024-01"}
    assert errors["refrigerant_not_in_table"].params == {"refrigerant": "R-999", "keys": ("gwp",)}
    assert str(errors["refrigerant_not_in_table"]) == (
        'calculation.baseline.refrigerant.code: R-999 is not in the reference table; give "gwp"'
    )


def test_a_fixed_message_gets_its_code_by_itself():
    assert FieldError("plan.type", "required").code == "required"
    assert FieldError("plan.type", "a product's own message").code == ""


def test_an_error_code_outside_the_list_is_refused():
    with pytest.raises(ValueError):
        FieldError("plan.type", "required", "nonsense")


def test_errors_are_the_same_by_path_and_message_and_kept_once():
    r = Reader()
    r.error("x", "must be at most 5", "above_maximum", maximum=5)
    r.error("x", "must be at most 5", "above_maximum", maximum=Decimal(5))

    assert [str(e) for e in r.errors] == ["x: must be at most 5"]
    assert hash(r.errors[0]) == hash(FieldError("x", "must be at most 5"))


def test_json_errors_carry_codes():
    with pytest.raises(DocumentErrors) as refused:
        jsonio.loads('{"a": ')
    (error,) = refused.value.errors
    assert error.code == "invalid_json_at"
    assert (error.params["line"], error.params["column"]) == (1, 7)
    assert errors_of(plan_document(line_loss="1")) == ["calculation.line_loss: must be less than 1"]
