"""Malformed documents are refused as a whole, each error at its JSON path."""

from decimal import Decimal

import pytest

from methodologies.engine import (
    DocumentErrors,
    Reader,
    loads,
    parse_calculation_document,
    read_calculation,
)
from tests.methodologies.helpers import (
    REFERENCE,
    document,
    error_paths,
    errors_of,
    fixture_text,
    parse,
    power_group,
)

GROUP = "calculation.baseline.groups[0]"
QUANTITY = 'must be a decimal number as a string, e.g. "0.028"'
COUNT = "must be a count (an integer ≥ 1)"


def with_group(group):
    return document(baseline={"groups": [group]})


def with_periods(*periods):
    return with_group({"name": "metered", "count": 1, "periods": list(periods)})


@pytest.mark.parametrize("count", [-1, 0, Decimal("2.0"), True, "2.0", "-3", "", None, "１"])
def test_a_bad_count_is_refused(count):
    assert errors_of(with_group(power_group(count=count))) == [
        f"{GROUP}.count: must not be null" if count is None else f"{GROUP}.count: {COUNT}"
    ]


@pytest.mark.parametrize(("count", "value"), [("3", 3), (3, 3), ("007", 7)])
def test_a_count_as_digits_is_accepted(count, value):
    assert parse(with_group(power_group(count=count))).baseline.groups[0].count == value


def test_a_count_of_2_point_0_from_json_text_is_refused():
    text = fixture_text("lighting-subproject.json").replace('"count": 1000', '"count": 2.0', 1)

    assert errors_of(loads(text)) == [f"{GROUP}.count: {COUNT}"]


def test_a_line_loss_of_one_is_refused():
    assert errors_of(document(line_loss="1")) == ["calculation.line_loss: must be less than 1"]


def test_an_unknown_key_in_calculation_is_refused():
    assert errors_of(document(notes="x")) == ["calculation.notes: unknown key"]


def test_unknown_keys_deeper_in_calculation_are_refused():
    doc = with_group({**power_group(), "hours": "5"})
    doc["calculation"]["emission_factor"]["source"] = "x"

    assert error_paths(doc) == {f"{GROUP}.hours", "calculation.emission_factor.source"}


def test_other_keys_of_plan_and_the_top_level_are_left_to_the_product():
    doc = document()
    doc["plan"]["title"] = "x"
    doc["plan"]["anything"] = {"at": "all"}
    doc["applicability"] = []
    doc["whatever"] = 1

    assert parse(doc).plan_type == "individual"


def test_two_group_shapes_at_once_are_one_error_at_the_group():
    group = {**power_group(), "capacity_rt": "100", "kw_per_rt": "0.8"}
    errors = errors_of(with_group(group))

    assert len(errors) == 1
    assert errors[0].startswith(f"{GROUP}: mixes shapes")


def test_a_group_with_no_shape_is_one_error_at_the_group():
    errors = errors_of(with_group({"name": "x", "count": 1, "annual_hours": "10"}))

    assert len(errors) == 1
    assert errors[0].startswith(f"{GROUP}: has no shape")


def test_a_chiller_group_without_kw_per_rt():
    group = {"name": "x", "count": 1, "capacity_rt": "100", "annual_hours": "10"}

    assert errors_of(with_group(group)) == [f"{GROUP}.kw_per_rt: required"]


def test_a_period_with_energy_and_power_is_one_error_at_the_period():
    errors = errors_of(
        with_periods({"period": "2020-01", "energy_kwh": "5", "power_kw": "1", "hours": "5"})
    )
    assert len(errors) == 1
    assert errors[0].startswith(f"{GROUP}.periods[0]: gives")


def test_a_period_with_neither_energy_nor_power():
    errors = errors_of(with_periods({"period": "2020-01"}))

    assert len(errors) == 1
    assert errors[0].startswith(f"{GROUP}.periods[0]: needs")


def test_a_period_with_power_but_no_hours():
    assert errors_of(with_periods({"period": "2020-01", "power_kw": "1"})) == [
        f"{GROUP}.periods[0].hours: required"
    ]


def test_a_crediting_period_ending_before_it_starts():
    doc = document()
    doc["plan"]["crediting_period"] = {"start": "2021-01-02", "end": "2021-01-01"}

    assert errors_of(doc) == ["plan.crediting_period.end: must not be before the start"]


