"""Filters for the reviewer dashboard and programme pages."""

from datetime import datetime

from django import template
from django.utils import timezone

from projects import dates
from projects.models import Plan

register = template.Library()

# Bootstrap badge classes: what needs the reviewer stands out, decisions are
# green or red, and what waits on the applicant is amber.
STATUS_BADGES = {
    Plan.Status.DRAFT: "text-bg-secondary",
    Plan.Status.SUBMITTED: "text-bg-primary",
    Plan.Status.UNDER_REVIEW: "text-bg-info",
    Plan.Status.CHANGES_REQUESTED: "text-bg-warning",
    Plan.Status.APPROVED: "text-bg-success",
    Plan.Status.REJECTED: "text-bg-danger",
}


@register.filter
def roc_day(value: datetime | None) -> str:
    """A moment as the local (Asia/Taipei) ROC day: 2021-05-24T02:00+08:00 -> 110/05/24."""
    if not value:
        return ""
    return dates.roc_short(timezone.localtime(value).date())


@register.filter
def status_badge(status: str) -> str:
    """The badge class for a plan status."""
    return STATUS_BADGES.get(status, "text-bg-secondary")
