"""Section 五's survey: tallies from paper forms, public links answered online,
and the tables, sentences and charts computed from both."""

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from projects import charts, permissions, survey, survey_template
from projects.forms import SurveyAnswerForm, TallyForm
from projects.models import PaperTally, Plan, ResponseAnswer, SurveyLink
from projects.permissions import visible_plan

# The public page: a long random cookie tells one browser from another (only
# its hash is stored), and each address may send so many answers an hour.
BROWSER_COOKIE = "survey_browser"
BROWSER_COOKIE_AGE = 365 * 24 * 3600
PUBLIC_POSTS_PER_ADDRESS = "10/h"


def _tally_form(plan, data=None) -> TallyForm:
    tiers = list(plan.stakeholder_tiers.all())
    questions = list(plan.questions.prefetch_related("options"))
    tallies = {
        (t.tier_id, t.question_id, t.option_id): t
        for t in PaperTally.objects.filter(tier__plan=plan)
    }
    return TallyForm(data, tiers=tiers, questions=questions, tallies=tallies)


def survey_page(request, pk):
    plan = visible_plan(request.user, pk)
    can_edit = permissions.can_run_survey(request.user, plan)
    form = _tally_form(plan, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not can_edit:
            raise Http404
        if form.is_valid():
            with transaction.atomic():
                Plan.objects.select_for_update().get(pk=plan.pk)
                if not permissions.can_run_survey(request.user, plan):
                    raise Http404
                save_tallies(form)
            messages.success(request, _("已儲存紙本問卷統計。"))
            return redirect("projects:survey", pk=plan.pk)
        messages.error(request, _("統計數字有誤，請依欄位提示修正；其他數字已保留。"))
    results = survey.compute(survey.survey_data(plan))
    tiers = list(plan.stakeholder_tiers.all())
    comments = {}
    for question_id, text in (
        ResponseAnswer.objects.filter(question__plan=plan)
        .exclude(text="")
        .values_list("question", "text")
    ):
        comments.setdefault(question_id, []).append(text)
    question_ids = list(plan.questions.values_list("pk", flat=True))
    online = survey.online_counts(plan)
    return render(
        request,
        "projects/survey.html",
        {
            "plan": plan,
            "can_edit": can_edit,
            "form": form,
            "results": results,
            "tier_rows": [
                (row, tier.copies_returned or 0, online.get(tier.pk, 0))
                for row, tier in zip(results.tiers, tiers, strict=True)
            ],
            "tiers": tiers,
            "question_rows": [
                (result, comments.get(question_id, []))
                for result, question_id in zip(results.questions, question_ids, strict=True)
            ],
            "charts": survey_charts(results),
            "links": {link.tier_id: link for link in SurveyLink.objects.filter(tier__plan=plan)},
            "room": {tier.pk: survey.online_room(tier, online.get(tier.pk, 0)) for tier in tiers},
            "accepts_answers": survey.accepts_answers(plan),
        },
        status=400 if form.errors else 200,
    )


def survey_charts(results):
    """Bar charts of the tiers' shares and of each multi-choice question."""
    tier_chart = charts.bar_chart(
        [(row.name, row.share) for row in results.tiers], title=_("各級受訪者占比")
    )
    question_charts = [
        charts.bar_chart(
            [(option.text, option.share) for option in result.options],
            title=f"{result.number}. {result.text}",
        )
        for result in results.questions
        if result.options
    ]
    return [tier_chart, *question_charts] if results.tiers else question_charts


@transaction.atomic
def save_tallies(form: TallyForm) -> None:
    for tier in form.tiers:
        for question in form.questions:
            if question.kind == question.Kind.MULTI:
                for option in question.options.all():
                    PaperTally.objects.update_or_create(
                        tier=tier,
                        question=question,
                        option=option,
                        defaults={"count": form.cleaned_data[form.option_name(tier, option)] or 0},
                    )
            else:
                PaperTally.objects.update_or_create(
                    tier=tier,
                    question=question,
                    option=None,
                    defaults={
                        answer: form.cleaned_data[form.yes_no_name(tier, question, answer)] or 0
                        for answer in ("yes", "no")
                    },
                )


@require_POST
def survey_action(request, pk, action):
    """Apply the template questionnaire, or open or close the online survey,
    only while the plan is editable by this user (checked under the plan lock)."""
    plan = visible_plan(request.user, pk)
    if action not in ("template", "open", "close"):
        raise Http404
    with transaction.atomic():
        plan = (
            Plan.objects.select_for_update(of=("self",))
            .select_related("organisation")
            .get(pk=plan.pk)
        )
        if not permissions.can_run_survey(request.user, plan):
            raise PermissionDenied
        if action == "template":
            survey_template.apply_template(plan)
        else:
            survey.set_survey_open(plan, action == "open")
    if action == "template":
        messages.success(request, _("已加入範本的利害相關者類別與問卷題目，可再修改。"))
        return redirect("projects:section", pk=plan.pk, slug="environment")
    messages.success(
        request, _("線上問卷已開放填答。") if plan.survey_open else _("線上問卷已關閉。")
    )
    return redirect("projects:survey", pk=plan.pk)


REFUSAL_PAGES = {
    "closed": ("projects/public_survey_closed.html", 410),
    "full": ("projects/public_survey_full.html", 410),
    "answered": ("projects/public_survey_answered.html", 409),
}


@login_not_required
@ratelimit(key="ip", rate=PUBLIC_POSTS_PER_ADDRESS, method="POST", block=False)
def public_survey(request, token):
    """The questionnaire for one tier, answered on a phone without signing in.
    One answer per browser, within the tier's copies, while the plan is editable."""
    if getattr(request, "limited", False):
        return render(request, "projects/public_survey_throttled.html", status=429)
    link = get_object_or_404(SurveyLink.objects.select_related("tier__plan"), token=token)
    tier, plan = link.tier, link.tier.plan
    context = {"plan": plan, "tier": tier}
    cookie = request.COOKIES.get(BROWSER_COOKIE, "")
    browser = survey.browser_id(cookie)
    reason = survey.refusal(tier, browser)
    if reason:
        template, status = REFUSAL_PAGES[reason]
        return render(request, template, context, status=status)
    questions = list(plan.questions.prefetch_related("options"))
    form = SurveyAnswerForm(request.POST if request.method == "POST" else None, questions=questions)
    status = 200
    if request.method == "POST":
        if not cookie:
            status = 400  # cookies refused, or not a browser: the answers stay on the page
            context["needs_cookie"] = True
        elif form.is_valid():
            try:
                survey.record_response(
                    tier_id=tier.pk, questions=questions, data=form.cleaned_data, browser=browser
                )
            except survey.SurveyRefused as refused:
                template, status = REFUSAL_PAGES[refused.reason]
                return render(request, template, context, status=status)
            return render(request, "projects/public_survey_thanks.html", context)
        else:
            status = 400
    response = render(
        request, "projects/public_survey.html", {**context, "form": form}, status=status
    )
    if not cookie:
        response.set_cookie(
            BROWSER_COOKIE,
            secrets.token_urlsafe(32),
            max_age=BROWSER_COOKIE_AGE,
            secure=request.is_secure(),
            httponly=True,
            samesite="Lax",
        )
    return response