def test_a_one_day_crediting_period_is_accepted():
    doc = document()
    doc["plan"]["crediting_period"] = {"start": "2021-01-01", "end": "2021-01-01"}

    assert parse(doc).crediting_end == parse(doc).crediting_start


@pytest.mark.parametrize(
    "value", ["12a", "1e3", "1E3", " 1", "1,000", "1.", ".5", "+1", "0x10", "١", "NaN", [], {}]
)
def test_a_quantity_that_is_not_a_decimal_number(value):
    assert errors_of(document(line_loss=value)) == [f"calculation.line_loss: {QUANTITY}"]


def test_a_negative_quantity_is_refused():
    assert errors_of(document(leakage_tco2e="-1")) == [
        "calculation.leakage_tco2e: must not be negative"
    ]


def test_json_numbers_with_huge_exponents_are_refused_without_computing_them():
    doc = loads('{"a": 1e999999999, "b": 1e-999999999}')
    doc = document(leakage_tco2e=doc["a"], line_loss=doc["b"])

    assert error_paths(doc) == {"calculation.leakage_tco2e", "calculation.line_loss"}


def test_a_json_number_in_exponent_form_is_read_from_its_text():
    doc = document(leakage_tco2e=loads("1.5e1"))

    assert parse(doc).leakage_tco2e == 15


def test_a_duplicate_key_is_refused_at_its_path():
    text = fixture_text("lighting-subproject.json").replace(
        '"line_loss": "0.0394",', '"line_loss": "0.0394", "line_loss": "0.1",'
    )
    assert errors_of(loads(text)) == ["calculation.line_loss: duplicate key"]


def test_a_duplicate_key_outside_the_calculation_is_refused_too():
    text = fixture_text("lighting-subproject.json").replace(
        '"title": "', '"title": "x", "title": "', 1
    )
    text = text.replace(
        '"format": "offset-plan/1",', '"format": "offset-plan/1", "x": {"a": 1, "a": 2},'
    )

    assert sorted(errors_of(loads(text))) == ["plan.title: duplicate key", "x.a: duplicate key"]


def test_read_calculation_reports_a_duplicate_it_reads_even_if_already_reported():
    doc = loads(
        fixture_text("lighting-subproject.json").replace(
            '"line_loss"', '"line_loss": "0", "line_loss"'
        )
    )
    reader = Reader()
    reader.error("calculation.line_loss", "duplicate key")

    assert read_calculation(doc, REFERENCE, reader) is None
    assert [str(e) for e in reader.errors] == ["calculation.line_loss: duplicate key"]


@pytest.mark.parametrize(
    ("change", "line"),
    [
        (
            lambda d: d["calculation"].update(line_loss=None),
            "calculation.line_loss: must not be null",
        ),
        (lambda d: d["plan"].update(type=None), "plan.type: must not be null"),
        (
            lambda d: d["calculation"].update(baseline=None),
            "calculation.baseline: must not be null",
        ),
        (
            lambda d: d["calculation"].update(leakage_tco2e=None),
            "calculation.leakage_tco2e: must not be null",
        ),
        (
            lambda d: d["calculation"].update(gwp_edition=None),
            "calculation.gwp_edition: must not be null",
        ),
        (
            lambda d: d["calculation"]["baseline"]["groups"].append(None),
            "calculation.baseline.groups[1]: must not be null",
        ),
        (lambda d: d.update(plan=None), "plan: must not be null"),
    ],
)
def test_null_where_not_allowed(change, line):
    doc = document()
    change(doc)

    assert errors_of(doc) == [line]


def test_null_where_allowed():
    doc = document(service_level=None, baseline={"groups": [power_group()], "refrigerant": None})

    assert parse(doc).service_level is None
    assert parse(doc).baseline.refrigerant is None


@pytest.mark.parametrize(
    ("remove", "line"),
    [
        (("plan", "type"), "plan.type: required"),
        (("plan", "crediting_period"), "plan.crediting_period: required"),
        (("calculation", "line_loss"), "calculation.line_loss: required"),
        (("calculation", "project"), "calculation.project: required"),
        ((None, "calculation"), "calculation: required"),
        ((None, "format"), "format: required"),
    ],
)
def test_a_missing_required_key(remove, line):
    doc = document()
    parent, key = remove
    del (doc[parent] if parent else doc)[key]

    assert errors_of(doc) == [line]


