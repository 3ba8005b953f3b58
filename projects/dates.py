"""Dates in the ROC (Minguo) calendar, as the plans write them.

ROC year = Gregorian year − 1911. Shown as 110年5月24日 or 110/05/24; typed as
110/05/24, 110.05.24, 110-05-24, 110年5月24日 (民國 before it allowed), or in the
Gregorian calendar as 2021-05-24, 2021/05/24, 2021.05.24 or 2021年5月24日; full-width
digits and separators as well. A year of four digits is Gregorian, of two or three ROC."""

import re
import unicodedata
from datetime import date, timedelta
from decimal import Decimal

from methodologies.engine import crediting_years

ROC_OFFSET = 1911
# Year, month and day with one separator (/ . -) used twice, or 年 月 日.
_DATE_PATTERN = re.compile(
    r"(?:民國|西元)?\s*(\d{2,4})\s*(?:([/.\-])\s*(\d{1,2})\s*\2|年\s*(\d{1,2})\s*月)"
    r"\s*(\d{1,2})\s*(?(2)|日?)"
)


def roc_long(value: date) -> str:
    return f"{value.year - ROC_OFFSET}年{value.month}月{value.day}日"


def roc_short(value: date) -> str:
    return f"{value.year - ROC_OFFSET}/{value.month:02d}/{value.day:02d}"


def parse_date(text: str) -> date:
    """Read a ROC or Gregorian date (see the module's note); raise ValueError when it
    is not one or not a real date."""
    match = _DATE_PATTERN.fullmatch(unicodedata.normalize("NFKC", str(text)).strip())
    if not match:
        raise ValueError(text)
    year_text, _separator, month_slash, month_kanji, day_text = match.groups()
    year = int(year_text)
    if len(year_text) < 4:
        if year < 1:
            raise ValueError(text)  # 民國元年 is 1912
        year += ROC_OFFSET
    return date(year, int(month_slash or month_kanji), int(day_text))


def crediting_period(start: date, years: int) -> tuple[date, date]:
    """A crediting period of whole years from `start`, the end inclusive
    (a 29 February start steps to 28 February, as the engine counts years)."""
    try:
        after = start.replace(year=start.year + years)
    except ValueError:
        after = start.replace(year=start.year + years, day=28)
    return start, after - timedelta(days=1)


def year_count(start: date, end: date) -> str:
    """The length of an inclusive period in years as people say it: "10", or
    "15.5" (to one decimal, rounded down) when it is not whole years."""
    years = crediting_years(start, end)
    if years.denominator == 1:
        return str(years.numerator)
    return f"{Decimal(int(years * 10)) / 10:.1f}"


def years_text(value) -> str:
    """Crediting years as the page and the PDF print them: "10" when whole, else up to
    4 decimals without trailing zeros ("9.7534", "15.5"). The results JSON keeps its
    fixed 4 decimals; only the display drops them."""
    text = format(Decimal(str(value)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text
