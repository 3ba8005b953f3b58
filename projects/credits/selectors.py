"""What the registry pages read: balances, blocks, history and credit summaries.

Balances are sums over the blocks (`CreditBlock`), never a stored counter.
A summary holds estimated, issued, retired and remaining credits in total and
per year: estimated per calendar year of the crediting period (the plan's total
spread by days, so that the years add up to the total), issued and retired per
vintage (the year in which the monitoring period ends).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from django.db.models import F, Prefetch, Q, QuerySet, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from projects.charts import year_bar_chart
from projects.credits.models import (
    CreditAccount,
    CreditBlock,
    CreditIssuance,
    LedgerEntry,
    LedgerRange,
)
from projects.models import Organisation, Plan, Programme

# Plans whose estimate counts in a programme's totals: all but those not (yet) approved.
NOT_APPROVED = (
    Plan.Status.DRAFT,
    Plan.Status.SUBMITTED,
    Plan.Status.UNDER_REVIEW,
    Plan.Status.CHANGES_REQUESTED,
    Plan.Status.REJECTED,
)
UNITS = F("last") - F("first") + 1


# -- accounts --------------------------------------------------------------------


def account_of(organisation: Organisation) -> CreditAccount | None:
    return CreditAccount.objects.filter(organisation=organisation).first()


def held_blocks(account: CreditAccount | None) -> QuerySet[CreditBlock]:
    if account is None:
        return CreditBlock.objects.none()
    return (
        CreditBlock.objects.filter(account=account, retired_by=None)
        .select_related("issuance__plan")
        .order_by("issuance__period_end", "issuance_id", "first")
    )


def account_balance(account: CreditAccount | None) -> dict:
    """Held, of which still transferable, and retired from the account."""
    if account is None:
        return {"balance": 0, "transferable": 0, "retired": 0}
    sums = CreditBlock.objects.filter(account=account).aggregate(
        balance=Sum(UNITS, filter=Q(retired_by=None)),
        transferable=Sum(UNITS, filter=Q(retired_by=None, transfers=0)),
        retired=Sum(UNITS, filter=Q(retired_by__isnull=False)),
    )
    return {name: value or 0 for name, value in sums.items()}


def with_balances(holders: QuerySet[Organisation]) -> QuerySet[Organisation]:
    """Organisations with `balance` and `retired` (0 without an account)."""
    units = F("credit_account__blocks__last") - F("credit_account__blocks__first") + 1
    held = Q(credit_account__blocks__isnull=False, credit_account__blocks__retired_by=None)
    gone = Q(credit_account__blocks__retired_by__isnull=False)
    return holders.annotate(
        balance=Coalesce(Sum(units, filter=held), 0), retired=Coalesce(Sum(units, filter=gone), 0)
    )


def account_history(account: CreditAccount | None) -> QuerySet[LedgerEntry]:
    """Every entry into or out of the account, newest first, with its serials."""
    if account is None:
        return LedgerEntry.objects.none()
    return _with_ranges(
        LedgerEntry.objects.filter(Q(from_account=account) | Q(to_account=account))
    ).order_by("-created_at", "-pk")


def _with_ranges(entries: QuerySet[LedgerEntry]) -> QuerySet[LedgerEntry]:
    return entries.select_related(
        "user", "from_account__organisation", "to_account__organisation"
    ).prefetch_related(
        Prefetch(
            "ranges",
            queryset=LedgerRange.objects.select_related("issuance__plan").order_by(
                "issuance__period_end", "issuance_id", "first"
            ),
        )
    )


def public_retirements() -> QuerySet[LedgerEntry]:
    """Every retirement, newest first: the public list."""
    return _with_ranges(LedgerEntry.objects.retirements()).order_by("-created_at", "-pk")


# -- summaries -------------------------------------------------------------------


def _estimated_by_year(total: int, start: date, end: date) -> dict[int, int]:
    """The total spread over the calendar years of [start, end] by days: each
    year gets the whole tonnes reached by its end, less those of the years before."""
    days = (end - start).days + 1
    spread, before = {}, 0
    for year in range(start.year, end.year + 1):
        through = min(date(year, 12, 31), end)
        reached = int(Fraction(total) * Fraction((through - start).days + 1, days))
        spread[year] = reached - before
        before = reached
    return spread


def credit_totals(plans: QuerySet[Plan], *, approved_only: bool = False) -> dict:
    """Estimated, issued, retired and remaining credits of the plans, in total and
    per year, with a bar chart per year. `approved_only` counts the estimate of
    approved (and later) plans only; issued credits count whatever the status."""
    estimated_plans = plans.exclude(status__in=NOT_APPROVED) if approved_only else plans
    estimated_by_year: dict[int, int] = defaultdict(int)
    estimated = 0
    rows = estimated_plans.annotate(total=KT("results__total_reduction_tco2e")).values_list(
        "total", "crediting_start", "crediting_end"
    )
    for total, start, end in rows:
        if total in (None, ""):
            continue
        total = int(total)
        estimated += total
        if start and end and end >= start:
            for year, value in _estimated_by_year(total, start, end).items():
                estimated_by_year[year] += value
    issued_by_year = dict(
        CreditIssuance.objects.filter(plan__in=plans)
        .values_list("period_end__year")
        .annotate(total=Sum("quantity"))
        .order_by()
    )
    retired_by_year = dict(
        CreditBlock.objects.filter(issuance__plan__in=plans, retired_by__isnull=False)
        .values_list("issuance__period_end__year")
        .annotate(total=Sum(UNITS))
        .order_by()
    )
    years = sorted(set(estimated_by_year) | set(issued_by_year) | set(retired_by_year))
    per_year = [
        {
            "year": year,
            "estimated": estimated_by_year.get(year, 0),
            "issued": issued_by_year.get(year, 0),
            "retired": retired_by_year.get(year, 0),
            "remaining": issued_by_year.get(year, 0) - retired_by_year.get(year, 0),
        }
        for year in years
    ]
    issued = sum(issued_by_year.values())
    retired = sum(retired_by_year.values())
    return {
        "estimated": estimated,
        "issued": issued,
        "retired": retired,
        "remaining": issued - retired,
        "years": per_year,
        "chart": year_bar_chart(
            [row["year"] for row in per_year],
            [
                (_("預估減量"), "#adb5bd", [row["estimated"] for row in per_year]),
                (_("已核發"), "#1d3557", [row["issued"] for row in per_year]),
                (_("已註銷"), "#e76f51", [row["retired"] for row in per_year]),
            ],
            title=_("各年度減量額度 (tCO2e)"),
        )
        if per_year
        else "",
    }


def plan_credit_summary(plan: Plan) -> dict:
    """The plan's credits; `shown` once it is approved or has credits issued."""
    summary = credit_totals(Plan.objects.filter(pk=plan.pk))
    summary["shown"] = plan.status not in NOT_APPROVED or summary["issued"] > 0
    summary["holder"] = _holder(plan)
    return summary


