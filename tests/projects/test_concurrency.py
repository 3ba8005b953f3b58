"""One writer per plan at a time: a section save locks the plan, writes only its
own fields, refuses a page read before someone else's save (showing both
values, losing nothing typed), and a live preview never commits or collides."""

import threading
import time

import pytest
from django.db import connection
from django.urls import reverse

from projects.forms import GroupForm
from projects.models import Membership, Plan, PlanRefrigerant
from projects.sections import ActivityEditor, BasicEditor, CalculationEditor
from projects.workflow import plan_transition
from tests.projects.factories import MembershipFactory, UserFactory, chiller_with_people
from tests.projects.formdata import editor_data


def _chiller(demo_document):
    return chiller_with_people(demo_document("chiller-individual.json"))


@pytest.fixture
def chiller(db, demo_document):
    return _chiller(demo_document)


def section_url(plan, slug):
    return reverse("projects:section", args=[plan.pk, slug])


def page_data(plan, editor_class):
    """What the page shows now, as its form would send it back."""
    return editor_data(editor_class(Plan.objects.get(pk=plan.pk)))


def test_a_section_save_after_the_plan_was_submitted_is_refused_and_keeps_the_new_version(
    client, chiller
):
    plan, editor, reviewer = chiller
    plan_transition(plan=plan, user=editor, name="submit")
    plan_transition(plan=plan, user=reviewer, name="start_review")
    plan_transition(plan=plan, user=reviewer, name="request_changes", comment="請修正")
    client.force_login(editor)
    data = page_data(plan, CalculationEditor)  # the page is open on section 四 …
    plan_transition(plan=plan, user=editor, name="submit")  # … when it is submitted (v2)

    response = client.post(section_url(plan, "calculation"), data)

    assert response.status_code == 409
    assert "無法儲存" in response.content.decode()
    plan = Plan.objects.get(pk=plan.pk)
    assert plan.status == Plan.Status.SUBMITTED
    assert plan.current_version.number == 2
    # The record still works: review goes on without a 500.
    plan_transition(plan=plan, user=reviewer, name="start_review")


def test_a_section_form_writes_only_its_own_fields(chiller):
    plan, editor, _ = chiller
    stale = Plan.objects.get(pk=plan.pk)  # read while still a draft
    Plan.objects.filter(pk=plan.pk).update(
        status=Plan.Status.SUBMITTED, leakage_note="saved elsewhere"
    )
    data = {
        key: value[0] if isinstance(value, list) else value
        for key, value in page_data(plan, BasicEditor).items()
    }
    form = BasicEditor(stale, data | {"plan-title": "新名稱"}).form
    assert form.is_valid(), form.errors
    form.save()
    plan = Plan.objects.get(pk=plan.pk)
    assert plan.title == "新名稱"
    assert plan.status == Plan.Status.SUBMITTED
    assert plan.leakage_note == "saved elsewhere"


def test_the_later_of_two_saves_from_one_read_is_refused_showing_both_values(client, chiller):
    plan, editor, _ = chiller
    other = UserFactory(username="colleague")
    MembershipFactory(user=other, organisation=plan.organisation, role=Membership.Role.EDITOR)
    mine = page_data(plan, BasicEditor) | {"plan-title": "我的名稱"}
    theirs = page_data(plan, BasicEditor) | {"plan-title": "同事的名稱"}
    client.force_login(other)
    assert client.post(section_url(plan, "basic"), theirs).status_code == 302

    client.force_login(editor)
    response = client.post(section_url(plan, "basic"), mine)

    assert response.status_code == 409
    page = response.content.decode()
    assert 'data-role="save-conflicts"' in page
    assert "同事的名稱" in page  # the saved value, in the comparison
    assert 'value="我的名稱"' in page  # what was typed is still in the form
    assert Plan.objects.get(pk=plan.pk).title == "同事的名稱"
    # The page now carries the current revision: saving again is deliberate and goes through.
    revision = response.context["editor"].revision
    response = client.post(section_url(plan, "basic"), mine | {"revision": str(revision)})
    assert response.status_code == 302
    assert Plan.objects.get(pk=plan.pk).title == "我的名稱"


def test_a_save_without_the_revision_it_was_read_at_is_not_taken(client, chiller):
    plan, editor, _ = chiller
    client.force_login(editor)
    data = page_data(plan, BasicEditor) | {"plan-title": "無版次"}
    del data["revision"]
    assert client.post(section_url(plan, "basic"), data).status_code == 409
    assert Plan.objects.get(pk=plan.pk).title != "無版次"


def test_a_saved_section_bumps_the_revision(client, chiller):
    plan, editor, _ = chiller
    client.force_login(editor)
    before = plan.revision
    client.post(section_url(plan, "basic"), page_data(plan, BasicEditor))
    assert Plan.objects.get(pk=plan.pk).revision == before + 1


def test_a_preview_commits_nothing(client, chiller):
    plan, editor, _ = chiller
    client.force_login(editor)
    data = page_data(plan, CalculationEditor) | {"plan-leakage_note": "預覽中"}
    response = client.post(reverse("projects:preview", args=[plan.pk, "calculation"]), data)
    assert response.status_code == 200
    plan = Plan.objects.get(pk=plan.pk)
    assert plan.leakage_note != "預覽中"


