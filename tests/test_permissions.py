"""Who may see and do what, view by view and role by role.

The plan is in "changes requested" (submitted once, editable again), so every
rule is in play: applicants' editors edit, read-only members only read, the
plan's authority reviews, everyone else gets 404 as if the plan did not exist.
"""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projects.models import (
    Attachment,
    Membership,
    Organisation,
    Plan,
    PlanVersion,
    ReviewComment,
)
from projects.sections import BasicEditor
from projects.services import plan_import
from projects.workflow import plan_transition
from tests.projects.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.projects.formdata import editor_data

pytestmark = pytest.mark.django_db
ROLES = ["anonymous", "editor", "viewer", "outsider", "reviewer", "other_reviewer", "admin"]
PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def world(demo_document, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    plan = plan_import(document=demo_document("chiller-individual.json"), create_programmes=True)
    authority = Organisation.objects.create(name="審查機關", kind=Organisation.Kind.AUTHORITY)
    Plan.objects.filter(pk=plan.pk).update(authority=authority)
    plan.refresh_from_db()
    users = {"anonymous": None, "admin": UserFactory(is_superuser=True, is_staff=True)}
    for role, organisation, membership in [
        ("editor", plan.organisation, Membership.Role.EDITOR),
        ("viewer", plan.organisation, Membership.Role.VIEWER),
        ("outsider", OrganisationFactory(), Membership.Role.EDITOR),
        ("reviewer", authority, Membership.Role.REVIEWER),
        (
            "other_reviewer",
            OrganisationFactory(authority=True),
            Membership.Role.REVIEWER,
        ),
    ]:
        users[role] = UserFactory(username=role)
        MembershipFactory(user=users[role], organisation=organisation, role=membership)
    plan_transition(plan=plan, user=users["editor"], name="submit")
    plan_transition(plan=plan, user=users["reviewer"], name="start_review")
    plan = plan_transition(
        plan=plan, user=users["reviewer"], name="request_changes", comment="請修正"
    )
    attachment = Attachment.objects.create(
        plan=plan,
        label="附件一",
        description="x",
        file=SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf"),
    )
    return {"plan": plan, "users": users, "attachment": attachment}


def client_for(client, world, role):
    user = world["users"][role]
    if user is not None:
        client.force_login(user)
    return client


def plan_url(world, name, *args):
    return reverse(f"projects:{name}", args=[world["plan"].pk, *args])


#                   anonymous editor viewer outsider reviewer other_rev admin
SEE = dict(zip(ROLES, [302, 200, 200, 404, 200, 404, 200], strict=True))
EDIT = dict(zip(ROLES, [302, 200, 404, 404, 404, 404, 404], strict=True))
PAGES = [
    ("plan_detail", (), SEE),
    ("section", ("basic",), SEE),
    ("section", ("calculation",), SEE),
    ("attachments", (), SEE),
    ("plan_export", (), SEE),
    ("history", (), SEE),
    ("compare", (), SEE),
    ("version_document", (1,), SEE),
    ("plan_replace", (), EDIT),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "name,args,expected", PAGES, ids=[f"{name}{args}" for name, args, _ in PAGES]
)
def test_who_sees_each_plan_page(client, world, role, name, args, expected):
    response = client_for(client, world, role).get(plan_url(world, name, *args))
    assert response.status_code == expected[role]


@pytest.mark.parametrize("role", ROLES)
def test_who_may_download_an_attachment(client, world, role):
    url = plan_url(world, "attachment_download", world["attachment"].pk)
    response = client_for(client, world, role).get(url)
    response.close()  # release the file a streamed download holds open
    assert response.status_code == SEE[role]


@pytest.mark.parametrize(
    "role,expected",
    list(zip(ROLES, [302, 200, 403, 200, 403, 403, 403], strict=True)),
)
@pytest.mark.parametrize("name", ["plan_create", "plan_import"])
def test_only_applicant_editors_create_or_import_plans(client, world, role, expected, name):
    response = client_for(client, world, role).get(reverse(f"projects:{name}"))
    assert response.status_code == expected


@pytest.mark.parametrize("role", ROLES)
def test_who_may_save_a_section(client, world, role):
    data = editor_data(BasicEditor(Plan.objects.get(pk=world["plan"].pk)))
    data["plan-title"] = f"changed by {role}"
    response = client_for(client, world, role).post(plan_url(world, "section", "basic"), data)
    changed = Plan.objects.get(pk=world["plan"].pk).title == f"changed by {role}"
    assert changed == (role == "editor")
    assert response.status_code == {"editor": 302, "anonymous": 302}.get(role, 404)


@pytest.mark.parametrize("role", ROLES)
def test_who_may_preview_figures(client, world, role):
    data = editor_data(BasicEditor(Plan.objects.get(pk=world["plan"].pk)))
    response = client_for(client, world, role).post(plan_url(world, "preview", "basic"), data)
    assert response.status_code == EDIT[role]


@pytest.mark.parametrize("role", ROLES)
def test_who_may_upload_and_delete_attachments(client, world, role):
    client = client_for(client, world, role)
    client.post(
        plan_url(world, "attachments"),
        {
            "label": "附件二",
            "description": "y",
            "file": SimpleUploadedFile("b.pdf", PDF, content_type="application/pdf"),
        },
    )
    client.post(plan_url(world, "attachment_delete", world["attachment"].pk))
    labels = set(Attachment.objects.values_list("label", flat=True))
    assert ("附件二" in labels) == (role == "editor")
    assert ("附件一" in labels) == (role != "editor")


@pytest.mark.parametrize("role", ROLES)
def test_who_may_replace_a_draft_from_a_document(client, world, role, demo_document):
    document = demo_document("chiller-individual.json")
    document["plan"]["title"] = "replaced"
    client_for(client, world, role).post(
        plan_url(world, "plan_replace"),
        {"document": SimpleUploadedFile("p.json", json.dumps(document).encode())},
    )
    assert (Plan.objects.get(pk=world["plan"].pk).title == "replaced") == (role == "editor")


# Which role may take each transition, from the state the plan is put in first.
TRANSITIONS = [
    ("submit", "changes_requested", {"editor"}),
    ("withdraw", "submitted", {"editor"}),
    ("start_review", "submitted", {"reviewer"}),
    ("request_changes", "under_review", {"reviewer"}),
    ("approve", "under_review", {"reviewer"}),
    ("reject", "under_review", {"reviewer"}),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name,state,allowed", TRANSITIONS, ids=[t[0] for t in TRANSITIONS])
def test_who_may_take_each_transition(client, world, role, name, state, allowed):
    Plan.objects.filter(pk=world["plan"].pk).update(status=state)
    versions = PlanVersion.objects.count()
    response = client_for(client, world, role).post(
        plan_url(world, "transition", name), {"comment": "理由"}
    )
    new_state = Plan.objects.get(pk=world["plan"].pk).status
    assert (new_state != state) == (role in allowed)
    assert response.status_code == SEE[role] if role in ("outsider", "other_reviewer") else 302
    if name != "submit" or role not in allowed:
        assert PlanVersion.objects.count() == versions


@pytest.mark.parametrize("role", ROLES)
def test_who_may_comment_reply_and_resolve(client, world, role):
    thread = ReviewComment.objects.get(parent=None)
    client = client_for(client, world, role)
    client.post(plan_url(world, "comment_add"), {"section": "basic", "text": "新意見"})
    client.post(
        plan_url(world, "comment_add"),
        {"section": "basic", "text": "回覆", "parent": thread.pk},
    )
    client.post(plan_url(world, "comment_resolve", thread.pk))
    new_comment = ReviewComment.objects.filter(text="新意見").exists()
    reply = ReviewComment.objects.filter(text="回覆", parent=thread).exists()
    thread.refresh_from_db()
    assert new_comment == (role == "reviewer")
    assert reply == (role in ("reviewer", "editor"))
    assert (thread.resolved_at is not None) == (role == "reviewer")


@pytest.mark.parametrize("role", ROLES)
def test_a_never_submitted_draft_is_hidden_from_reviewers(client, world, demo_document, role):
    draft = plan_import(
        document=demo_document("chiller-individual.json"), organisation=world["plan"].organisation
    )
    Plan.objects.filter(pk=draft.pk).update(authority=world["plan"].authority)
    response = client_for(client, world, role).get(reverse("projects:plan_detail", args=[draft.pk]))
    expected = {"anonymous": 302, "editor": 200, "viewer": 200, "admin": 200}.get(role, 404)
    assert response.status_code == expected


@pytest.mark.parametrize("role", ROLES)
def test_the_plan_list_shows_each_role_its_plans(client, world, role):
    response = client_for(client, world, role).get(reverse("projects:plan_list"))
    if role == "anonymous":
        assert response.status_code == 302
        return
    listed = [plan.pk for plan in response.context["plans"]]
    visible = role in ("editor", "viewer", "reviewer", "admin")
    assert listed == ([world["plan"].pk] if visible else [])


def test_the_admin_cannot_change_a_submitted_version(admin_client, world):
    version = PlanVersion.objects.get()
    url = f"/admin/projects/planversion/{version.pk}/change/"
    response = admin_client.post(url, {"number": 9, "document": "{}", "results": "{}"})
    assert response.status_code in (403, 404)
    version.refresh_from_db()
    assert version.number == 1


@pytest.mark.parametrize("state", ["submitted", "under_review", "approved", "rejected"])
@pytest.mark.parametrize("role", ROLES)
def test_nobody_edits_a_plan_while_it_is_with_the_reviewers_or_decided(client, world, role, state):
    Plan.objects.filter(pk=world["plan"].pk).update(status=state)
    data = editor_data(BasicEditor(Plan.objects.get(pk=world["plan"].pk)))
    data["plan-title"] = "changed"
    response = client_for(client, world, role).post(plan_url(world, "section", "basic"), data)
    assert response.status_code in (302, 404)
    assert Plan.objects.get(pk=world["plan"].pk).title != "changed"
