"""Section 五: the survey tables are computed from tallies and online answers."""

import pytest
from django.urls import reverse

from projects import survey, survey_template
from projects.interchange import plan_document
from projects.models import Membership, PaperTally, Plan, SurveyLink, SurveyResponse
from projects.sections import EnvironmentEditor
from projects.services import plan_import
from tests.projects.factories import MembershipFactory, PlanFactory, UserFactory
from tests.projects.formdata import editor_data

pytestmark = pytest.mark.django_db

# The chiller reference plan's paper tallies, per tier (第一級 … 第四級).
SENT = [2, 2, 12, 26]
YES_NO = {
    0: [(2, 0), (2, 0), (12, 0), (26, 0)],
    1: [(2, 0), (2, 0), (10, 2), (15, 11)],
    2: [(2, 0), (2, 0), (12, 0), (25, 1)],
    3: [(2, 0), (2, 0), (12, 0), (24, 2)],
    4: [(2, 0), (2, 0), (12, 0), (22, 4)],
    8: [(0, 2), (0, 2), (0, 12), (0, 26)],
}
MULTI = {
    5: [[2, 2, 2, 2], [2, 2, 2, 2], [12, 12, 12, 12], [20, 21, 23, 14]],
    6: [[2, 2, 2, 2], [2, 2, 2, 2], [12, 11, 11, 12], [15, 12, 13, 13]],
    7: [[2, 2, 2, 2], [2, 2, 2, 2], [12, 11, 11, 12], [19, 18, 20, 14]],
}


def assert_reference_figures(results):
    assert (results.sent, results.returned, results.rate) == (42, 42, 100)
    assert [row.share for row in results.tiers] == [5, 5, 29, 62]
    shares = {r.number: [o.share for o in r.options] for r in results.questions if r.options}
    assert shares == {6: [86, 88, 93, 71], 7: [74, 64, 67, 69], 8: [83, 79, 83, 71]}
    summary = results.summary()
    assert "共計發送42份，收回42份，回收率100%。" in summary
    assert "針對調查對象人數分析，以第四級人數占比62%最多。" in summary
    assert "第6題，有86%的受訪者認為可以減少溫室氣體排放。" in summary


def test_the_chiller_demo_plans_tallies_give_the_reference_figures(demo_document):
    consultation = demo_document("chiller-individual.json")["consultation"]
    assert_reference_figures(survey.compute(consultation))


@pytest.fixture
def editor(client):
    membership = MembershipFactory(role=Membership.Role.EDITOR)
    client.force_login(membership.user)
    plan = PlanFactory(organisation=membership.organisation, applicant_name="家福股份有限公司")
    survey_template.apply_template(plan)
    client.plan = plan
    return client


def set_tiers(client, plan, sent, returned):
    data = editor_data(EnvironmentEditor(Plan.objects.get(pk=plan.pk)))
    for i, (s, r) in enumerate(zip(sent, returned, strict=True)):
        data[f"tiers-{i}-survey_month"] = "109-11"
        data[f"tiers-{i}-copies_sent"] = str(s)
        data[f"tiers-{i}-copies_returned"] = str(r)
    return client.post(reverse("projects:section", args=[plan.pk, "environment"]), data)


def tally_data(plan) -> dict:
    tiers = list(plan.stakeholder_tiers.all())
    questions = list(plan.questions.prefetch_related("options"))
    data = {}
    for t, tier in enumerate(tiers):
        for q, question in enumerate(questions):
            if q in MULTI:
                for o, option in enumerate(question.options.all()):
                    data[f"t{tier.pk}-o{option.pk}"] = str(MULTI[q][t][o])
            else:
                yes, no = YES_NO[q][t]
                data[f"t{tier.pk}-q{question.pk}-yes"] = str(yes)
                data[f"t{tier.pk}-q{question.pk}-no"] = str(no)
    return data


def test_entering_the_reference_tallies_through_the_forms_reproduces_its_tables(editor):
    plan = editor.plan
    assert set_tiers(editor, plan, SENT, SENT).status_code == 302
    assert plan.stakeholder_tiers.first().survey_month == "2020-11"
    response = editor.post(reverse("projects:survey", args=[plan.pk]), tally_data(plan))
    assert response.status_code == 302
    page = editor.get(reverse("projects:survey", args=[plan.pk]))
    assert_reference_figures(page.context["results"])
    html = page.content.decode()
    assert "有86%的受訪者認為可以減少溫室氣體排放" in html
    assert "<svg" in html


def test_returned_over_sent_is_refused_with_the_tiers_kept(editor):
    plan = editor.plan
    response = set_tiers(editor, plan, [2, 2, 12, 26], [2, 3, 12, 26])
    assert response.status_code == 400
    html = response.content.decode()
    assert "回收份數不可多於發送份數。" in html
    assert 'name="tiers-1-copies_returned" value="3"' in html
    assert plan.stakeholder_tiers.get(name="第二級").copies_returned is None


