"""Plan list, creation, import/export, attachments and the language switch."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projects.interchange import plan_document
from projects.models import Attachment, Membership, Plan
from projects.services import plan_import, plan_refresh_results
from tests.projects.factories import (
    MembershipFactory,
    OrganisationFactory,
    PlanFactory,
    ProgrammeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def editor(client):
    membership = MembershipFactory(role=Membership.Role.EDITOR)
    client.force_login(membership.user)
    client.organisation = membership.organisation
    return client


def test_it_asks_anonymous_visitors_to_sign_in(client):
    response = client.get(reverse("projects:plan_list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_the_list_shows_only_the_users_organisations_plans(editor):
    mine = PlanFactory(organisation=editor.organisation, title="我的計畫")
    PlanFactory(title="別人的計畫")
    response = editor.get(reverse("projects:plan_list"))
    assert list(response.context["plans"]) == [mine]
    assert "別人的計畫" not in response.content.decode()


def test_the_list_shows_annual_and_total_reduction(editor, demo_document):
    plan_import(
        document=demo_document("chiller-individual.json"),
        create_programmes=True,
        organisation=editor.organisation,
    )
    html = editor.get(reverse("projects:plan_list")).content.decode()
    assert ">461<" in html
    assert ">4,610<" in html


def test_an_applicant_creates_a_sub_project_in_an_open_programme(editor):
    programme = ProgrammeFactory()
    response = editor.post(
        reverse("projects:plan_create"),
        {
            "organisation": editor.organisation.pk,
            "type": "sub_project",
            "programme": programme.pk,
            "title": "LED 汰換",
            "technology": "lighting",
        },
    )
    plan = Plan.objects.get()
    assert response.url == reverse("projects:section", args=[plan.pk, "basic"])
    assert plan.programme == programme
    assert plan.methodology.code == "AMS-II.C"
    assert plan.applicability.count() == 5


def test_a_sub_project_needs_a_programme_and_a_closed_one_is_not_offered(editor):
    closed = ProgrammeFactory(is_open=False)
    response = editor.post(
        reverse("projects:plan_create"),
        {
            "organisation": editor.organisation.pk,
            "type": "sub_project",
            "programme": closed.pk,
            "title": "LED 汰換",
            "technology": "lighting",
        },
    )
    assert response.status_code == 200
    assert "programme" in response.context["form"].errors
    assert response.context["form"]["title"].value() == "LED 汰換"
    assert not Plan.objects.exists()


def test_an_applicant_cannot_create_plans_for_another_organisation(editor):
    other = OrganisationFactory()
    response = editor.post(
        reverse("projects:plan_create"),
        {"organisation": other.pk, "type": "individual", "title": "x", "technology": "other"},
    )
    assert "organisation" in response.context["form"].errors
    assert not Plan.objects.exists()


def upload(name, content, content_type="application/json"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_importing_a_document_from_the_browser_creates_the_plan(editor, demo_document):
    document = demo_document("chiller-individual.json")
    response = editor.post(
        reverse("projects:plan_import"),
        {
            "organisation": editor.organisation.pk,
            "document": upload("plan.json", json.dumps(document, ensure_ascii=False).encode()),
        },
    )
    plan = Plan.objects.get()
    assert response.url == plan.get_absolute_url()
    assert plan.organisation == editor.organisation
    assert plan.results["total_reduction_tco2e"] == "4610"


def test_a_broken_document_is_refused_with_every_error_and_nothing_is_created(
    editor, fixture_document
):
    document = fixture_document("chiller-individual.json")
    document["calculation"]["line_loss"] = "1"
    document["plan"]["colour"] = "red"
    response = editor.post(
        reverse("projects:plan_import"),
        {
            "organisation": editor.organisation.pk,
            "document": upload("plan.json", json.dumps(document).encode()),
        },
    )
    errors = response.context["errors"]
    assert any(e.endswith("（calculation.line_loss）：必須小於 1") for e in errors)
    assert any(e.endswith("（plan.colour）：無法辨識的欄位") for e in errors)
    assert not Plan.objects.exists()


def test_invalid_json_is_refused_with_its_position(editor):
    response = editor.post(
        reverse("projects:plan_import"),
        {"organisation": editor.organisation.pk, "document": upload("plan.json", b'{"format": ')},
    )
    assert response.context["errors"] == ["整份文件：不是有效的 JSON 檔案（第 1 行第 12 字）"]
    assert not Plan.objects.exists()


def test_export_from_the_plan_page_gives_the_plans_document(editor, demo_document):
    document = demo_document("lighting-subproject.json")
    plan = plan_import(document=document, create_programmes=True, organisation=editor.organisation)
    response = editor.get(reverse("projects:plan_export", args=[plan.pk]))
    assert response["Content-Disposition"] == f'attachment; filename="plan-{plan.pk}.json"'
    assert json.loads(response.content) == plan_document(plan) == document


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def post_attachment(client, plan, name, content, label="附件一"):
    return client.post(
        reverse("projects:attachments", args=[plan.pk]),
        {"label": label, "description": "照度量測結果", "file": upload(name, content)},
    )


@pytest.mark.parametrize("name,content", [("a.pdf", PDF), ("photo.png", PNG)])
def test_an_attachment_of_an_accepted_type_is_stored_and_listed(editor, media, name, content):
    plan = PlanFactory(organisation=editor.organisation)
    response = post_attachment(editor, plan, name, content)
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.label == "附件一"
    html = editor.get(plan.get_absolute_url()).content.decode()
    assert "附件一：照度量測結果" in html
    download = editor.get(reverse("projects:attachment_download", args=[plan.pk, attachment.pk]))
    assert b"".join(download.streaming_content) == content


def test_a_file_is_judged_by_its_content_not_its_name(editor, media):
    plan = PlanFactory(organisation=editor.organisation)
    response = post_attachment(editor, plan, "report.pdf", b"MZ\x90\x00 not a pdf")
    assert response.status_code == 400
    assert "僅接受 PDF、JPEG、PNG 或 XLSX 檔案。" in response.content.decode()
    assert 'value="照度量測結果"' in response.content.decode()
    assert not Attachment.objects.exists()


def test_an_attachment_over_20_mb_is_refused(editor, media):
    plan = PlanFactory(organisation=editor.organisation)
    big = PDF + b"0" * (20 * 1024 * 1024)
    response = post_attachment(editor, plan, "big.pdf", big)
    assert "檔案不可超過 20 MB。" in response.content.decode()
    assert not Attachment.objects.exists()


def test_an_outsider_cannot_download_an_attachment(client, media):
    plan = PlanFactory()
    attachment = Attachment.objects.create(
        plan=plan, label="附件一", description="x", file=upload("a.pdf", PDF)
    )
    client.force_login(UserFactory())
    url = reverse("projects:attachment_download", args=[plan.pk, attachment.pk])
    assert client.get(url).status_code == 404


def test_the_next_attachment_label_counts_up(editor, media):
    plan = PlanFactory(organisation=editor.organisation)
    post_attachment(editor, plan, "a.pdf", PDF)
    response = editor.get(reverse("projects:attachments", args=[plan.pk]))
    assert response.context["form"]["label"].value() == "附件二"


def test_the_interface_switches_to_english_and_back(editor):
    PlanFactory(organisation=editor.organisation)
    assert "計畫書" in editor.get(reverse("projects:plan_list")).content.decode()
    editor.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = editor.get(reverse("projects:plan_list")).content.decode()
    assert 'lang="en"' in html
    assert "Log out" in html
    editor.post(reverse("set_language"), {"language": "zh-hant", "next": "/"})
    assert 'lang="zh-hant"' in editor.get(reverse("projects:plan_list")).content.decode()


def test_the_browser_language_does_not_override_traditional_chinese(editor):
    html = editor.get(reverse("projects:plan_list"), HTTP_ACCEPT_LANGUAGE="en-US").content.decode()
    assert 'lang="zh-hant"' in html


def test_the_navigator_marks_complete_and_failing_sections(editor, demo_document):
    document = demo_document("chiller-individual.json")
    plan = plan_import(document=document, create_programmes=True, organisation=editor.organisation)
    states = {
        item["slug"]: item["state"]
        for item in editor.get(plan.get_absolute_url()).context["navigator"]
    }
    assert states["calculation"] == "complete"
    assert states["applicability"] == "complete"
    plan.refrigerants.filter(side="project").update(code="R-22", odp=None, gwp=None)
    plan_refresh_results(plan)
    states = {
        item["slug"]: item["state"]
        for item in editor.get(plan.get_absolute_url()).context["navigator"]
    }
    assert states["calculation"] == "error"


def test_a_draft_is_replaced_by_an_edited_document(editor, demo_document, media):
    document = demo_document("chiller-individual.json")
    plan = plan_import(document=document, create_programmes=True, organisation=editor.organisation)
    Attachment.objects.create(plan=plan, label="附件九", description="x", file=upload("a.pdf", PDF))
    edited = json.loads(json.dumps(document))
    edited["calculation"]["baseline"]["groups"][0]["count"] = 3
    edited["plan"]["title"] = "新標題"
    response = editor.post(
        reverse("projects:plan_replace", args=[plan.pk]),
        {"document": upload("plan.json", json.dumps(edited, ensure_ascii=False).encode())},
    )
    assert response.status_code == 302
    plan = Plan.objects.get(pk=plan.pk)
    assert plan.title == "新標題"
    assert plan.groups.get(side="baseline").count == 3
    assert plan.results["total_reduction_tco2e"] != "4610"
    assert plan.attachments.filter(label="附件九").exists()
    assert Plan.objects.count() == 1


def test_a_broken_replacement_changes_nothing(editor, demo_document):
    document = demo_document("chiller-individual.json")
    plan = plan_import(document=document, create_programmes=True, organisation=editor.organisation)
    broken = json.loads(json.dumps(document))
    broken["calculation"]["line_loss"] = "1"
    response = editor.post(
        reverse("projects:plan_replace", args=[plan.pk]),
        {"document": upload("plan.json", json.dumps(broken).encode())},
    )
    assert any("（calculation.line_loss）：" in e for e in response.context["errors"])
    assert plan_document(Plan.objects.get(pk=plan.pk)) == document
