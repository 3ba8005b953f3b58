"""The one renderer of the official 計畫書 PDF, shared by the web views and
`manage.py render_pdf`."""

from django.template.loader import render_to_string
from weasyprint import HTML

from reports.context import build_report


def render_plan_pdf(*, document: dict, results: dict, draft: bool) -> bytes:
    """A4 PDF of a plan document and its results; `draft` marks every page 草稿."""
    report = build_report(document, results, draft=draft)
    html = render_to_string("reports/plan.html", {"report": report})
    return HTML(string=html).write_pdf()
