"""Section 五's survey holds: capped answers, one per browser, throttled, and no
change to a plan that is not editable."""

import hashlib

import pytest
from django.test import Client
from django.urls import reverse

from projects import survey, survey_template, workflow
from projects.interchange import plan_document
from projects.models import (
    Membership,
    Organisation,
    Plan,
    StakeholderTier,
    SurveyLink,
    SurveyResponse,
)
from projects.services import plan_import
from tests.projects.factories import MembershipFactory, PlanFactory
from tests.projects.test_survey import SENT, set_tiers

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    membership = MembershipFactory(role=Membership.Role.EDITOR)
    client.force_login(membership.user)
    plan = PlanFactory(organisation=membership.organisation, applicant_name="家福股份有限公司")
    survey_template.apply_template(plan)
    client.plan = plan
    return client


@pytest.fixture
def opened(editor):
    """The survey open; 第一級 has room for 1 online answer, 第三級 for 10."""
    plan = editor.plan
    assert set_tiers(editor, plan, SENT, [1, 2, 2, 26]).status_code == 302
    editor.post(reverse("projects:survey_action", args=[plan.pk, "open"]))
    return editor


def token(plan, tier_name) -> str:
    return SurveyLink.objects.get(tier__plan=plan, tier__name=tier_name).token


def answers(plan) -> dict:
    data = {}
    for question in plan.questions.prefetch_related("options"):
        if question.kind == "yes_no":
            data[f"q{question.pk}"] = "yes"
        elif question.kind == "multi":
            data[f"q{question.pk}"] = [str(question.options.first().pk)]
        else:
            data[f"q{question.pk}"] = "很好的專案"
    return data


def answer(browser, plan, link_token):
    """Open the public page in this browser and send a complete answer."""
    url = reverse("projects:public_survey", args=[link_token])
    assert browser.get(url).status_code in (200, 409, 410)
    return browser.post(url, answers(plan))


def online(plan, tier_name) -> int:
    return SurveyResponse.objects.filter(tier__plan=plan, tier__name=tier_name).count()


def test_online_answers_beyond_copies_sent_less_paper_are_refused(opened):
    plan = opened.plan
    first = token(plan, "第一級")  # sent 2, paper 1: room for one online answer
    assert "感謝您的填答" in answer(Client(), plan, first).content.decode()
    refused = [answer(Client(), plan, first) for _ in range(3)]
    assert {response.status_code for response in refused} == {410}
    assert "問卷份數已收齊" in refused[0].content.decode()
    assert online(plan, "第一級") == 1
    page = Client().get(reverse("projects:public_survey", args=[first]))
    assert page.status_code == 410
    assert "問卷份數已收齊" in page.content.decode()
    assert 'name="q' not in page.content.decode()


def test_the_applicants_save_still_works_after_the_tier_is_answered_in_full(opened):
    plan = opened.plan
    first = token(plan, "第一級")
    for _ in range(4):
        answer(Client(), plan, first)
    assert set_tiers(opened, plan, SENT, [1, 2, 2, 26]).status_code == 302


def test_a_tier_with_no_copies_sent_takes_no_online_answer(editor):
    plan = editor.plan
    editor.post(reverse("projects:survey_action", args=[plan.pk, "open"]))
    response = answer(Client(), plan, token(plan, "第一級"))
    assert response.status_code == 410
    assert online(plan, "第一級") == 0


def test_a_second_answer_from_the_same_browser_is_refused(opened):
    plan = opened.plan
    third = token(plan, "第三級")
    browser = Client()
    assert "感謝您的填答" in answer(browser, plan, third).content.decode()
    again = answer(browser, plan, third)
    assert again.status_code == 409
    assert "您已填答過" in again.content.decode()
    assert online(plan, "第三級") == 1
    stored = SurveyResponse.objects.get(tier__name="第三級").browser
    assert stored == hashlib.sha256(browser.cookies["survey_browser"].value.encode()).hexdigest()
    assert "感謝您的填答" in answer(Client(), plan, third).content.decode()
    assert online(plan, "第三級") == 2


