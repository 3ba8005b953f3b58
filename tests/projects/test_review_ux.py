"""Review on the section pages, approval with open comments, the preview's field
marks, deleting drafts, the approved PDF first and a navigator that explains itself."""

import json
import logging
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projects import services, workflow
from projects.models import Attachment, Membership, Organisation, Plan, PlanEvent
from projects.sections import CalculationEditor
from projects.services import PlanError, comment_add, comment_resolve, plan_import
from tests.projects.factories import MembershipFactory, UserFactory
from tests.projects.formdata import editor_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(demo_document, settings, tmp_path):
    """The chiller plan, its editor, a read-only member and a reviewer of its authority."""
    settings.MEDIA_ROOT = tmp_path
    plan = plan_import(document=demo_document("chiller-individual.json"))
    authority = Organisation.objects.create(name="審查機關", kind=Organisation.Kind.AUTHORITY)
    Plan.objects.filter(pk=plan.pk).update(authority=authority)
    plan.refresh_from_db()

    def member(name, organisation, role):
        user = UserFactory(username=name)
        MembershipFactory(user=user, organisation=organisation, role=role)
        return user

    class People:
        pass

    p = People()
    p.plan = plan
    p.editor = member("editor", plan.organisation, Membership.Role.EDITOR)
    p.viewer = member("viewer", plan.organisation, Membership.Role.VIEWER)
    p.reviewer = member("reviewer", authority, Membership.Role.REVIEWER)
    return p


def take(people, user, name, **kwargs):
    return workflow.plan_transition(plan=people.plan, user=user, name=name, **kwargs)


@pytest.fixture
def under_review(people):
    take(people, people.editor, "submit")
    take(people, people.reviewer, "start_review")
    people.plan.refresh_from_db()
    return people


def client_of(client, user):
    client.force_login(user)
    return client


def section_url(plan, slug):
    return reverse("projects:section", args=[plan.pk, slug])


# -- comments on the section they are about ----------------------------------------


def test_a_section_page_shows_its_open_comments_with_replies_and_no_others(client, under_review):
    p = under_review
    thread = comment_add(
        plan=p.plan, user=p.reviewer, section="calculation", field="年運轉時數", text="請依紀錄"
    )
    comment_add(
        plan=p.plan, user=p.editor, section="", field="", text="已更正為 4,700", parent=thread.pk
    )
    resolved = comment_add(plan=p.plan, user=p.reviewer, section="calculation", field="", text="舊")
    comment_resolve(comment=resolved, user=p.reviewer)
    comment_add(plan=p.plan, user=p.reviewer, section="basic", field="", text="別章的意見")

    page = client_of(client, p.editor).get(section_url(p.plan, "calculation"))

    text = page.content.decode()
    assert [c.pk for c in page.context["section_comments"]] == [thread.pk]
    assert "請依紀錄" in text and "已更正為 4,700" in text
    assert "別章的意見" not in text and "舊" not in page.context["section_comments"][0].text
    assert f'data-comment="{thread.pk}"' in text
    # An applicant editor replies; only reviewers resolve.
    assert 'data-role="reply-form"' in text and 'data-role="resolve-form"' not in text


def test_a_reviewer_resolves_and_comments_from_the_section_page(client, under_review):
    p = under_review
    comment_add(plan=p.plan, user=p.reviewer, section="basic", field="", text="請補製作日期")

    text = client_of(client, p.reviewer).get(section_url(p.plan, "basic")).content.decode()

    assert 'data-role="resolve-form"' in text and 'data-role="new-section-comment"' in text


def test_a_read_only_member_sees_the_comments_without_actions(client, under_review):
    p = under_review
    comment_add(plan=p.plan, user=p.reviewer, section="basic", field="", text="請補製作日期")

    text = client_of(client, p.viewer).get(section_url(p.plan, "basic")).content.decode()

    assert "請補製作日期" in text
    assert 'data-role="reply-form"' not in text and 'data-role="resolve-form"' not in text


def test_a_reply_from_a_section_page_comes_back_to_that_page(client, under_review):
    p = under_review
    thread = comment_add(plan=p.plan, user=p.reviewer, section="basic", field="", text="請補")
    back = section_url(p.plan, "basic") + f"#comment-{thread.pk}"

    response = client_of(client, p.editor).post(
        reverse("projects:comment_add", args=[p.plan.pk]),
        {"section": "basic", "text": "已補", "parent": thread.pk, "next": back},
    )

    assert response.status_code == 302 and response.url == back
    assert thread.replies.get().text == "已補"


