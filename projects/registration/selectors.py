"""What the public registry reads: registered plans, their estimated credits and
(once projects.credits fills `credit_totals`) their issued and retired credits."""

import math
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from methodologies.engine import crediting_years
from projects.models import Plan


def registered_plans() -> QuerySet[Plan]:
    """Every registered plan, with what a registry row shows, by project number."""
    return (
        Plan.objects.registered()
        .select_related("organisation", "authority", "programme__authority", "registered_version")
        .order_by("project_number", "pk")
    )


def search_registered(plans: QuerySet[Plan], query: str) -> QuerySet[Plan]:
    """Registered plans whose number, title or organisation contains `query`."""
    query = query.strip()
    if not query:
        return plans
    return plans.filter(
        Q(project_number__icontains=query)
        | Q(title__icontains=query)
        | Q(organisation__name__icontains=query)
        | Q(applicant_name__icontains=query)
    )


def estimated_credits(plan: Plan) -> int | None:
    """The registered version's annual reduction × the registered crediting
    period in years, rounded down to whole tonnes (credits are whole tonnes)."""
    if not plan.is_registered:
        return None
    years = crediting_years(plan.registered_crediting_start, plan.registered_crediting_end)
    return math.floor(plan.registered_version.annual_reduction_tco2e * years)


@dataclass(frozen=True)
class CreditTotals:
    """A plan's credits in whole tCO2e: issued into accounts, and retired (註銷)."""

    issued: int = 0
    retired: int = 0

    @property
    def remaining(self) -> int:
        return self.issued - self.retired


def credit_totals(plans: Iterable[Plan]) -> dict[int, CreditTotals]:
    """Each plan's credit totals by plan pk. Zeros until the credit registry
    (projects.credits) answers it from its ledger; keep the signature."""
    return {plan.pk: CreditTotals() for plan in plans}
