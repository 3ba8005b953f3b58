"""Numbers as people type them: "3,650" with thousands separators, "3.94%" in a
percentage field, full-width "３，６５０" from a Chinese keyboard.

Read from the text straight to Decimal (never through float); exponents ("1e5"),
"NaN" and "Infinity" are refused."""

import re
import unicodedata
from decimal import Decimal

# How a percentage field stores "3.94%": as the fraction 0.0394, or as the points 3.94.
FRACTION, POINTS = "fraction", "points"

_NUMBER = re.compile(
    r"(?P<sign>[+-]?)"
    r"(?P<whole>\d{1,3}(?:,\d{3})+|\d*)"  # groups of three after the first, or plain digits
    r"(?:\.(?P<fraction>\d*))?"
    r"\s*(?P<percent>%?)"
)
_EXPONENT = re.compile(r"\d[eE][+-]?\d")


class NumberError(ValueError):
    """Text that is not a number as the field reads it; `reason` says why:
    "invalid", "percent" (a % in a field that is no percentage) or "exponent"."""

    def __init__(self, text: str, reason: str = "invalid"):
        super().__init__(text)
        self.reason = reason


def normalise(text: str) -> str:
    """Full-width digits and signs (０-９，．％－) as their ASCII forms, outer spaces removed."""
    return unicodedata.normalize("NFKC", str(text)).strip()


def _match(text: str, percent: str | None):
    plain = normalise(text)
    match = _NUMBER.fullmatch(plain)
    if not match or not (match["whole"] or match["fraction"]):
        raise NumberError(text, "exponent" if _EXPONENT.search(plain) else "invalid")
    if match["percent"] and percent is None:
        raise NumberError(text, "percent")
    return match


def parse_decimal(text: str, *, percent: str | None = None) -> Decimal:
    """The exact Decimal of `text`. With `percent` a trailing % is read: FRACTION
    turns "3.94%" into 0.0394, POINTS "1%" into 1; without, a % is refused."""
    match = _match(text, percent)
    digits = match["whole"].replace(",", "") or "0"
    if match["fraction"]:
        digits = f"{digits}.{match['fraction']}"
    value = Decimal(f"{match['sign']}{digits}")
    if match["percent"] and percent == FRACTION:
        value = value.scaleb(-2)  # exact: moves the decimal point
    return value


def parse_integer(text: str) -> int:
    """A whole number, "3,650" or "3650"; a fraction of zeros ("12.0") is allowed."""
    match = _match(text, None)
    if match["fraction"] and match["fraction"].strip("0"):
        raise NumberError(text)
    try:
        return int(f"{match['sign']}{match['whole'].replace(',', '') or '0'}")
    except ValueError as error:  # over Python's 4,300-digit limit of int()
        raise NumberError(text) from error