def test_a_resolve_from_a_section_page_comes_back_to_that_page(client, under_review):
    p = under_review
    thread = comment_add(plan=p.plan, user=p.reviewer, section="basic", field="", text="請補")
    back = section_url(p.plan, "basic")

    response = client_of(client, p.reviewer).post(
        reverse("projects:comment_resolve", args=[p.plan.pk, thread.pk]), {"next": back}
    )

    assert response.url == back
    thread.refresh_from_db()
    assert thread.resolved_at is not None


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/plans/{pk}/",
        "//evil.example/plans/{pk}/",
        "/admin/",
        "/plans/{other}/sections/basic/",
        "/plans/{pk}/../../admin/",
        "/plans/{pk}/%2e%2e/%2E%2E/admin/",
        "/plans/{pk}/sections/basic/\\\\evil.example",
    ],
)
def test_a_next_that_is_not_one_of_the_plans_pages_returns_to_the_plan_page(
    client, under_review, target
):
    p = under_review
    thread = comment_add(plan=p.plan, user=p.reviewer, section="basic", field="", text="請補")
    target = target.format(pk=p.plan.pk, other=p.plan.pk + 1)

    response = client_of(client, p.editor).post(
        reverse("projects:comment_add", args=[p.plan.pk]),
        {"section": "basic", "text": "已補", "parent": thread.pk, "next": target},
    )

    assert response.url == p.plan.get_absolute_url() + "#comments"


# -- approving with open comments ----------------------------------------------------


def test_approving_with_open_comments_is_refused_naming_how_many(under_review):
    p = under_review
    comment_add(plan=p.plan, user=p.reviewer, section="basic", field="", text="一")
    thread = comment_add(plan=p.plan, user=p.reviewer, section="calculation", field="", text="二")
    comment_add(plan=p.plan, user=p.editor, section="", field="", text="回覆", parent=thread.pk)

    with pytest.raises(PlanError, match="仍有 2 則未處理的意見"):
        take(p, p.reviewer, "approve")

    assert Plan.objects.get(pk=p.plan.pk).status == Plan.Status.UNDER_REVIEW
    plan = take(p, p.reviewer, "approve", confirm_open_comments=True)
    assert plan.status == Plan.Status.APPROVED


def test_approving_with_every_comment_resolved_needs_no_confirmation(under_review):
    p = under_review
    thread = comment_add(plan=p.plan, user=p.reviewer, section="basic", field="", text="一")
    comment_resolve(comment=thread, user=p.reviewer)

    assert take(p, p.reviewer, "approve").status == Plan.Status.APPROVED


def test_the_approve_button_asks_to_confirm_the_open_comments(client, under_review):
    p = under_review
    comment_add(plan=p.plan, user=p.reviewer, section="basic", field="", text="一")
    reviewer = client_of(client, p.reviewer)

    page = reviewer.get(p.plan.get_absolute_url()).content.decode()
    assert "我已確認仍有 1 則未處理的意見" in page
    assert re.search(r'name="confirm_open_comments" value="1"[^>]*required', page)

    url = reverse("projects:transition", args=[p.plan.pk, "approve"])
    refused = reviewer.post(url, follow=True)
    assert Plan.objects.get(pk=p.plan.pk).status == Plan.Status.UNDER_REVIEW
    assert "仍有 1 則未處理的意見" in refused.content.decode()

    reviewer.post(url, {"confirm_open_comments": "1"})
    assert Plan.objects.get(pk=p.plan.pk).status == Plan.Status.APPROVED


def test_a_comment_added_after_the_confirmation_was_shown_is_not_approved_over(
    client, under_review
):
    p = under_review
    comment_add(plan=p.plan, user=p.reviewer, section="basic", field="", text="一")
    reviewer = client_of(client, p.reviewer)
    reviewer.get(p.plan.get_absolute_url())  # the page confirms 1 open comment …
    comment_add(plan=p.plan, user=p.reviewer, section="calculation", field="", text="二")
    url = reverse("projects:transition", args=[p.plan.pk, "approve"])
    refused = reviewer.post(url, {"confirm_open_comments": "1"}, follow=True)  # … 2 now
    assert Plan.objects.get(pk=p.plan.pk).status == Plan.Status.UNDER_REVIEW
    assert "仍有 2 則未處理的意見" in refused.content.decode()


def test_a_stored_check_whose_params_do_not_fit_its_wording_shows_its_own_detail():
    from projects.presentation import check_detail

    check = {
        "id": "savings_cap",
        "status": "pass",
        "detail": "0.00896 GWh ≤ 60 GWh",
        "code": "savings_cap.within",
        "params": {},
    }
    assert check_detail(check) == "0.00896 GWh ≤ 60 GWh"