def test_an_answer_without_the_browser_cookie_is_refused_with_the_answers_kept(opened):
    plan = opened.plan
    url = reverse("projects:public_survey", args=[token(plan, "第三級")])
    data = answers(plan)
    response = Client().post(url, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Cookie" in html
    assert 'value="很好的專案"' in html or "很好的專案</textarea>" in html
    assert online(plan, "第三級") == 0


def test_posts_beyond_the_throttle_answer_429(opened):
    plan = opened.plan
    url = reverse("projects:public_survey", args=[token(plan, "第三級")])
    browser = Client()
    browser.get(url)
    statuses = [browser.post(url, {}).status_code for _ in range(10)]
    assert set(statuses) == {400}
    throttled = Client().post(url, answers(plan))
    assert throttled.status_code == 429
    assert "請稍後再試" in throttled.content.decode()
    assert online(plan, "第三級") == 0


@pytest.mark.parametrize("status", [Plan.Status.SUBMITTED, Plan.Status.APPROVED])
@pytest.mark.parametrize("action", ["open", "close", "template"])
def test_survey_actions_are_refused_on_a_plan_that_is_not_editable(opened, status, action):
    plan = opened.plan
    if action == "template":
        plan.questions.all().delete()
        plan.stakeholder_tiers.all().delete()
    if action == "open":
        opened.post(reverse("projects:survey_action", args=[plan.pk, "close"]))
    before = (
        Plan.objects.get(pk=plan.pk).survey_open,
        sorted(SurveyLink.objects.values_list("token", flat=True)),
        plan.questions.count(),
        plan.stakeholder_tiers.count(),
    )
    Plan.objects.filter(pk=plan.pk).update(status=status)
    response = opened.post(reverse("projects:survey_action", args=[plan.pk, action]))
    assert response.status_code == 403
    after = (
        Plan.objects.get(pk=plan.pk).survey_open,
        sorted(SurveyLink.objects.values_list("token", flat=True)),
        plan.questions.count(),
        plan.stakeholder_tiers.count(),
    )
    assert after == before


@pytest.mark.parametrize("status", [Plan.Status.SUBMITTED, Plan.Status.APPROVED])
def test_public_answers_are_refused_while_the_plan_is_not_editable(opened, status):
    plan = opened.plan
    third = token(plan, "第三級")
    browser = Client()
    url = reverse("projects:public_survey", args=[third])
    browser.get(url)
    Plan.objects.filter(pk=plan.pk).update(status=status)
    response = browser.post(url, answers(plan))
    assert response.status_code == 410
    assert "此問卷目前未開放填答" in response.content.decode()
    assert online(plan, "第三級") == 0
    assert browser.get(url).status_code == 410


def test_answers_never_change_a_submitted_version(client, demo_document):
    plan = plan_import(document=demo_document("chiller-individual.json"), create_programmes=True)
    authority = Organisation.objects.create(name="審查機關", kind=Organisation.Kind.AUTHORITY)
    Plan.objects.filter(pk=plan.pk).update(authority=authority)
    membership = MembershipFactory(organisation=plan.organisation, role=Membership.Role.EDITOR)
    StakeholderTier.objects.filter(plan=plan, name="第四級").update(copies_sent=30)
    client.force_login(membership.user)
    client.post(reverse("projects:survey_action", args=[plan.pk, "open"]))
    fourth = token(plan, "第四級")
    assert "感謝您的填答" in answer(Client(), plan, fourth).content.decode()
    workflow.plan_transition(plan=plan, user=membership.user, name="submit")
    plan.refresh_from_db()
    frozen = plan.current_version.document["consultation"]
    assert frozen == plan_document(plan)["consultation"]
    assert answer(Client(), plan, fourth).status_code == 410
    assert online(plan, "第四級") == 1
    plan.refresh_from_db()
    assert plan.current_version.document["consultation"] == frozen
    assert plan_document(plan)["consultation"] == frozen


def test_a_reopened_survey_gets_a_new_token(opened):
    plan = opened.plan
    old = token(plan, "第三級")
    opened.post(reverse("projects:survey_action", args=[plan.pk, "open"]))  # already open
    assert token(plan, "第三級") == old
    opened.post(reverse("projects:survey_action", args=[plan.pk, "close"]))
    assert Client().get(reverse("projects:public_survey", args=[old])).status_code == 410
    opened.post(reverse("projects:survey_action", args=[plan.pk, "open"]))
    new = token(plan, "第三級")
    assert new != old
    assert Client().get(reverse("projects:public_survey", args=[old])).status_code == 404
    assert Client().get(reverse("projects:public_survey", args=[new])).status_code == 200


def record(plan, tier_name, browser):
    """Record an answer through the service, as the page does after its own check."""
    questions = list(plan.questions.prefetch_related("options"))
    data = {f"q{q.pk}": "yes" for q in questions if q.kind == "yes_no"}
    tier = plan.stakeholder_tiers.get(name=tier_name)
    return survey.record_response(tier_id=tier.pk, questions=questions, data=data, browser=browser)


@pytest.mark.parametrize(
    ("tier_name", "browser", "status", "reason"),
    [
        ("第一級", "b" * 64, Plan.Status.DRAFT, "full"),
        ("第三級", "a" * 64, Plan.Status.DRAFT, "answered"),
        ("第三級", "b" * 64, Plan.Status.SUBMITTED, "closed"),
    ],
)
def test_recording_refuses_under_the_lock_whatever_the_page_saw(
    opened, tier_name, browser, status, reason
):
    plan = opened.plan
    record(plan, tier_name, "a" * 64)
    Plan.objects.filter(pk=plan.pk).update(status=status)
    with pytest.raises(survey.SurveyRefused) as refused:
        record(plan, tier_name, browser)
    assert refused.value.reason == reason
    assert online(plan, tier_name) == 1
