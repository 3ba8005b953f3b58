"""Bar charts as server-rendered SVG, for the survey page and the PDF."""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

BAR_HEIGHT = 18
GAP = 8
LABEL_WIDTH = 250
BAR_WIDTH = 300


def bar_chart(rows: list[tuple[str, int | None]], *, title: str = "") -> SafeString:
    """Horizontal bars of percentages (0–100), each labelled with its value."""
    top = 22 if title else 4
    height = top + len(rows) * (BAR_HEIGHT + GAP) + 4
    width = LABEL_WIDTH + BAR_WIDTH + 50
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}" '
        'font-family="Noto Sans CJK TC, sans-serif" font-size="11">'
    ]
    if title:
        parts.append(f'<text x="0" y="14" font-weight="bold">{escape(title)}</text>')
    for index, (label, value) in enumerate(rows):
        y = top + index * (BAR_HEIGHT + GAP)
        share = value or 0
        short = label if len(label) <= 22 else label[:21] + "…"
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 13}" text-anchor="end">{escape(short)}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{BAR_WIDTH}" height="{BAR_HEIGHT}" fill="#e9ecef"/>'
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{BAR_WIDTH * share // 100}" '
            f'height="{BAR_HEIGHT}" fill="#1d3557"/>'
            f'<text x="{LABEL_WIDTH + BAR_WIDTH + 6}" y="{y + 13}">'
            f"{'' if value is None else f'{value}%'}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))


YEAR_PLOT_HEIGHT = 160
YEAR_GROUP_WIDTH = 64


def year_bar_chart(
    years: list[int], series: list[tuple[str, str, list[int]]], *, title: str = ""
) -> SafeString:
    """Vertical bars per year, one bar per series (label, colour, values) side by
    side, scaled to the largest value, each labelled with its value, and a legend."""
    top = 40 if title else 22
    bottom = 20
    left = 8
    width = left + max(len(years), 1) * YEAR_GROUP_WIDTH + 8
    width = max(width, 320)
    height = top + YEAR_PLOT_HEIGHT + bottom
    largest = max((value for _label, _colour, values in series for value in values), default=0)
    bar = (YEAR_GROUP_WIDTH - 12) // max(len(series), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}" '
        'font-family="Noto Sans CJK TC, sans-serif" font-size="10">'
    ]
    if title:
        parts.append(f'<text x="0" y="12" font-size="11" font-weight="bold">{escape(title)}</text>')
    legend_y = top - 10
    x = 0
    for label, colour, _values in series:
        parts.append(
            f'<rect x="{x}" y="{legend_y - 8}" width="9" height="9" fill="{colour}"/>'
            f'<text x="{x + 12}" y="{legend_y}">{escape(label)}</text>'
        )
        x += 14 + 11 * len(str(label)) + 10
    base = top + YEAR_PLOT_HEIGHT
    parts.append(f'<line x1="{left}" y1="{base}" x2="{width - 8}" y2="{base}" stroke="#6c757d"/>')
    for index, year in enumerate(years):
        group_x = left + index * YEAR_GROUP_WIDTH + 6
        for position, (_label, colour, values) in enumerate(series):
            value = values[index]
            bar_height = (YEAR_PLOT_HEIGHT - 14) * value // largest if largest else 0
            bar_x = group_x + position * bar
            parts.append(
                f'<rect x="{bar_x}" y="{base - bar_height}" width="{bar - 2}" '
                f'height="{bar_height}" fill="{colour}"><title>{value}</title></rect>'
            )
            if value:
                parts.append(
                    f'<text x="{bar_x + (bar - 2) / 2}" y="{base - bar_height - 2}" '
                    f'text-anchor="middle" font-size="8">{value}</text>'
                )
        parts.append(
            f'<text x="{group_x + (YEAR_GROUP_WIDTH - 12) / 2}" y="{base + 13}" '
            f'text-anchor="middle">{year}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))
