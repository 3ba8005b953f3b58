"""The public calculator's pages: no sign-in; the preview is throttled per address and
keeps the small-form limits of every public POST (config.middleware.SmallFormsMiddleware)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from config.middleware import SmallFormsMiddleware
from projects import permissions
from projects.calculator import services
from projects.presentation import display_results
from projects.views import _invalid_fields, _other_errors


def _rate(group, request):
    return settings.CALCULATOR_PREVIEW_RATE


def _content_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


@login_not_required
def calculator(request):
    key = services.example_key(request.GET.get("example"))

    def page(context):
        return render_to_string(
            "projects/calculator.html",
            {
                **context,
                "examples": services.EXAMPLES.values(),
                "example": key,
                "can_edit": True,
                "slug": "calculation",
                "results": display_results(context["plan"].results),
                "kept": services.calculator_kept(request.session) is not None,
            },
            request=request,
        )

    return HttpResponse(services.calculator_page(key, page))


@login_not_required
@require_POST
@ratelimit(key="ip", rate=_rate, method="POST", block=False, group="calculator.preview")
def preview(request):
    """The figures for what is on the calculator now (htmx), as the plan pages' preview."""
    if getattr(request, "limited", False):
        return render(
            request,
            "projects/includes/results_panel.html",
            {"invalid": 0, "throttled": True, "slug": "calculation"},
            status=429,
        )
    if _content_length(request) > SmallFormsMiddleware.MAX_FORM_BYTES:
        # Multipart bodies may be larger elsewhere (attachments); not here.
        return HttpResponse(status=413)
    if sum(len(values) for _name, values in request.POST.lists()) > services.MAX_FIELDS:
        # Urlencoded forms are held to this by SmallFormsMiddleware; multipart ones here.
        return HttpResponseBadRequest()
    key = services.example_key(request.POST.get("example"))

    def panel(plan, editor, preview):
        context = {"plan": plan, "preview": True, "slug": "calculation"}
        if preview is not None:
            context.update(
                results=display_results(preview.results),
                calculation_errors=preview.errors,
                warnings=preview.warnings,
                saving_rate=preview.saving_rate,
                group_figures=preview.group_figures,
                field_errors={},
                other_errors=[],
            )
        else:
            context.update(
                invalid=editor.error_count(),
                field_errors=_invalid_fields(editor),
                other_errors=_other_errors(editor),
            )
        return render_to_string("projects/includes/results_panel.html", context, request=request)

    return HttpResponse(services.calculator_preview(key, request.POST, panel))


@login_not_required
@require_POST
def start(request):
    """Keep the figures and go on to a real plan: sign up (or sign in) first if need be."""
    key = services.example_key(request.POST.get("example"))
    if not services.calculator_keep(request.session, key, request.POST):
        messages.error(request, _("計算內容過大，無法保留。"))
        return redirect(f"{reverse('calculator:page')}?example={key}")
    target = reverse("projects:plan_create")
    if not request.user.is_authenticated:
        return redirect_to_login(target, login_url=reverse("account_signup"))
    if not permissions.can_create_plans(request.user):
        messages.error(request, _("您的帳號尚未屬於任何申請單位，無法建立計畫書。"))
        return redirect(f"{reverse('calculator:page')}?example={key}")
    return redirect(target)
