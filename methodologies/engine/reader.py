"""A field reader for JSON documents that collects every error instead of stopping at the first.

Each method reads one key of an object, checks it against a rule of the interchange format
(plan-format.md, "General rules"), and returns the value, or None after recording an error at
the key's JSON path. Missing optional keys return None without an error; so does any read from
a parent object that was itself refused (passed as None), so callers need not check each step.

    reader = Reader()
    plan = reader.obj(doc.get("plan", MISSING), "plan", required=("type",), allow_other_keys=True)
    plan_type = reader.string(plan, "type", "plan", required=True, choices=("individual",))
    if reader.errors: ...
"""

import re
from collections.abc import Collection, Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from methodologies.engine.errors import FieldError


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


# Stands for an absent key, as distinct from a key whose value is null (None).
MISSING: Any = _Missing()

QUANTITY_TEXT = re.compile(r"-?[0-9]+(\.[0-9]+)?")
DIGITS = re.compile(r"[0-9]+")
SIGNED_DIGITS = re.compile(r"-?[0-9]+")
DATE_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
MONTH_TEXT = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")

# Bounds far beyond any real plan that keep exact arithmetic and output text small: a JSON
# number such as 1e-999999999 would otherwise become a fraction with a billion-digit denominator.
MAX_QUANTITY = Decimal(10) ** 15
MAX_DECIMAL_PLACES = 20
MAX_COUNT = 10**9

QUANTITY_EXPECTED = 'must be a decimal number as a string, e.g. "0.028"'
COUNT_EXPECTED = "must be a count (an integer ≥ 1)"


def key_path(path: str, key: str) -> str:
    """The path of `key` inside the object at `path`: "$" + "plan" -> "plan"."""
    return key if path == "$" else f"{path}.{key}"


def index_path(path: str, i: int) -> str:
    """The path of item `i` of the array at `path`: "groups" + 0 -> "groups[0]"."""
    return f"{path}[{i}]"


def _quote_all(choices: Iterable[str]) -> str:
    return ", ".join(f'"{choice}"' for choice in choices)