def test_the_format_must_be_offset_plan_1():
    doc = document()
    doc["format"] = "offset-plan/2"

    assert errors_of(doc) == ['format: must be "offset-plan/1"']


@pytest.mark.parametrize("doc", [[], "x", None, 3])
def test_the_root_must_be_an_object(doc):
    assert error_paths(doc) == {"$"}


def test_an_emission_factor_year_missing_from_the_table():
    assert errors_of(document(emission_factor={"year": 2015})) == [
        "calculation.emission_factor.year: no emission factor for 2015 in the reference table"
    ]


def test_an_emission_factor_with_neither_value_nor_year():
    assert errors_of(document(emission_factor={})) == [
        'calculation.emission_factor: needs "value" or "year"'
    ]


@pytest.mark.parametrize(
    ("factor", "path"),
    [
        ({"value": "0"}, "calculation.emission_factor.value"),
        ({"year": "2019"}, "calculation.emission_factor.year"),
        ({"year": Decimal("2019.0")}, "calculation.emission_factor.year"),
        ({"value": "0.5", "year": True}, "calculation.emission_factor.year"),
    ],
)
def test_a_bad_emission_factor(factor, path):
    assert error_paths(document(emission_factor=factor)) == {path}


def test_an_unknown_refrigerant_code_without_gwp():
    doc = document(
        baseline={
            "groups": [power_group()],
            "refrigerant": {"code": "R717", "annual_quantity_t": "1"},
        }
    )
    assert errors_of(doc) == [
        'calculation.baseline.refrigerant.code: R717 is not in the reference table; give "gwp"'
    ]


def test_an_unknown_project_refrigerant_needs_gwp_and_odp():
    doc = document(
        project={
            "groups": [power_group()],
            "refrigerant": {"code": "R-717 (ammonia)", "annual_quantity_t": "1", "gwp": "0"},
        }
    )
    assert errors_of(doc) == [
        "calculation.project.refrigerant.code: R-717 (ammonia) is not in the reference table;"
        ' give "odp"'
    ]


def test_a_refrigerant_without_a_quantity():
    doc = document(project={"groups": [power_group()], "refrigerant": {"code": "R-134a"}})

    assert errors_of(doc) == ["calculation.project.refrigerant.annual_quantity_t: required"]


def test_a_gwp_edition_that_does_not_exist():
    assert errors_of(document(gwp_edition="AR3")) == [
        'calculation.gwp_edition: must be one of "AR4", "AR5", "AR6"'
    ]


@pytest.mark.parametrize(
    "value", ["2021-02-30", "2021-13-01", "2021-1-1", "20210101", "2021-02-29"]
)
def test_dates_that_do_not_exist_or_are_not_iso(value):
    doc = document()
    doc["plan"]["crediting_period"]["start"] = value

    assert error_paths(doc) == {"plan.crediting_period.start"}


def test_hours_of_a_period_at_most_744():
    assert parse(with_periods({"period": "2020-01", "power_kw": "1", "hours": "744"}))
    assert errors_of(with_periods({"period": "2020-01", "power_kw": "1", "hours": "745"})) == [
        f"{GROUP}.periods[0].hours: must be at most 744"
    ]


def test_annual_hours_at_most_8784():
    assert parse(with_group(power_group(annual_hours="8784")))
    assert errors_of(with_group(power_group(annual_hours="8785"))) == [
        f"{GROUP}.annual_hours: must be at most 8784"
    ]
    chiller = {
        "name": "c",
        "count": 1,
        "capacity_rt": "1",
        "kw_per_rt": "1",
        "annual_hours": "9000",
    }
    assert error_paths(with_group(chiller)) == {f"{GROUP}.annual_hours"}


def test_a_duplicated_period():
    doc = with_periods(
        {"period": "2020-01", "energy_kwh": "1"},
        {"period": "2020-02", "energy_kwh": "1"},
        {"period": "2020-01", "energy_kwh": "2"},
    )
    assert errors_of(doc) == [f"{GROUP}.periods[2].period: 2020-01 appears twice in this group"]


