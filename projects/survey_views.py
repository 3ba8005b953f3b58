"""Section 五's survey: tallies from paper forms, public links answered online,
and the tables, sentences and charts computed from both."""

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from projects import charts, permissions, survey, survey_template
from projects.forms import SurveyAnswerForm, TallyForm
from projects.models import (
    PaperTally,
    Plan,
    ResponseAnswer,
    SurveyLink,
    SurveyResponse,
)
from projects.permissions import is_applicant_editor, visible_plan


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
    can_edit = permissions.can_edit(request.user, plan)
    form = _tally_form(plan, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not can_edit:
            raise Http404
        if form.is_valid():
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
    """Apply the template questionnaire, or open or close the online survey."""
    plan = visible_plan(request.user, pk)
    if not is_applicant_editor(request.user, plan):
        raise Http404
    if action == "template":
        survey_template.apply_template(plan)
        messages.success(request, _("已加入範本的利害相關者類別與問卷題目，可再修改。"))
        return redirect("projects:section", pk=plan.pk, slug="environment")
    if action not in ("open", "close"):
        raise Http404
    with transaction.atomic():
        plan.survey_open = action == "open"
        Plan.objects.filter(pk=plan.pk).update(survey_open=plan.survey_open)
        for tier in plan.stakeholder_tiers.all():
            SurveyLink.objects.get_or_create(tier=tier)
    messages.success(
        request, _("線上問卷已開放填答。") if plan.survey_open else _("線上問卷已關閉。")
    )
    return redirect("projects:survey", pk=plan.pk)


@login_not_required
def public_survey(request, token):
    """The questionnaire for one tier, answered on a phone without signing in.
    Each visit may send one answer; a closed survey takes none."""
    link = get_object_or_404(SurveyLink.objects.select_related("tier__plan"), token=token)
    tier, plan = link.tier, link.tier.plan
    questions = list(plan.questions.prefetch_related("options"))
    context = {"plan": plan, "tier": tier}
    if not plan.survey_open:
        return render(request, "projects/public_survey_closed.html", context, status=410)
    visits = request.session.setdefault("survey_visits", [])
    if request.method == "POST":
        visit = request.POST.get("visit", "")
        if visit not in visits:
            return render(request, "projects/public_survey_thanks.html", context)
        form = SurveyAnswerForm(request.POST, questions=questions)
        if form.is_valid():
            record_response(tier=tier, questions=questions, data=form.cleaned_data)
            visits.remove(visit)
            request.session.modified = True
            return render(request, "projects/public_survey_thanks.html", context)
    else:
        form = SurveyAnswerForm(questions=questions)
        visit = secrets.token_urlsafe(16)
        visits.append(visit)
        request.session["survey_visits"] = visits[-20:]
    return render(
        request,
        "projects/public_survey.html",
        {**context, "form": form, "visit": visit},
        status=400 if form.errors else 200,
    )


@transaction.atomic
def record_response(*, tier, questions, data) -> SurveyResponse:
    response = SurveyResponse.objects.create(tier=tier)
    for question in questions:
        value = data.get(f"q{question.pk}")
        answer = ResponseAnswer.objects.create(
            response=response,
            question=question,
            yes={"yes": True, "no": False}.get(value) if question.kind == "yes_no" else None,
            text=value if question.kind == "text" and value else "",
        )
        if question.kind == "multi" and value:
            answer.options.set(value)
    return response
