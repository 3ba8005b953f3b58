"""Strict JSON: numbers from their text, duplicate keys remembered, NaN refused."""

from decimal import Decimal

import pytest

from methodologies.engine import DocumentErrors, dumps, duplicate_key_errors, loads


def refusal(text):
    with pytest.raises(DocumentErrors) as refused:
        loads(text)
    return [str(error) for error in refused.value.errors]


def test_numbers_are_read_from_their_literal_text():
    tree = loads('{"a": 0.1, "b": 2.0, "c": 3, "d": 1e3, "e": "0.028"}')

    assert tree["a"] == Decimal("0.1") and isinstance(tree["a"], Decimal)
    assert str(tree["b"]) == "2.0" and isinstance(tree["b"], Decimal)
    assert tree["c"] == 3 and type(tree["c"]) is int
    assert tree["d"] == Decimal(1000)
    assert tree["e"] == "0.028"


def test_invalid_json_is_one_error_at_the_root_with_its_place():
    assert refusal('{"a": 1,\n "b": }') == ["$: not valid JSON: Expecting value at line 2 column 7"]


@pytest.mark.parametrize("text", ["", "{'a': 1}", '{"a": 1} x', '{"a": 01}'])
def test_other_invalid_json(text):
    errors = refusal(text)

    assert len(errors) == 1
    assert errors[0].startswith("$: not valid JSON: ")


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('{"a": NaN}', "a: not valid JSON: NaN is not a number"),
        ('{"a": [1, Infinity]}', "a[1]: not valid JSON: Infinity is not a number"),
        ("-Infinity", "$: not valid JSON: -Infinity is not a number"),
    ],
)
def test_nan_and_infinity_are_refused(text, line):
    assert refusal(text) == [line]


def test_an_integer_too_long_to_convert_is_refused():
    assert refusal("1" * 5000)[0].startswith("$: not valid JSON:")


def test_deep_nesting_is_refused_not_crashed():
    assert refusal("[" * 100_000 + "]" * 100_000) == ["$: nested deeper than 64 levels"]


def test_duplicate_keys_are_remembered_and_the_last_value_kept():
    tree = loads('{"a": 1, "a": 2, "b": {"c": 1, "c": 1, "c": 1}}')

    assert tree == {"a": 2, "b": {"c": 1}}
    assert tree.duplicate_keys == ("a",)
    assert tree["b"].duplicate_keys == ("c",)


def test_duplicate_key_errors_walk_the_whole_tree():
    tree = loads(
        '{"plan": {"title": "x", "title": "y"},'
        ' "attachments": [{}, {"name": 1, "name": 2}],'
        ' "calculation": {"baseline": {"groups": [{"count": 1, "count": 1}]}}}'
    )
    lines = sorted(str(error) for error in duplicate_key_errors(tree))

    assert lines == [
        "attachments[1].name: duplicate key",
        "calculation.baseline.groups[0].count: duplicate key",
        "plan.title: duplicate key",
    ]


def test_no_duplicates_no_errors():
    assert duplicate_key_errors(loads('{"a": [{"b": 1}], "c": {"d": null}}')) == []
    assert duplicate_key_errors({"plain": "dict"}) == []


def test_dumps_is_indented_and_keeps_chinese_text():
    text = dumps({"title": "高效率燈具", "value": Decimal("0.028"), "list": [1]})

    assert text == '{\n  "title": "高效率燈具",\n  "value": "0.028",\n  "list": [\n    1\n  ]\n}'


def test_dumps_refuses_what_json_cannot_hold():
    with pytest.raises(TypeError):
        dumps({"when": object()})