def _holder(plan: Plan) -> Organisation:
    from projects.credits.services import holder_for_plan

    return holder_for_plan(plan)


def programme_credit_summary(programme: Programme, plans: QuerySet[Plan] | None = None) -> dict:
    """The programme's credits over its sub-projects (or the given ones, e.g. those
    the user sees); the estimate counts approved sub-projects only."""
    if plans is None:
        plans = programme.sub_projects.all()
    summary = credit_totals(plans, approved_only=True)
    summary["shown"] = True
    summary["holder"] = programme.authority if programme.holds_credits else None
    return summary


@dataclass(frozen=True)
class CreditTotals:
    """A plan's credits in whole tCO2e: issued into accounts, and retired (註銷)."""

    issued: int = 0
    retired: int = 0

    @property
    def remaining(self) -> int:
        return self.issued - self.retired


def credit_totals_by_plan(plans: Iterable[Plan]) -> dict[int, CreditTotals]:
    """Each plan's issued and retired credits by plan pk (zeros for a plan with
    none), in two queries however many plans: a registry list's column."""
    ids = [plan.pk for plan in plans]
    issued = dict(
        CreditIssuance.objects.filter(plan__in=ids)
        .values_list("plan")
        .annotate(total=Sum("quantity"))
        .order_by()
    )
    retired = dict(
        CreditBlock.objects.filter(issuance__plan__in=ids, retired_by__isnull=False)
        .values_list("issuance__plan")
        .annotate(total=Sum(UNITS))
        .order_by()
    )
    return {pk: CreditTotals(issued.get(pk, 0), retired.get(pk, 0)) for pk in ids}


def with_issued_credits(reports):
    """Monitoring reports with `issued`: the credits their approval issued (None
    before), for the lists beside their claimed and verified reductions."""
    return reports.annotate(issued=F("credit_issuance__quantity"))
