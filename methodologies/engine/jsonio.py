"""Strict JSON in and out for `offset-plan/1` documents.

`loads` reads numbers from their literal text (integers as int, others as Decimal, never through
a binary float), refuses NaN and Infinity, and remembers keys that an object holds twice, so that
`duplicate_key_errors` (and `Reader.obj`) can refuse them at their paths.
"""

import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from methodologies.engine.errors import DocumentErrors, FieldError
from methodologies.engine.reader import index_path, key_path


class JsonObject(dict):
    """A JSON object that remembers the keys it held more than once (the last value is kept)."""

    duplicate_keys: tuple[str, ...] = ()


class _NotANumber:
    """Stands in for NaN or Infinity in the parsed tree until loads reports where it was."""

    def __init__(self, name: str):
        self.name = name


def _object(pairs: list[tuple[str, Any]]) -> JsonObject:
    obj = JsonObject()
    duplicates = []
    for key, value in pairs:
        if key in obj and key not in duplicates:
            duplicates.append(key)
        obj[key] = value
    obj.duplicate_keys = tuple(duplicates)
    return obj


def _walk(tree: Any) -> Iterator[tuple[str, Any]]:
    """Every value in the tree with its path (a loop, not recursion: nesting may be deep)."""
    pending = [("$", tree)]
    while pending:
        path, value = pending.pop()
        yield path, value
        if isinstance(value, dict):
            pending.extend((key_path(path, key), item) for key, item in value.items())
        elif isinstance(value, list):
            pending.extend((index_path(path, i), item) for i, item in enumerate(value))


def loads(text: str) -> Any:
    """Parse strict JSON; raises DocumentErrors (at `$`, or at a NaN's path) when it is not."""
    try:
        tree = json.loads(
            text, parse_float=Decimal, parse_constant=_NotANumber, object_pairs_hook=_object
        )
    except json.JSONDecodeError as error:
        message = f"not valid JSON: {error.msg} at line {error.lineno} column {error.colno}"
        raise DocumentErrors([FieldError("$", message)]) from None
    except (ValueError, RecursionError) as error:
        # E.g. an integer of more digits than Python converts, or nesting too deep.
        raise DocumentErrors([FieldError("$", f"not valid JSON: {error}")]) from None
    errors = [
        FieldError(path, f"not valid JSON: {value.name} is not a number")
        for path, value in _walk(tree)
        if isinstance(value, _NotANumber)
    ]
    if errors:
        raise DocumentErrors(errors)
    return tree


def duplicate_key_errors(tree: Any) -> list[FieldError]:
    """A `duplicate key` error for every key held twice by any object anywhere in the tree."""
    return [
        FieldError(key_path(path, key), "duplicate key")
        for path, value in _walk(tree)
        for key in getattr(value, "duplicate_keys", ())
    ]


def dumps(obj: Any) -> str:
    """Pretty JSON for output (indent 2, non-ASCII kept as is); Decimals are written as text."""
    return json.dumps(obj, indent=2, ensure_ascii=False, default=_decimal_as_text)


def _decimal_as_text(value: Any) -> str:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")