@pytest.mark.django_db(transaction=True)
def test_a_preview_in_flight_during_the_first_save_neither_fails_nor_collides(
    client, demo_document, reference_data, monkeypatch
):
    """The save creates the project refrigerant row and is slow to commit; a
    preview sent from the same page (which had no refrigerant row) waits for it
    instead of inserting a second row."""
    plan, editor, _ = _chiller(demo_document)
    PlanRefrigerant.objects.filter(plan=plan).delete()
    data = page_data(plan, CalculationEditor) | {
        "project-refrigerant-code": "R-134a",
        "project-refrigerant-annual_quantity_t": "0.17",
    }
    saving = threading.Event()
    original_save = CalculationEditor.save

    def slow_save(self):
        original_save(self)
        if threading.current_thread().name == "saver":
            saving.set()
            time.sleep(0.5)  # still inside the save's transaction

    monkeypatch.setattr(CalculationEditor, "save", slow_save)
    errors = []

    def save_page():
        from django.test import Client

        saver = Client()
        saver.force_login(editor)
        try:
            response = saver.post(section_url(plan, "calculation"), data)
            assert response.status_code == 302
        except Exception as error:  # reported by the main thread
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=save_page, name="saver")
    thread.start()
    assert saving.wait(10)
    client.force_login(editor)
    response = client.post(reverse("projects:preview", args=[plan.pk, "calculation"]), data)
    thread.join(10)

    assert not errors
    assert response.status_code == 200
    assert PlanRefrigerant.objects.filter(plan=plan, side="project").count() == 1


def test_a_stale_save_that_differs_in_nothing_from_what_is_saved_goes_through(client, chiller):
    """Someone saved another section after this page was read: nothing on this page
    differs from what is saved, so there is no conflict to show and the save is taken
    (not refused as "0 fields to correct")."""
    plan, editor, _ = chiller
    client.force_login(editor)
    data = page_data(plan, BasicEditor)  # section 一 is open …
    other = page_data(plan, ActivityEditor)
    assert client.post(section_url(plan, "activity"), other).status_code == 302  # … 二 is saved

    response = client.post(section_url(plan, "basic"), data)

    assert response.status_code == 302


def test_a_stale_save_with_more_month_rows_than_are_saved_shows_the_conflicts(client, chiller):
    """The page sends grid rows the saved group does not have (a pasted month, or a group
    turned periods-shaped): the comparison lists them instead of failing (500)."""
    plan, editor, _ = chiller
    client.force_login(editor)
    mine = page_data(plan, CalculationEditor)
    rows = GroupForm.MONTHS
    while f"project-groups-0-month_{rows}" in mine:
        rows += 1
    mine |= {
        f"project-groups-0-month_{rows}": "",
        f"project-groups-0-power_{rows}": "",
        f"project-groups-0-hours_{rows}": "",
        f"project-groups-0-energy_{rows}": "",
        "plan-leakage_note": "我的說明",
    }
    theirs = page_data(plan, CalculationEditor) | {"plan-leakage_note": "同事的說明"}
    assert client.post(section_url(plan, "calculation"), theirs).status_code == 302

    response = client.post(section_url(plan, "calculation"), mine)

    assert response.status_code == 409
    assert "同事的說明" in response.content.decode()


def test_a_stale_page_whose_row_someone_deleted_shows_it_and_can_be_saved_again(client, chiller):
    """A colleague deletes project group 2 and saves; this page, read before, still has
    it. The save is refused with the comparison (not a hidden-field error), and saving
    again on purpose keeps the page's row as a new one."""
    plan, editor, _ = chiller
    other = UserFactory(username="colleague")
    MembershipFactory(user=other, organisation=plan.organisation, role=Membership.Role.EDITOR)
    mine = page_data(plan, CalculationEditor) | {"plan-leakage_note": "我的說明"}
    theirs = page_data(plan, CalculationEditor) | {"project-groups-1-DELETE": "on"}
    groups = plan.groups.filter(side="project").count()
    client.force_login(other)
    assert client.post(section_url(plan, "calculation"), theirs).status_code == 302
    assert plan.groups.filter(side="project").count() == groups - 1

    client.force_login(editor)
    response = client.post(section_url(plan, "calculation"), mine)
    assert response.status_code == 409
    assert 'data-role="save-conflicts"' in response.content.decode()

    again = mine | {"revision": str(response.context["editor"].revision)}
    response = client.post(section_url(plan, "calculation"), again)
    assert response.status_code == 302, response.context["editor"].error_count()
    plan = Plan.objects.get(pk=plan.pk)
    assert plan.groups.filter(side="project").count() == groups
    assert plan.leakage_note == "我的說明"
    assert plan.results["total_reduction_tco2e"] == "4610"


def test_an_attachment_is_not_added_to_a_plan_submitted_meanwhile(chiller):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from projects.services import PlanNotEditable, attachment_add

    plan, editor, _ = chiller
    stale = Plan.objects.get(pk=plan.pk)  # the attachments page was checked as editable …
    plan_transition(plan=plan, user=editor, name="submit")  # … then the plan was submitted
    upload = SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    with pytest.raises(PlanNotEditable):
        attachment_add(plan=stale, label="附件九", description="晚到的附件", file=upload)
    assert not plan.attachments.filter(label="附件九").exists()


def test_applying_the_survey_template_makes_an_open_section_five_page_stale(client, chiller):
    from projects.sections import EnvironmentEditor

    plan, editor, _ = chiller
    plan.stakeholder_tiers.all().delete()
    plan.questions.all().delete()
    client.force_login(editor)
    data = page_data(plan, EnvironmentEditor) | {"plan-environment_summary": "我的分析"}
    client.post(reverse("projects:survey_action", args=[plan.pk, "template"]))
    response = client.post(section_url(plan, "environment"), data)
    assert response.status_code == 409
