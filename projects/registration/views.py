"""Registering a plan (its authority) and the public registry (no sign-in)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from projects import dashboard, permissions
from projects.credits import selectors as credit_selectors
from projects.monitoring.models import MonitoringReport
from projects.registration import selectors, services
from projects.registration.forms import RegistrationForm, RegistrySearchForm
from projects.registration.permissions import is_registration_authority


def plan_register(request, pk):
    """The authority's confirmation page: the registration date (today unless
    changed), the number and crediting period it will give; POST registers."""
    plan = permissions.visible_plan(request.user, pk, may=is_registration_authority)
    problem = services.registration_problem(plan)
    if problem:
        messages.error(request, problem)
        return redirect(plan)
    form = RegistrationForm(request.POST or None, initial={"registered_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.register_plan(
                plan, by=request.user, registered_on=form.cleaned_data["registered_on"]
            )
        except services.RegistrationError as error:
            if not error.field:
                messages.error(request, str(error))
                return redirect(plan)
            form.add_error(error.field, str(error))
        else:
            messages.success(
                request,
                _("已註冊，專案編號 %(number)s。") % {"number": plan.project_number},
            )
            return redirect(plan)
    today = timezone.localdate()
    try:
        preview = {
            "number": services.allocate_number(plan, on=today, save=False),
            "period": services.registered_period(plan, today),
        }
    except services.RegistrationError as error:
        preview = {"problem": str(error)}
    return render(
        request,
        "projects/registration/register.html",
        {"plan": plan, "form": form, "preview": preview},
    )


def _rows(plans) -> list[dict]:
    totals = credit_selectors.credit_totals_by_plan(plans)
    return [
        {
            "plan": plan,
            "authority": plan.reviewing_authority,
            "estimated": selectors.estimated_credits(plan),
            "credits": totals[plan.pk],
        }
        for plan in plans
    ]


@login_not_required
def registry(request):
    """Every registered plan, searchable by number, title or organisation, a page
    at a time; no sign-in."""
    form = RegistrySearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    plans = selectors.search_registered(selectors.registered_plans(), query)
    page = Paginator(plans, dashboard.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "projects/registration/registry.html",
        {"form": form, "query": query, "page": page, "rows": _rows(list(page))},
    )


@login_not_required
def registry_detail(request, pk):
    """One registered plan's public page; 404 for a plan that is not registered."""
    plan = get_object_or_404(selectors.registered_plans(), pk=pk)
    reports = credit_selectors.with_issued_credits(
        plan.monitoring_reports.filter(status=MonitoringReport.Status.APPROVED)
        .select_related("current_version")
        .order_by("number")
    )
    return render(
        request,
        "projects/registration/registry_detail.html",
        {"row": _rows([plan])[0], "plan": plan, "reports": reports},
    )
