"""Nothing typed or imported is silently lost, and uploads are never served as pages."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projects.interchange import plan_document
from projects.models import Attachment, Membership, Plan, Programme
from projects.sections import ApplicabilityEditor, CalculationEditor
from projects.services import plan_import
from tests.projects.factories import MembershipFactory, OrganisationFactory, ProgrammeFactory
from tests.projects.formdata import editor_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    membership = MembershipFactory(role=Membership.Role.EDITOR)
    client.force_login(membership.user)
    client.organisation = membership.organisation
    return client


def web_import(client, document):
    return client.post(
        reverse("projects:plan_import"),
        {
            "organisation": client.organisation.pk,
            "document": SimpleUploadedFile(
                "plan.json", json.dumps(document, ensure_ascii=False).encode()
            ),
        },
    )


def test_a_web_import_joins_an_existing_open_programme_only(editor, demo_document):
    document = demo_document("lighting-subproject.json")
    response = web_import(editor, document)
    # Worded in the user's language, the document path kept for reference.
    assert response.context["errors"] == [
        "方案型抵換專案（plan.programme）：沒有這個名稱與版本的方案"
    ]
    authority = OrganisationFactory(authority=True, name="臺南市政府環境保護局")
    programme = ProgrammeFactory(
        authority=authority, title=document["plan"]["programme"]["title"], version="2.2"
    )
    Programme.objects.filter(pk=programme.pk).update(is_open=False)
    response = web_import(editor, document)
    assert response.context["errors"] == [
        "方案型抵換專案（plan.programme）：此方案不再受理新的子專案"
    ]
    Programme.objects.filter(pk=programme.pk).update(is_open=True)
    web_import(editor, document)
    assert Plan.objects.get().programme == programme
    assert Programme.objects.count() == 1


def test_an_upload_is_stored_under_the_type_its_content_shows_and_downloaded(
    editor, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    plan = Plan.objects.create(organisation=editor.organisation, type="individual", title="t")
    upload = SimpleUploadedFile("report.html", b"%PDF-1.4 <script>alert(1)</script>")
    editor.post(
        reverse("projects:attachments", args=[plan.pk]),
        {"label": "附件一", "description": "x", "file": upload},
    )
    attachment = Attachment.objects.get()
    assert attachment.file.name.endswith("/report.pdf")
    response = editor.get(reverse("projects:attachment_download", args=[plan.pk, attachment.pk]))
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    b"".join(response.streaming_content)  # read to the end, as a server does (closes the file)
    assert editor.get("/media/" + attachment.file.name).status_code == 404


def test_more_than_twelve_monthly_readings_survive_a_save(editor, demo_document):
    document = demo_document("chiller-individual.json")
    periods = document["calculation"]["project"]["groups"][0]["periods"]
    for month, period in zip(["2020-09", "2020-10", "2020-11"], periods[:3], strict=True):
        periods.append({**period, "period": month})
    plan = plan_import(document=document, organisation=editor.organisation)
    before = plan_document(plan)
    data = editor_data(CalculationEditor(Plan.objects.get(pk=plan.pk)))
    assert "project-groups-0-month_14" in data
    response = editor.post(reverse("projects:section", args=[plan.pk, "calculation"]), data)
    assert response.status_code == 302
    assert plan_document(Plan.objects.get(pk=plan.pk)) == before


def test_a_refrigerant_outside_the_table_survives_a_save(editor, demo_document):
    document = demo_document("chiller-individual.json")
    document["calculation"]["project"]["refrigerant"] = {
        "code": "R-513A",
        "annual_quantity_t": "0.17",
        "gwp": "631",
        "odp": "0",
    }
    plan = plan_import(document=document, organisation=editor.organisation)
    before = plan_document(plan)
    data = editor_data(CalculationEditor(Plan.objects.get(pk=plan.pk)))
    response = editor.post(reverse("projects:section", args=[plan.pk, "calculation"]), data)
    assert response.status_code == 302
    assert plan_document(Plan.objects.get(pk=plan.pk)) == before


def test_refrigerant_figures_without_a_refrigerant_are_not_dropped(editor, demo_document):
    plan = plan_import(
        document=demo_document("chiller-individual.json"), organisation=editor.organisation
    )
    data = editor_data(CalculationEditor(Plan.objects.get(pk=plan.pk)))
    data["baseline-refrigerant-code"] = ""
    response = editor.post(reverse("projects:section", args=[plan.pk, "calculation"]), data)
    assert response.status_code == 400
    assert "請先選擇冷媒，或清除此欄。" in response.content.decode()
    assert 'data-unsaved="true"' in response.content.decode()


def test_an_explanation_for_an_unticked_regulation_is_not_dropped(editor, demo_document):
    plan = plan_import(
        document=demo_document("chiller-individual.json"), organisation=editor.organisation
    )
    data = editor_data(ApplicabilityEditor(Plan.objects.get(pk=plan.pk)))
    data["regulation-eia-act-explanation"] = "本案不需環評。"
    response = editor.post(reverse("projects:section", args=[plan.pk, "applicability"]), data)
    assert response.status_code == 400
    assert "請勾選此法規，或清除說明。" in response.content.decode()
    assert "本案不需環評。" in response.content.decode()