@pytest.mark.parametrize("period", ["2020-13", "2020-1", "2020-01-01", 202001, "0000-01"])
def test_a_bad_period_month(period):
    assert error_paths(with_periods({"period": period, "energy_kwh": "1"})) == {
        f"{GROUP}.periods[0].period"
    }


def test_empty_periods_and_groups():
    assert errors_of(with_periods()) == [f"{GROUP}.periods: must not be empty"]
    assert errors_of(document(project={"groups": []})) == [
        "calculation.project.groups: must not be empty"
    ]


@pytest.mark.parametrize(
    ("level", "path"),
    [
        ({"metric": "lux", "mode": "range", "pairs": []}, "calculation.service_level.pairs"),
        (
            {
                "metric": "lux",
                "mode": "median",
                "pairs": [{"location": "a", "baseline": "1", "project": "1"}],
            },
            "calculation.service_level.mode",
        ),
        (
            {
                "metric": "lux",
                "mode": "range",
                "pairs": [{"location": "a", "baseline": "0", "project": "1"}],
            },
            "calculation.service_level.pairs[0].baseline",
        ),
        (
            {
                "metric": "lux",
                "mode": "range",
                "pairs": [{"location": "a", "baseline": "1", "project": "0"}],
            },
            "calculation.service_level.pairs[0].project",
        ),
        (
            {"mode": "range", "pairs": [{"location": "a", "baseline": "1", "project": "1"}]},
            "calculation.service_level.metric",
        ),
        (
            {"metric": "lux", "mode": "range", "pairs": [{"baseline": "1", "project": "1"}]},
            "calculation.service_level.pairs[0].location",
        ),
    ],
)
def test_a_bad_service_level(level, path):
    assert error_paths(document(service_level=level)) == {path}


def test_several_errors_are_all_reported_at_once():
    doc = document(
        line_loss="1",
        emission_factor={"year": 1999},
        baseline={"groups": [power_group(count=0), {"name": "x", "count": 1}]},
        project={"groups": [power_group(annual_hours="9000")], "refrigerant": {"code": "?"}},
        extra=True,
    )
    del doc["plan"]["type"]
    doc["plan"]["crediting_period"]["end"] = "2021-02-30"

    assert error_paths(doc) == {
        "plan.type",
        "plan.crediting_period.end",
        "calculation.extra",
        "calculation.line_loss",
        "calculation.emission_factor.year",
        "calculation.baseline.groups[0].count",
        "calculation.baseline.groups[1]",
        "calculation.project.groups[0].annual_hours",
        "calculation.project.refrigerant.annual_quantity_t",
        "calculation.project.refrigerant.code",
    }


def test_document_errors_lists_one_error_a_line():
    with pytest.raises(DocumentErrors) as refused:
        parse_calculation_document(document(line_loss="1", leakage_tco2e="x"), REFERENCE)

    assert str(refused.value).splitlines() == [
        "calculation.line_loss: must be less than 1",
        f"calculation.leakage_tco2e: {QUANTITY}",
    ]


def test_read_calculation_adds_to_a_shared_reader_and_returns_none():
    reader = Reader()
    reader.error("plan.title", "must be a string")

    assert read_calculation(document(line_loss="2"), REFERENCE, reader) is None
    assert [str(e) for e in reader.errors] == [
        "plan.title: must be a string",
        "calculation.line_loss: must be less than 1",
    ]


def test_read_calculation_returns_the_input_when_its_parts_are_valid():
    reader = Reader()
    reader.error("plan.title", "must be a string")  # someone else's error

    inp = read_calculation(document(), REFERENCE, reader)

    assert inp is not None
    assert inp.line_loss == 0


def test_a_duplicated_period_is_reported_even_when_the_first_has_other_errors():
    doc = with_periods(
        {"period": "2020-01", "power_kw": "1", "hours": "800"},
        {"period": "2020-01", "energy_kwh": "2"},
    )
    assert errors_of(doc) == [
        f"{GROUP}.periods[0].hours: must be at most 744",
        f"{GROUP}.periods[1].period: 2020-01 appears twice in this group",
    ]
