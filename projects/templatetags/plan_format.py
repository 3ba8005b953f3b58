"""Filters that format plan figures as the official 計畫書 shows them."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django import template

from projects import dates

register = template.Library()


@register.filter
def roc_date(value: date | None) -> str:
    """110年5月24日"""
    return dates.roc_long(value) if value else ""


@register.filter
def roc_short(value: date | None) -> str:
    """110/05/24"""
    return dates.roc_short(value) if value else ""


@register.filter
def thousands(value, places: int | None = None) -> str:
    """1397937.356 -> 1,397,937.356; with places, fixed decimals ("3")."""
    if value in (None, ""):
        return ""
    number = Decimal(str(value))
    if places is not None:
        number = number.quantize(Decimal(1).scaleb(-int(places)), ROUND_HALF_UP)
    text = format(number, "f")
    whole, _, fraction = text.partition(".")
    sign = "-" if whole.startswith("-") else ""
    grouped = f"{int(whole.lstrip('-') or 0):,}"
    return f"{sign}{grouped}.{fraction}" if fraction else f"{sign}{grouped}"


@register.filter
def tonnes(value) -> str:
    """Tonnes as people write them: thousands grouped, no trailing zeros of the
    stored scale (Decimal("1000.000") -> "1,000", Decimal("96.0") -> "96")."""
    if value in (None, ""):
        return ""
    return thousands(Decimal(str(value)).normalize())


@register.filter
def years(value) -> str:
    """Crediting years: "10.0000" -> "10", "9.7534" stays, "15.5000" -> "15.5"."""
    if value in (None, ""):
        return ""
    return dates.years_text(value)


@register.filter
def get_item(container, key):
    """container[key] for dicts and lists; None when missing."""
    try:
        return container[key]
    except (KeyError, IndexError, TypeError):
        return None