def test_a_tally_over_the_tiers_returns_is_refused_with_every_tally_kept(editor):
    plan = editor.plan
    set_tiers(editor, plan, SENT, SENT)
    data = tally_data(plan)
    tier = plan.stakeholder_tiers.get(name="第一級")
    first = plan.questions.get(order=0)
    data[f"t{tier.pk}-q{first.pk}-yes"] = "3"
    response = editor.post(reverse("projects:survey", args=[plan.pk]), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "第一級此題的回答（是 3、否 0）不可多於紙本回收的 2 份。" in html
    assert f'name="t{tier.pk}-q{first.pk}-yes" value="3"' in html
    assert not PaperTally.objects.exists()


def test_the_questionnaire_can_be_reordered_and_extended(editor):
    plan = editor.plan
    data = editor_data(EnvironmentEditor(Plan.objects.get(pk=plan.pk)))
    data["questions-8-order"] = "0"
    data["questions-0-order"] = "8"
    data["questions-9-order"] = "9"
    data["questions-9-kind"] = "multi"
    data["questions-9-text"] = "您最常從哪裡得知本專案？"
    data["questions-9-options_text"] = "公告\n網站\n鄰里"
    response = editor.post(reverse("projects:section", args=[plan.pk, "environment"]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    texts = [q.text for q in Plan.objects.get(pk=plan.pk).questions.all()]
    assert texts[0] == "是否尚有其他寶貴意見?"
    assert texts[-1] == "您最常從哪裡得知本專案？"
    assert [o.text for o in plan.questions.get(text="您最常從哪裡得知本專案？").options.all()] == [
        "公告",
        "網站",
        "鄰里",
    ]


@pytest.fixture
def link(editor):
    plan = editor.plan
    set_tiers(editor, plan, SENT, [1, 2, 12, 26])
    editor.post(reverse("projects:survey_action", args=[plan.pk, "open"]))
    return SurveyLink.objects.get(tier__name="第一級")


def answer(client, link):
    url = reverse("projects:public_survey", args=[link.token])
    page = client.get(url)
    form = page.context["form"]
    data = {}
    for question in form.questions:
        if question.kind == "yes_no":
            data[f"q{question.pk}"] = "yes"
        elif question.kind == "multi":
            data[f"q{question.pk}"] = [str(question.options.first().pk)]
        else:
            data[f"q{question.pk}"] = "很好的專案"
    return url, data, client.post(url, data)


def test_an_answer_through_a_public_link_counts_once_without_signing_in(client, link):
    client.logout()
    url, data, response = answer(client, link)
    assert "感謝您的填答" in response.content.decode()
    assert SurveyResponse.objects.filter(tier=link.tier).count() == 1
    assert client.post(url, data).status_code == 409  # the same browser sent it again
    assert SurveyResponse.objects.filter(tier=link.tier).count() == 1
    results = survey.compute(survey.survey_data(link.tier.plan))
    first = results.tiers[0]
    assert (first.returned, first.rate) == (2, 100)
    assert results.questions[0].yes_no[0] == (1, 0)
    assert results.questions[5].options[0].per_tier[0] == 1


def test_a_closed_survey_takes_no_answer(client, editor, link):
    editor.post(reverse("projects:survey_action", args=[editor.plan.pk, "close"]))
    editor.logout()
    response = client.get(reverse("projects:public_survey", args=[link.token]))
    assert response.status_code == 410
    assert "此問卷目前未開放填答" in response.content.decode()


def test_an_unanswered_yes_no_question_is_named(client, link):
    client.logout()
    url = reverse("projects:public_survey", args=[link.token])
    client.get(url)
    response = client.post(url, {})
    assert response.status_code == 400
    assert "請選擇「是」或「否」。" in response.content.decode()
    assert not SurveyResponse.objects.exists()


def test_a_guessed_token_finds_nothing(client):
    assert client.get(reverse("projects:public_survey", args=["guess"])).status_code == 404


def test_an_outsider_cannot_see_or_change_the_survey(client, link):
    client.force_login(UserFactory())
    plan = link.tier.plan
    assert client.get(reverse("projects:survey", args=[plan.pk])).status_code == 404
    client.post(reverse("projects:survey_action", args=[plan.pk, "close"]))
    assert Plan.objects.get(pk=plan.pk).survey_open


def test_online_answers_travel_in_the_document_as_counts(client, link, demo_document):
    client.logout()
    answer(client, link)
    consultation = plan_document(link.tier.plan)["consultation"]
    tier = consultation["tiers"][0]
    assert tier["returned"] == 2
    assert {"question": 0, "yes": 1, "no": 0} in tier["answers"]
    document = demo_document("chiller-individual.json")
    document["consultation"] = consultation
    copy = plan_import(document=document, create_programmes=True)
    assert survey.compute(survey.survey_data(copy)).tiers[0].returned == 2


# -- the applicant's answer to each concern ------------------------------------------


def test_the_template_answers_each_negative_impact_after_its_share(editor):
    plan = editor.plan
    negative = plan.questions.get(order=6)
    assert [o.response for o in negative.options.all()][0] == "將提出設備相符證明"
    for tier in plan.stakeholder_tiers.all():  # one respondent, every option ticked
        tier.copies_sent = tier.copies_returned = 1
        tier.save()
        for option in negative.options.all():
            PaperTally.objects.create(tier=tier, question=negative, option=option, count=1)
    paragraphs = survey.compute(survey.survey_data(plan)).question_paragraphs()
    assert (
        "針對公眾意見第7題，有100%的受訪者認為監控系統與既有設備不相容，造成運轉不穩定，"
        "將提出設備相符證明；100%的受訪者認為施工過程會引起粉塵飛揚，"
        "將持續加強施工控管，減少粉塵產生；"
    ) in paragraphs[1]
    assert paragraphs[1].endswith("協助指揮車輛進場，避免交通堵塞。")


def test_responses_are_typed_one_line_per_option_with_blank_lines_kept(editor):
    plan = editor.plan
    data = editor_data(EnvironmentEditor(Plan.objects.get(pk=plan.pk)))
    data["questions-5-responses_text"] = "\n將裝設分電錶\n"
    response = editor.post(reverse("projects:section", args=[plan.pk, "environment"]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    positive = plan.questions.get(order=5)
    assert [o.response for o in positive.options.all()] == ["", "將裝設分電錶", "", ""]
    document = plan_document(Plan.objects.get(pk=plan.pk))
    assert document["consultation"]["questions"][5]["responses"] == ["", "將裝設分電錶", "", ""]
    assert "responses" not in document["consultation"]["questions"][0]  # a yes/no question


def test_more_responses_than_options_are_refused_at_their_field_and_kept(editor):
    plan = editor.plan
    data = editor_data(EnvironmentEditor(Plan.objects.get(pk=plan.pk)))
    data["questions-5-responses_text"] = "一\n二\n三\n四\n五"
    data["questions-0-responses_text"] = "是非題的回應"
    response = editor.post(reverse("projects:section", args=[plan.pk, "environment"]), data)
    assert response.status_code == 400
    forms = response.context["editor"].formsets["questions"].forms
    assert forms[5].errors["responses_text"] == ["回應有 5 行，多於 4 個選項；每行對應一個選項。"]
    assert forms[0].errors["responses_text"] == ["只有複選題的選項可以填寫回應。"]
    assert "一\n二\n三\n四\n五</textarea>" in response.content.decode()
    assert plan.questions.get(order=5).options.first().response == ""


def test_an_over_long_option_is_refused_at_its_field_not_by_the_database(editor):
    plan = editor.plan
    data = editor_data(EnvironmentEditor(Plan.objects.get(pk=plan.pk)))
    data["questions-5-options_text"] = "長" * 201 + "\n短"
    response = editor.post(reverse("projects:section", args=[plan.pk, "environment"]), data)
    assert response.status_code == 400
    forms = response.context["editor"].formsets["questions"].forms
    assert "每個選項最多 200 字" in forms[5].errors["options_text"][0]


def test_responses_round_trip_through_the_document_and_are_checked_on_import(demo_document):
    document = demo_document("chiller-individual.json")
    plan = plan_import(document=document, create_programmes=True)
    exported = plan_document(plan)["consultation"]["questions"]
    assert exported[6]["responses"][0] == "本店將提出設備相符證明"
    assert exported == document["consultation"]["questions"]

    from methodologies.engine import DocumentErrors

    bad = demo_document("chiller-individual.json")
    questions = bad["consultation"]["questions"]
    questions[6]["responses"] = ["只有一則"]
    questions[0]["responses"] = []
    questions[5]["responses"] = ["", 3, "", "x" * 501]
    with pytest.raises(DocumentErrors) as refused:
        plan_import(document=bad, create_programmes=True)
    assert {(e.path, e.message) for e in refused.value.errors} >= {
        ("consultation.questions[6].responses", "needs one response per option"),
        ("consultation.questions[0].responses", "only multi-choice questions have responses"),
        ("consultation.questions[5].responses[1]", "must be a string"),
        ("consultation.questions[5].responses[3]", "longer than 500 characters"),
    }
