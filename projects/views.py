from django.shortcuts import get_object_or_404, render

from projects.models import Plan
from projects.presentation import display_results


def plan_list(request):
    plans = Plan.objects.visible_to(request.user).select_related("organisation", "programme")
    return render(request, "projects/plan_list.html", {"plans": plans})


def plan_detail(request, pk):
    plan = get_object_or_404(
        Plan.objects.visible_to(request.user).select_related(
            "organisation", "programme", "methodology"
        ),
        pk=pk,
    )
    return render(
        request,
        "projects/plan_detail.html",
        {"plan": plan, "results": display_results(plan.results)},
    )
