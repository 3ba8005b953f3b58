"""Dates in the ROC (Minguo) calendar, as the plans write them.

ROC year = Gregorian year − 1911. Shown as 110年5月24日 or 110/05/24; typed as
110/05/24, 110.05.24, 110-05-24, 110年5月24日 or an ISO date 2021-05-24."""

import re
from datetime import date, timedelta

from methodologies.engine import crediting_years

ROC_OFFSET = 1911
_ROC_PATTERN = re.compile(r"^\s*(\d{2,3})\s*[/.\-年]\s*(\d{1,2})\s*[/.\-月]\s*(\d{1,2})\s*日?\s*$")
_ISO_PATTERN = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")


def roc_long(value: date) -> str:
    return f"{value.year - ROC_OFFSET}年{value.month}月{value.day}日"


def roc_short(value: date) -> str:
    return f"{value.year - ROC_OFFSET}/{value.month:02d}/{value.day:02d}"


def parse_date(text: str) -> date:
    """Read a ROC or ISO date; raise ValueError when it is not a real date."""
    match = _ISO_PATTERN.match(text)
    if match:
        year, month, day = (int(part) for part in match.groups())
    else:
        match = _ROC_PATTERN.match(text)
        if not match:
            raise ValueError(text)
        roc_year, month, day = (int(part) for part in match.groups())
        year = roc_year + ROC_OFFSET
    return date(year, month, day)


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
    return f"{int(years * 10) / 10:.1f}"