class Reader:
    """Reads fields of parsed JSON (see `methodologies.engine.jsonio.loads`), collecting errors."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def error(self, path: str, message: str, code: str = "", /, **params) -> None:
        """Record an error (its English message, and its code and params, see ERROR_CODES);
        the same error reported twice (e.g. a duplicate key) is kept once."""
        self.add(FieldError(path, message, code, params))

    def add(self, error: FieldError) -> None:
        """Record an error found elsewhere, unless it is already recorded."""
        if error not in self.errors:
            self.errors.append(error)

    def obj(
        self,
        value: Any,
        path: str,
        *,
        required: Collection[str] = (),
        optional: Collection[str] = (),
        nullable: bool = False,
        allow_other_keys: bool = False,
    ) -> dict | None:
        """Check that `value` (the value at `path`) is a JSON object with the keys allowed.

        Returns the object, even when some of its keys are wrong (so that reading goes on and
        finds every error), or None when it is absent, null or not an object. Keys outside
        `required` and `optional` are errors unless `allow_other_keys` (for parts whose other
        keys someone else validates).
        """
        if value is MISSING:
            return None  # the parent reports it if it was required
        if value is None:
            if not nullable:
                self.error(path, "must not be null")
            return None
        if not isinstance(value, dict):
            self.error(path, "must be an object")
            return None
        for key in getattr(value, "duplicate_keys", ()):
            self.error(key_path(path, key), "duplicate key")
        if not allow_other_keys:
            for key in value:
                if key not in required and key not in optional:
                    self.error(key_path(path, key), "unknown key")
        for key in required:
            if key not in value:
                self.error(key_path(path, key), "required")
        return value

    def _get(
        self, obj: dict | None, key: str, path: str, *, required: bool, nullable: bool = False
    ) -> Any:
        """The value of `key`, or MISSING when absent, null or `obj` is None (errors recorded)."""
        if obj is None:
            return MISSING
        value = obj.get(key, MISSING)
        if value is MISSING:
            if required:
                self.error(key_path(path, key), "required")
            return MISSING
        if value is None:
            if not nullable:
                self.error(key_path(path, key), "must not be null")
            return MISSING
        return value

    def string(
        self,
        obj: dict | None,
        key: str,
        path: str,
        *,
        required: bool = False,
        choices: Collection[str] | None = None,
        nullable: bool = False,
    ) -> str | None:
        value = self._get(obj, key, path, required=required, nullable=nullable)
        if value is MISSING:
            return None
        if not isinstance(value, str):
            self.error(key_path(path, key), "must be a string")
            return None
        if choices is not None and value not in choices:
            self.error(
                key_path(path, key),
                f"must be one of {_quote_all(choices)}",
                "not_in_choices",
                choices=tuple(choices),
            )
            return None
        return value

    def quantity(
        self,
        obj: dict | None,
        key: str,
        path: str,
        *,
        required: bool = False,
        positive: bool = False,
        below_one: bool = False,
        maximum: Decimal | int | None = None,
    ) -> Decimal | None:
        """A decimal number ≥ 0: a string like "0.028", or a JSON number read from its text.

        `positive` asks for > 0, `below_one` for < 1, `maximum` for ≤ maximum.
        """
        value = self._get(obj, key, path, required=required)
        if value is MISSING:
            return None
        here = key_path(path, key)
        if isinstance(value, str) and QUANTITY_TEXT.fullmatch(value):
            number = Decimal(value)
        elif isinstance(value, int) and not isinstance(value, bool):
            number = Decimal(value)
        elif isinstance(value, Decimal) and value.is_finite():
            # A JSON number: jsonio.loads read it from its literal text, never through a float.
            number = value
        else:
            self.error(here, QUANTITY_EXPECTED)
            return None
        # Checked on the exponent, without arithmetic, so that huge exponents cost nothing.
        if number.as_tuple().exponent < -MAX_DECIMAL_PLACES:
            self.error(
                here,
                f"must have at most {MAX_DECIMAL_PLACES} decimal places",
                "too_many_decimals",
                places=MAX_DECIMAL_PLACES,
            )
            return None
        if number != 0 and number.copy_abs().adjusted() >= 15:
            self.error(
                here, f"must be less than {MAX_QUANTITY:f}", "too_large", maximum=MAX_QUANTITY
            )
            return None
        if number < 0:
            self.error(here, "must not be negative")
        elif positive and number == 0:
            self.error(here, "must be greater than 0")
        elif below_one and number >= 1:
            self.error(here, "must be less than 1")
        elif maximum is not None and number > maximum:
            self.error(here, f"must be at most {maximum}", "above_maximum", maximum=maximum)
        else:
            return number
        return None

    def count(self, obj: dict | None, key: str, path: str, *, required: bool = False) -> int | None:
        """A count: an integer ≥ 1, or a string of digits; not 2.0, true or 0."""
        value = self._get(obj, key, path, required=required)
        if value is MISSING:
            return None
        here = key_path(path, key)
        if isinstance(value, str) and DIGITS.fullmatch(value) and len(value) <= 30:
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            self.error(here, COUNT_EXPECTED)
            return None
        if value > MAX_COUNT:
            self.error(here, f"must be at most {MAX_COUNT}", "above_maximum", maximum=MAX_COUNT)
            return None
        return value

    def integer(
        self,
        obj: dict | None,
        key: str,
        path: str,
        *,
        required: bool = False,
        minimum: int | None = None,
        maximum: int | None = None,
    ) -> int | None:
        """A JSON integer (not a string, not 2.0, not true), e.g. a year."""
        value = self._get(obj, key, path, required=required)
        if value is MISSING:
            return None
        here = key_path(path, key)
        if not isinstance(value, int) or isinstance(value, bool):
            self.error(here, "must be an integer")
        elif minimum is not None and value < minimum:
            self.error(here, f"must be at least {minimum}", "below_minimum", minimum=minimum)
        elif maximum is not None and value > maximum:
            self.error(here, f"must be at most {maximum}", "above_maximum", maximum=maximum)
        else:
            return value
        return None

    def signed_integer(
        self, obj: dict | None, key: str, path: str, *, required: bool = False
    ) -> int | None:
        """A whole number that may be 0 or negative: a JSON integer, or a string of digits with
        an optional leading "-" (not 2.0, not true); its size below MAX_QUANTITY."""
        value = self._get(obj, key, path, required=required)
        if value is MISSING:
            return None
        here = key_path(path, key)
        if isinstance(value, str) and SIGNED_DIGITS.fullmatch(value) and len(value) <= 30:
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool):
            self.error(here, "must be an integer")
            return None
        if abs(value) >= MAX_QUANTITY:
            self.error(
                here, f"must be less than {MAX_QUANTITY:f}", "too_large", maximum=MAX_QUANTITY
            )
            return None
        return value

    def date(self, obj: dict | None, key: str, path: str, *, required: bool = False) -> date | None:
        """A calendar date "YYYY-MM-DD" that exists (2021-02-30 is refused)."""
        value = self._get(obj, key, path, required=required)
        if value is MISSING:
            return None
        here = key_path(path, key)
        if not isinstance(value, str) or not DATE_TEXT.fullmatch(value):
            self.error(here, 'must be a date as "YYYY-MM-DD"')
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.error(here, f"{value} is not a date that exists", "date_not_exists", value=value)
            return None

    def month(self, obj: dict | None, key: str, path: str, *, required: bool = False) -> str | None:
        """A month "YYYY-MM"."""
        value = self._get(obj, key, path, required=required)
        if value is MISSING:
            return None
        if not isinstance(value, str) or not MONTH_TEXT.fullmatch(value) or value[:4] == "0000":
            self.error(key_path(path, key), 'must be a month as "YYYY-MM"')
            return None
        return value

    def boolean(
        self, obj: dict | None, key: str, path: str, *, required: bool = False
    ) -> bool | None:
        value = self._get(obj, key, path, required=required)
        if value is MISSING:
            return None
        if not isinstance(value, bool):
            self.error(key_path(path, key), "must be true or false")
            return None
        return value

    def array(
        self, obj: dict | None, key: str, path: str, *, required: bool = False, min_items: int = 0
    ) -> list | None:
        value = self._get(obj, key, path, required=required)
        if value is MISSING:
            return None
        here = key_path(path, key)
        if not isinstance(value, list):
            self.error(here, "must be an array")
            return None
        if len(value) < min_items:
            if min_items == 1:
                self.error(here, "must not be empty")
            else:
                self.error(here, f"needs {min_items} items", "too_few_items", count=min_items)
            return None
        return value
