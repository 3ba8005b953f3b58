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
