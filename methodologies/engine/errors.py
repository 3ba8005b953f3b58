"""Errors found in an `offset-plan/1` or `offset-monitoring/1` document, each at its JSON path.

Each error has an English `message` (what the CLI and the API print, `path: message`) and a
`code` with `params` (plain values), from which a product words it in its user's language.
"""

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

# Every code the engine gives an error, with the English it stands for (params in braces).
ERROR_CODES = MappingProxyType(
    {
        # Reader: the general rules of the format
        "required": "required",
        "not_null": "must not be null",
        "not_object": "must be an object",
        "duplicate_key": "duplicate key",
        "unknown_key": "unknown key",
        "not_string": "must be a string",
        "not_in_choices": "must be one of {choices}",
        "not_quantity": 'must be a decimal number as a string, e.g. "0.028"',
        "too_many_decimals": "must have at most {places} decimal places",
        "too_large": "must be less than {maximum}",
        "negative": "must not be negative",
        "not_positive": "must be greater than 0",
        "not_below_one": "must be less than 1",
        "above_maximum": "must be at most {maximum}",
        "below_minimum": "must be at least {minimum}",
        "not_count": "must be a count (an integer ≥ 1)",
        "not_integer": "must be an integer",
        "not_date": 'must be a date as "YYYY-MM-DD"',
        "date_not_exists": "{value} is not a date that exists",
        "not_month": 'must be a month as "YYYY-MM"',
        "not_boolean": "must be true or false",
        "not_array": "must be an array",
        "empty": "must not be empty",
        "too_few_items": "needs {count} items",
        # Document: the calculation part
        "wrong_format": 'must be "{format}"',
        "end_before_start": "must not be before the start",
        "factor_needs_value_or_year": 'needs "value" or "year"',
        "no_factor_for_year": "no emission factor for {year} in the reference table",
        "mixed_shapes": "mixes shapes ({shapes}); give only one",
        "no_shape": 'has no shape: give "power_kw", "capacity_rt" with "kw_per_rt", or "periods"',
        "period_energy_and_power": 'gives "energy_kwh" and "power_kw"/"hours"; give one or the other',
        "period_needs_energy_or_power": 'needs "power_kw" with "hours", or "energy_kwh"',
        "period_twice": "{month} appears twice in this group",
        "month_outside_period": "{month} lies outside the period {start} to {end}",
        "refrigerant_not_in_table": "{refrigerant} is not in the reference table; give {keys}",
        "refrigerant_no_edition": '{refrigerant} has no {edition} GWP in the reference table; give "gwp"',
        # JSON text and size limits
        "not_utf8": "not valid JSON: not UTF-8 text",
        "nested_too_deep": "nested deeper than {depth} levels",
        "invalid_json": "not valid JSON: {reason}",
        "invalid_json_at": "not valid JSON: {reason} at line {line} column {column}",
        "not_a_number": "not valid JSON: {name} is not a number",
        "document_too_large": "larger than {maximum} bytes ({size} bytes, if known)",
        "string_too_long": "longer than {maximum} characters",
        "key_too_long": "key longer than {maximum} characters",
        "too_many_items": "more than {maximum} {what} ({count})",
    }
)

# Messages without params, so that `FieldError(path, "required")` gets its code by itself.
_CODE_OF_MESSAGE = {message: code for code, message in ERROR_CODES.items() if "{" not in message}


@dataclass(frozen=True)
class FieldError:
    """One problem in a document: where it is (`calculation.line_loss`, root `$`) and what.

    Two errors are the same when path and message are: code and params only say it again.
    A message of a product's own has no code ("").
    """

    path: str
    message: str
    code: str = field(default="", compare=False)
    params: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        if not self.code:
            object.__setattr__(self, "code", _CODE_OF_MESSAGE.get(self.message, ""))
        elif self.code not in ERROR_CODES:
            raise ValueError(f"unknown error code {self.code!r}; add it to ERROR_CODES")

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class DocumentErrors(Exception):
    """A document refused as a whole; `errors` lists every problem found in it."""

    def __init__(self, errors: list[FieldError]):
        self.errors = list(errors)
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(error) for error in self.errors)
