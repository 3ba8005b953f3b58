"""What the public registry reads: registered plans and their estimated credits
(their issued and retired credits are projects.credits.selectors.credit_totals_by_plan)."""

import math

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
