"""Size limits of plan-format.md ("General rules"): each refused at its path, before the work."""

import json
import time

import pytest

from methodologies.engine import DocumentErrors, jsonio, loads, size_errors
from tests.methodologies.helpers import document, errors_of, parse, power_group


def refusal(text):
    with pytest.raises(DocumentErrors) as refused:
        loads(text)
    return [str(error) for error in refused.value.errors]


def padded(size: int) -> str:
    """A valid document of exactly `size` bytes (spaces after the JSON)."""
    text = json.dumps(document())
    return text + " " * (size - len(text.encode()))


def period(month: int) -> dict:
    year, number = divmod(month, 12)
    return {"period": f"{2000 + year}-{number + 1:02d}", "power_kw": "1", "hours": "10"}


def periods_group(months: int) -> dict:
    return {"name": "chiller", "count": 1, "periods": [period(i) for i in range(months)]}


def test_a_document_of_5_000_000_bytes_is_read():
    assert loads(padded(5_000_000))["format"] == "offset-plan/1"
    assert loads(padded(5_000_000).encode())["format"] == "offset-plan/1"


@pytest.mark.parametrize("as_bytes", [False, True])
def test_loads_refuses_a_document_over_5_000_000_bytes_at_the_root_before_parsing(
    as_bytes, monkeypatch
):
    text = padded(5_000_001)
    monkeypatch.setattr(jsonio.json, "loads", lambda *a, **k: pytest.fail("parsed"))

    # Text longer than the limit in characters is refused without encoding it.
    found = " (5,000,001 bytes)" if as_bytes else ""

    assert refusal(text.encode() if as_bytes else text) == [
        f"$: larger than 5,000,000 bytes{found}"
    ]


def test_loads_counts_bytes_not_characters():
    text = json.dumps({"a": "電" * 1_700_000}, ensure_ascii=False)  # 3 bytes a character

    assert refusal(text) == [f"$: larger than 5,000,000 bytes ({len(text.encode()):,} bytes)"]


def test_loads_refuses_bytes_that_are_not_utf8_at_the_root():
    assert refusal(b'{"a": "\xff"}') == ["$: not valid JSON: not UTF-8 text"]


def test_nesting_of_64_levels_is_read_and_65_refused_at_the_root():
    assert isinstance(loads("[" * 64 + "]" * 64), list)
    assert refusal("[" * 65 + "]" * 65) == ["$: nested deeper than 64 levels"]
    assert refusal('{"a":' * 65 + "1" + "}" * 65) == ["$: nested deeper than 64 levels"]


def test_brackets_and_escaped_quotes_inside_strings_do_not_count_as_nesting():
    text = json.dumps({"a": "[{" * 1000 + '\\"[', "b": "\\", "c": json.loads("[" * 63 + "]" * 63)})

    assert loads(text)["a"].startswith("[{[{")


def test_a_megabyte_of_brackets_is_refused_at_once_without_recursion(monkeypatch):
    monkeypatch.setattr(jsonio.json, "loads", lambda *a, **k: pytest.fail("parsed"))
    began = time.perf_counter()

    assert refusal("[" * 2_000_000 + "]" * 2_000_000) == ["$: nested deeper than 64 levels"]
    assert time.perf_counter() - began < 1


@pytest.mark.parametrize("side", ["baseline", "project"])
def test_a_side_of_200_groups_is_read_and_201_refused_at_its_groups(side):
    doc = document(**{side: {"groups": [power_group()] * 200, "refrigerant": None}})
    assert len(getattr(parse(doc), side).groups) == 200

    doc["calculation"][side]["groups"].append(power_group())

    assert errors_of(doc) == [f"calculation.{side}.groups: more than 200 groups (201)"]


def test_a_group_of_120_periods_is_read_and_121_refused_at_its_periods():
    doc = document(project={"groups": [power_group(), periods_group(120)]})
    assert len(parse(doc).project.groups[1].periods) == 120

    doc["calculation"]["project"]["groups"][1]["periods"].append(period(200))

    assert errors_of(doc) == ["calculation.project.groups[1].periods: more than 120 periods (121)"]


def test_any_other_list_over_1000_items_is_refused_at_the_list():
    pair = {"location": "1F", "baseline": "100", "project": "100"}
    level = {"metric": "lux", "mode": "per_point", "pairs": [pair] * 1000}
    assert len(parse(document(service_level=level)).service_level.pairs) == 1000

    level["pairs"].append(pair)
    doc = document(service_level=level)
    doc["plan"]["participants"] = [{}] * 1001  # a list the engine does not read

    assert sorted(errors_of(doc)) == [
        "calculation.service_level.pairs: more than 1,000 items (1,001)",
        "plan.participants: more than 1,000 items (1,001)",
    ]


def test_a_list_of_periods_outside_a_group_has_the_general_limit():
    # Only a group's own `periods` has the limit of 120; elsewhere a list may hold 1,000.
    assert (
        size_errors({"plan": {"periods": [1] * 1000}, "calculation": {"groups": [1] * 1000}}) == []
    )


def test_a_string_of_20000_characters_is_read_and_one_more_refused_at_that_string():
    doc = document(baseline={"groups": [power_group(name="燈" * 20_000)]})
    assert parse(doc).baseline.groups[0].name == "燈" * 20_000

    doc["calculation"]["baseline"]["groups"][0]["name"] += "燈"
    doc["plan"]["title"] = "x" * 20_001
    doc["plan"]["k" * 20_001] = "v"

    assert sorted(errors_of(doc)) == [
        "calculation.baseline.groups[0].name: longer than 20,000 characters",
        "plan." + "k" * 20_001 + ": key longer than 20,000 characters",
        "plan.title: longer than 20,000 characters",
    ]


def test_a_document_over_a_size_limit_is_refused_with_the_size_errors_alone():
    # The rest is not read: the limits exist so that no document can tie up the reader.
    doc = document(baseline={"groups": [{"bad": 1}] * 10_000})

    assert errors_of(doc) == ["calculation.baseline.groups: more than 200 groups (10,000)"]


def test_monitoring_reports_have_the_same_limits_under_monitoring():
    doc = {
        "monitoring": {
            "baseline": {"groups": [{}] * 201},
            "project": {"groups": [periods_group(121)]},
        }
    }

    assert sorted(str(error) for error in size_errors(doc, "monitoring")) == [
        "monitoring.baseline.groups: more than 200 groups (201)",
        "monitoring.project.groups[0].periods: more than 120 periods (121)",
    ]
