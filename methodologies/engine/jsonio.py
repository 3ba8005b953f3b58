"""Strict JSON in and out for `offset-plan/1` documents.

`loads` refuses a document over the size limits before parsing it, reads numbers from their
literal text (integers as int, others as Decimal, never through a binary float), refuses NaN and
Infinity, and remembers keys that an object holds twice, so that `duplicate_key_errors` (and
`Reader.obj`) can refuse them at their paths. `size_errors` checks the parsed tree against the
list and string limits of plan-format.md ("General rules").
"""

import json
import re
from collections.abc import Iterator
from decimal import Decimal
from itertools import accumulate
from typing import Any

from methodologies.engine.errors import DocumentErrors, FieldError
from methodologies.engine.reader import index_path, key_path

# Size limits of plan-format.md (and monitoring-format.md), so that no document can tie up a server.
MAX_DOCUMENT_BYTES = 5_000_000
MAX_DEPTH = 64  # levels of nested arrays and objects
MAX_GROUPS = 200  # equipment groups on one side
MAX_PERIODS = 120  # periods of one group
MAX_ITEMS = 1_000  # items of any other list
MAX_STRING = 20_000  # characters of a string

_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_BRACKET_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


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


def loads(text: str | bytes) -> Any:
    """Parse strict JSON (text, or bytes in UTF-8); raises DocumentErrors (at `$`, or at a NaN's
    path) when it is not. A document over MAX_DOCUMENT_BYTES or nested deeper than MAX_DEPTH is
    refused at `$` before it is parsed."""
    if isinstance(text, bytes | bytearray):
        if len(text) > MAX_DOCUMENT_BYTES:
            raise DocumentErrors([too_large_error(len(text))])
        try:
            text = bytes(text).decode(json.detect_encoding(text))
        except UnicodeDecodeError:
            raise DocumentErrors([FieldError("$", "not valid JSON: not UTF-8 text")]) from None
    elif len(text) > MAX_DOCUMENT_BYTES:  # every character takes at least one byte
        raise DocumentErrors([too_large_error(None)])
    else:
        size = len(text.encode("utf-8", "surrogatepass"))
        if size > MAX_DOCUMENT_BYTES:
            raise DocumentErrors([too_large_error(size)])
    if too_deep(text):
        message = f"nested deeper than {MAX_DEPTH} levels"
        params = {"depth": MAX_DEPTH}
        raise DocumentErrors([FieldError("$", message, "nested_too_deep", params)])
    try:
        tree = json.loads(
            text, parse_float=Decimal, parse_constant=_NotANumber, object_pairs_hook=_object
        )
    except json.JSONDecodeError as error:
        message = f"not valid JSON: {error.msg} at line {error.lineno} column {error.colno}"
        params = {"reason": error.msg, "line": error.lineno, "column": error.colno}
        raise DocumentErrors([FieldError("$", message, "invalid_json_at", params)]) from None
    except (ValueError, RecursionError) as error:
        # E.g. an integer of more digits than Python converts, or nesting too deep.
        message = f"not valid JSON: {error}"
        params = {"reason": str(error)}
        raise DocumentErrors([FieldError("$", message, "invalid_json", params)]) from None
    errors = [
        FieldError(
            path,
            f"not valid JSON: {value.name} is not a number",
            "not_a_number",
            {"name": value.name},
        )
        for path, value in _walk(tree)
        if isinstance(value, _NotANumber)
    ]
    if errors:
        raise DocumentErrors(errors)
    return tree


def too_large_error(size: int | None) -> FieldError:
    """The one error of a document over MAX_DOCUMENT_BYTES (`size` in bytes, None if unknown)."""
    found = f" ({size:,} bytes)" if size is not None else ""
    return FieldError(
        "$",
        f"larger than {MAX_DOCUMENT_BYTES:,} bytes{found}",
        "document_too_large",
        {"maximum": MAX_DOCUMENT_BYTES, "size": size},
    )


def too_deep(text: str) -> bool:
    """Whether arrays and objects nest deeper than MAX_DEPTH in JSON text, found without parsing
    it and without recursion.

    Exact for valid JSON: escaped backslashes and quotes are dropped, then whatever lies between
    quotes, and the brackets left are counted. (Invalid JSON may be miscounted past its first
    fault, where the parser stops anyway.) Every step runs in C: 5 MB take milliseconds.
    """
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return False
    plain = text.replace("\\\\", "").replace('\\"', "")
    brackets = _NOT_BRACKET.sub("", "".join(plain.split('"')[::2]))
    return max(accumulate(map(_BRACKET_STEP.__getitem__, brackets)), default=0) > MAX_DEPTH


def size_errors(tree: Any, section: str = "calculation") -> list[FieldError]:
    """Every list and string of a parsed document over the limits, each at its path.

    `{section}.baseline.groups` and `{section}.project.groups` hold at most MAX_GROUPS items, a
    group's `periods` MAX_PERIODS, any other list MAX_ITEMS; a string (key or value) at most
    MAX_STRING characters. `section` is "calculation" for plans, "monitoring" for monitoring
    reports. A loop, not recursion.
    """
    errors = []
    # (path, value, kind): kind tells where the format's own lists are.
    pending: list[tuple[str, Any, str]] = [("$", tree, "root")]
    while pending:
        path, value, kind = pending.pop()
        if isinstance(value, str):
            if len(value) > MAX_STRING:
                message = f"longer than {MAX_STRING:,} characters"
                errors.append(FieldError(path, message, "string_too_long", {"maximum": MAX_STRING}))
        elif isinstance(value, dict):
            for key, item in value.items():
                here = key_path(path, key)
                if len(key) > MAX_STRING:
                    message = f"key longer than {MAX_STRING:,} characters"
                    params = {"maximum": MAX_STRING}
                    errors.append(FieldError(here, message, "key_too_long", params))
                pending.append((here, item, _child_kind(kind, key, section)))
        elif isinstance(value, list):
            limit, what = {
                "groups": (MAX_GROUPS, "groups"),
                "periods": (MAX_PERIODS, "periods"),
            }.get(kind, (MAX_ITEMS, "items"))
            if len(value) > limit:
                message = f"more than {limit:,} {what} ({len(value):,})"
                params = {"maximum": limit, "what": what, "count": len(value)}
                errors.append(FieldError(path, message, "too_many_items", params))
            item_kind = "group" if kind == "groups" else ""
            pending.extend((index_path(path, i), item, item_kind) for i, item in enumerate(value))
    return errors


def _child_kind(kind: str, key: str, section: str) -> str:
    if kind == "root" and key == section:
        return "section"
    if kind == "section" and key in ("baseline", "project"):
        return "side"
    if kind == "side" and key == "groups":
        return "groups"
    if kind == "group" and key == "periods":
        return "periods"
    return ""


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