# -- the preview marks the fields it reports --------------------------------------------


def preview(client, people, slug, data):
    url = reverse("projects:preview", args=[people.plan.pk, slug])
    return client_of(client, people.editor).post(url, data)


def field_errors(response) -> dict:
    found = re.search(
        r'<script id="preview-field-errors" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert found, "the preview names no fields"
    return json.loads(found.group(1))


def test_the_preview_names_each_field_in_error_for_the_page_to_mark(client, people):
    data = editor_data(CalculationEditor(people.plan))
    data["plan-line_loss"] = "abc"
    data["baseline-groups-0-count"] = "many"

    response = preview(client, people, "calculation", data)

    errors = field_errors(response)
    assert set(errors) == {"plan-line_loss", "baseline-groups-0-count"}
    assert all(errors.values())
    assert response.context["invalid"] == 2


def test_the_preview_lists_the_errors_it_cannot_mark_on_a_field(client, people):
    data = editor_data(CalculationEditor(people.plan))
    data["baseline-groups-TOTAL_FORMS"] = "201"  # more groups than a side may hold

    response = preview(client, people, "calculation", data)

    assert response.context["invalid"] >= 1
    assert response.context["other_errors"]
    assert 'data-role="other-errors"' in response.content.decode()


def test_a_valid_preview_clears_every_mark(client, people):
    response = preview(client, people, "calculation", editor_data(CalculationEditor(people.plan)))

    assert field_errors(response) == {}


def test_a_page_that_is_not_a_preview_sends_no_field_list(client, people):
    page = client_of(client, people.editor).get(section_url(people.plan, "calculation"))

    assert 'id="preview-field-errors"' not in page.content.decode()


# -- section 五's template text ---------------------------------------------------------


def test_the_environment_page_inserts_the_template_text_and_holds_the_questionnaire_template(
    client, people
):
    people.plan.questions.all().delete()

    text = client_of(client, people.editor).get(section_url(people.plan, "environment"))
    text = text.content.decode()

    # The wording goes into the text box on the page (plan-form.js), asking before replacing.
    assert 'data-fill-target="id_plan-environment_construction"' in text
    assert re.search(r'data-fill-text="本專案屬設備效能提升專案[^"]*" data-confirm="[^"]+"', text)
    # The questionnaire template leaves the page: it waits while anything is unsaved.
    assert 'data-needs-saved="survey-template-hint"' in text
    assert 'id="survey-template-hint" hidden' in text


# -- deleting a draft ------------------------------------------------------------------


@pytest.fixture
def draft(people):
    Attachment.objects.create(
        plan=people.plan,
        label="附件一",
        description="x",
        file=SimpleUploadedFile("a.pdf", b"%PDF-1.4", content_type="application/pdf"),
    )
    return people


def test_an_editor_deletes_a_never_submitted_draft_with_its_files_and_it_is_logged(
    client, draft, caplog, django_capture_on_commit_callbacks
):
    p = draft
    path = Attachment.objects.get(plan=p.plan, description="x").file.path
    audit = logging.getLogger("projects.audit")
    audit.addHandler(caplog.handler)  # the audit logger does not propagate
    caplog.set_level(logging.INFO, logger="projects.audit")
    editor = client_of(client, p.editor)
    url = reverse("projects:plan_delete", args=[p.plan.pk])

    confirm = editor.get(url)
    assert confirm.status_code == 200 and p.plan.title in confirm.content.decode()
    assert Plan.objects.filter(pk=p.plan.pk).exists()
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = editor.post(url)
    finally:
        audit.removeHandler(caplog.handler)

    assert response.url == reverse("projects:plan_list")
    assert not Plan.objects.filter(pk=p.plan.pk).exists()
    assert not Attachment.objects.exists() and not PlanEvent.objects.exists()
    assert not __import__("os").path.exists(path)
    line = next(r for r in caplog.records if r.name == "projects.audit")
    assert f"user={p.editor.pk}" in line.getMessage()
    assert f"plan={p.plan.pk}" in line.getMessage() and p.plan.title in line.getMessage()


def test_a_plan_submitted_once_is_not_deleted_even_as_a_draft_again(client, people):
    take(people, people.editor, "submit")
    take(people, people.editor, "withdraw")
    plan = Plan.objects.get(pk=people.plan.pk)
    assert plan.status == Plan.Status.DRAFT

    with pytest.raises(PlanError):
        services.plan_delete(plan=plan, user=people.editor)
    response = client_of(client, people.editor).post(
        reverse("projects:plan_delete", args=[plan.pk])
    )

    assert response.status_code == 404
    assert Plan.objects.filter(pk=plan.pk).exists()
    assert 'data-role="delete-plan"' not in client.get(plan.get_absolute_url()).content.decode()


def test_a_read_only_member_cannot_delete_a_draft(client, people):
    with pytest.raises(PlanError):
        services.plan_delete(plan=people.plan, user=people.viewer)
    assert Plan.objects.filter(pk=people.plan.pk).exists()


def test_the_plan_page_offers_deleting_a_never_submitted_draft_to_its_editors(client, people):
    page = client_of(client, people.editor).get(people.plan.get_absolute_url()).content.decode()

    assert reverse("projects:plan_delete", args=[people.plan.pk]) in page


# -- the approved PDF first -------------------------------------------------------------


def test_an_approved_plan_offers_its_approved_pdf_first_and_no_draft_pdf(client, under_review):
    p = under_review
    take(p, p.reviewer, "approve")

    page = client_of(client, p.editor).get(p.plan.get_absolute_url()).content.decode()

    approved_pdf = reverse("reports:version_pdf", args=[p.plan.pk, 1])
    assert re.search(rf'class="btn btn-primary" href="{approved_pdf}"', page)
    assert reverse("reports:draft_pdf", args=[p.plan.pk]) not in page
    assert "草稿 PDF" not in page


def test_a_rejected_plan_offers_no_draft_pdf(client, under_review):
    p = under_review
    take(p, p.reviewer, "reject", comment="不符")

    page = client_of(client, p.editor).get(p.plan.get_absolute_url()).content.decode()

    assert reverse("reports:draft_pdf", args=[p.plan.pk]) not in page
    assert reverse("reports:version_pdf", args=[p.plan.pk, 1]) in page


def test_a_draft_still_offers_its_draft_pdf(client, people):
    page = client_of(client, people.editor).get(people.plan.get_absolute_url()).content.decode()

    assert reverse("reports:draft_pdf", args=[people.plan.pk]) in page


# -- the navigator explains itself --------------------------------------------------


def marks(response):
    return {item["slug"]: item for item in response.context["navigator"]}


def test_each_navigator_mark_says_what_it_means_and_the_legend_is_shown_once(client, people):
    page = client_of(client, people.editor).get(people.plan.get_absolute_url())

    text = page.content.decode()
    assert text.count('data-role="navigator-legend"') == 1
    for found in re.finditer(r'data-role="state-mark"', text):
        mark = text[found.start() - 200 : found.end() + 200]
        assert re.search(r'title="(已完成|未完成|有錯誤|選填內容未填寫)', mark)
    assert text.count('class="visually-hidden"') >= len(page.context["navigator"])


def test_the_calculation_mark_says_which_check_fails(client, people):
    results = dict(people.plan.results)
    results["checks"] = [
        {**check, "status": "fail"} if check["id"] == "refrigerant_odp" else check
        for check in results["checks"]
    ]
    Plan.objects.filter(pk=people.plan.pk).update(results=results)

    page = client_of(client, people.editor).get(people.plan.get_absolute_url())

    calculation = marks(page)["calculation"]
    assert calculation["state"] == "error"
    assert "專案冷媒不具臭氧破壞潛勢" in calculation["reason"]
    assert "refrigerant_odp" not in calculation["reason"]
    assert calculation["reason"] in page.content.decode()


def test_an_incomplete_calculation_says_so(client, people):
    Plan.objects.filter(pk=people.plan.pk).update(results=None, line_loss=None)

    page = client_of(client, people.editor).get(section_url(people.plan, "basic"))

    calculation = marks(page)["calculation"]
    assert calculation["state"] == "incomplete" and calculation["reason"]


def test_an_approved_plan_shows_the_frozen_state_not_incomplete(client, under_review):
    p = under_review
    take(p, p.reviewer, "approve")
    # Content the submission did not require (stakeholder tiers, attachments) is missing.
    p.plan.stakeholder_tiers.all().delete()
    p.plan.attachments.all().delete()
    assert not workflow.submission_problems(Plan.objects.get(pk=p.plan.pk))

    page = client_of(client, p.editor).get(p.plan.get_absolute_url())

    states = {slug: item["state"] for slug, item in marks(page).items()}
    assert "incomplete" not in states.values()
    assert states["environment"] == "complete"
    assert states["attachments"] == "optional"
    assert "選填內容未填寫" in page.content.decode()
