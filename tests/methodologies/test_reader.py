"""The general field reader that the product reuses for its own parts of the document."""

from datetime import date
from decimal import Decimal

import pytest

from methodologies.engine import MISSING, FieldError, Reader, index_path, key_path, loads


def read(method, value, **options):
    """Read {"k": value} with one Reader method; returns (result, error lines)."""
    reader = Reader()
    obj = {} if value is MISSING else {"k": value}
    result = getattr(reader, method)(obj, "k", "root", **options)
    return result, [str(error) for error in reader.errors]


def test_paths():
    assert key_path("$", "plan") == "plan"
    assert key_path("plan", "type") == "plan.type"
    assert index_path("calculation.baseline.groups", 0) == "calculation.baseline.groups[0]"
    assert key_path(index_path("a", 2), "b") == "a[2].b"


def test_field_error_text():
    assert str(FieldError("plan.type", "required")) == "plan.type: required"


def test_missing_null_and_optional():
    assert read("string", MISSING) == (None, [])
    assert read("string", MISSING, required=True) == (None, ["root.k: required"])
    assert read("string", None) == (None, ["root.k: must not be null"])
    assert read("string", None, nullable=True) == (None, [])


def test_reading_from_a_refused_parent_reports_nothing_more():
    reader = Reader()

    assert reader.quantity(None, "k", "root", required=True) is None
    assert reader.errors == []


def test_string():
    assert read("string", "x") == ("x", [])
    assert read("string", 1) == (None, ["root.k: must be a string"])
    assert read("string", "b", choices=("a", "b")) == ("b", [])
    assert read("string", "c", choices=("a", "b")) == (None, ['root.k: must be one of "a", "b"'])


@pytest.mark.parametrize(
    ("value", "number"),
    [("0.028", "0.028"), ("0", "0"), ("-0", "0"), (3, "3"), (Decimal("1.50"), "1.50")],
)
def test_quantity_accepts(value, number):
    result, errors = read("quantity", value)

    assert errors == []
    assert result == Decimal(number)
    assert isinstance(result, Decimal)


@pytest.mark.parametrize("value", ["1e3", "12a", "", "1.", True, 0.5, Decimal("NaN"), ["1"]])
def test_quantity_refuses_what_is_not_a_decimal_number(value):
    assert read("quantity", value) == (
        None,
        ['root.k: must be a decimal number as a string, e.g. "0.028"'],
    )


def test_quantity_bounds():
    assert read("quantity", "-0.1") == (None, ["root.k: must not be negative"])
    assert read("quantity", "0", positive=True) == (None, ["root.k: must be greater than 0"])
    assert read("quantity", "0.999", below_one=True) == (Decimal("0.999"), [])
    assert read("quantity", "1", below_one=True) == (None, ["root.k: must be less than 1"])
    assert read("quantity", "744", maximum=744) == (Decimal(744), [])
    assert read("quantity", "744.01", maximum=744) == (None, ["root.k: must be at most 744"])


def test_quantity_size_limits():
    assert read("quantity", "999999999999999.9")[1] == []
    assert read("quantity", "1000000000000000") == (
        None,
        ["root.k: must be less than 1000000000000000"],
    )
    assert read("quantity", "0." + "0" * 19 + "1")[1] == []
    assert read("quantity", "0." + "0" * 20 + "1") == (
        None,
        ["root.k: must have at most 20 decimal places"],
    )


@pytest.mark.parametrize(("value", "count"), [(1, 1), (1000, 1000), ("3", 3)])
def test_count_accepts(value, count):
    assert read("count", value) == (count, [])


@pytest.mark.parametrize("value", [0, -1, Decimal("2.0"), True, False, "0", "2.0", "", "1" * 40])
def test_count_refuses(value):
    assert read("count", value) == (None, ["root.k: must be a count (an integer ≥ 1)"])


def test_count_has_an_upper_bound():
    assert read("count", 10**9) == (10**9, [])
    assert read("count", 10**9 + 1) == (None, ["root.k: must be at most 1000000000"])


def test_integer():
    assert read("integer", 2019) == (2019, [])
    assert read("integer", "2019") == (None, ["root.k: must be an integer"])
    assert read("integer", True) == (None, ["root.k: must be an integer"])
    assert read("integer", Decimal("2019.0")) == (None, ["root.k: must be an integer"])
    assert read("integer", 0, minimum=1) == (None, ["root.k: must be at least 1"])
    assert read("integer", 10000, maximum=9999) == (None, ["root.k: must be at most 9999"])


def test_date():
    assert read("date", "2024-02-29") == (date(2024, 2, 29), [])
    assert read("date", "2021-02-30") == (None, ["root.k: 2021-02-30 is not a date that exists"])
    for value in ("20210101", "2021-1-01", "2021-01-01T00:00", 20210101):
        assert read("date", value) == (None, ['root.k: must be a date as "YYYY-MM-DD"'])


def test_month():
    assert read("month", "2019-09") == ("2019-09", [])
    for value in ("2019-9", "2019-13", "2019-00", "2019-09-01", 201909):
        assert read("month", value) == (None, ['root.k: must be a month as "YYYY-MM"'])


def test_boolean():
    assert read("boolean", False) == (False, [])
    assert read("boolean", "true") == (None, ["root.k: must be true or false"])
    assert read("boolean", 1) == (None, ["root.k: must be true or false"])


def test_array():
    assert read("array", []) == ([], [])
    assert read("array", [1], min_items=1) == ([1], [])
    assert read("array", [], min_items=1) == (None, ["root.k: must not be empty"])
    assert read("array", {}) == (None, ["root.k: must be an array"])


def test_obj_keys():
    reader = Reader()
    value = {"a": 1, "c": 2}

    result = reader.obj(value, "x", required=("a", "b"), optional=("d",))

    assert result is value  # returned despite its errors, so reading goes on
    assert sorted(str(e) for e in reader.errors) == ["x.b: required", "x.c: unknown key"]


def test_obj_at_the_root_and_open_objects():
    reader = Reader()

    reader.obj({"format": 1, "extra": 2}, "$", required=("format", "plan"), allow_other_keys=True)

    assert [str(e) for e in reader.errors] == ["plan: required"]


def test_obj_null_and_wrong_types():
    reader = Reader()

    assert reader.obj(None, "x", nullable=True) is None
    assert reader.obj(MISSING, "x") is None
    assert reader.obj(None, "y") is None
    assert reader.obj([], "z") is None
    assert [str(e) for e in reader.errors] == ["y: must not be null", "z: must be an object"]


def test_obj_reports_duplicate_keys_that_jsonio_remembered():
    reader = Reader()
    reader.obj(loads('{"a": 1, "a": 2}'), "x", required=("a",))

    assert [str(e) for e in reader.errors] == ["x.a: duplicate key"]


def test_the_same_error_is_kept_once():
    reader = Reader()
    reader.error("a", "required")
    reader.error("a", "required")
    reader.error("a", "unknown key")

    assert [str(e) for e in reader.errors] == ["a: required", "a: unknown key"]
