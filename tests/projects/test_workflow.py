"""The review workflow: transitions, frozen versions, comments, history, e-mail."""

import pytest
from django.core import mail
from django.urls import reverse

from projects import workflow
from projects.interchange import plan_document
from projects.models import FrozenError, Membership, Organisation, Plan, PlanEvent, PlanVersion
from projects.sections import BasicEditor
from projects.services import PlanError, comment_add, comment_resolve, plan_import
from tests.projects.factories import MembershipFactory, UserFactory
from tests.projects.formdata import editor_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(demo_document):
    """alice edits the chiller plan, vera reads it, rita reviews for its authority,
    otto reviews for another authority."""
    plan = plan_import(document=demo_document("chiller-individual.json"), create_programmes=True)
    authority = Organisation.objects.create(
        name="新竹縣政府環境保護局", kind=Organisation.Kind.AUTHORITY
    )
    Plan.objects.filter(pk=plan.pk).update(authority=authority)
    plan.refresh_from_db()
    other = Organisation.objects.create(name="別的機關", kind=Organisation.Kind.AUTHORITY)

    def member(name, organisation, role):
        user = UserFactory(username=name, email=f"{name}@example.tw")
        MembershipFactory(user=user, organisation=organisation, role=role)
        return user

    class People:
        pass

    p = People()
    p.plan = plan
    p.alice = member("alice", plan.organisation, Membership.Role.EDITOR)
    p.vera = member("vera", plan.organisation, Membership.Role.VIEWER)
    p.rita = member("rita", authority, Membership.Role.REVIEWER)
    p.otto = member("otto", other, Membership.Role.REVIEWER)
    return p


def take(people, user, name, comment=""):
    return workflow.plan_transition(plan=people.plan, user=user, name=name, comment=comment)


def test_the_whole_review_round_trip(people):
    plan = take(people, people.alice, "submit")
    assert plan.status == Plan.Status.SUBMITTED
    assert plan.current_version.number == 1
    assert plan.current_version.document == plan_document(plan)
    assert plan.current_version.total_reduction_tco2e == 4610
    take(people, people.rita, "start_review")
    take(people, people.rita, "request_changes", "請更正第5項條件的節電量。")
    take(people, people.alice, "submit")
    plan = take(people, people.rita, "start_review")
    assert plan.current_version.number == 2
    # The reason for sending it back is still an open comment: approving confirms it.
    plan = workflow.plan_transition(
        plan=people.plan, user=people.rita, name="approve", confirm_open_comments=True
    )
    assert plan.status == Plan.Status.APPROVED
    statuses = [
        (e.from_status, e.to_status) for e in plan.events.filter(kind=PlanEvent.Kind.TRANSITION)
    ]
    assert statuses == [
        ("draft", "submitted"),
        ("submitted", "under_review"),
        ("under_review", "changes_requested"),
        ("changes_requested", "submitted"),
        ("submitted", "under_review"),
        ("under_review", "approved"),
    ]


@pytest.mark.parametrize(
    "status,name",
    [
        ("draft", "approve"),
        ("draft", "start_review"),
        ("submitted", "approve"),
        ("under_review", "withdraw"),
        ("under_review", "submit"),
        ("approved", "request_changes"),
        ("rejected", "submit"),
    ],
)
def test_a_transition_not_allowed_from_the_state_is_refused_and_changes_nothing(
    people, status, name
):
    Plan.objects.filter(pk=people.plan.pk).update(status=status)
    with pytest.raises(PlanError):
        take(people, people.rita if name != "submit" else people.alice, name, "x")
    assert Plan.objects.get(pk=people.plan.pk).status == status
    assert not PlanEvent.objects.exists()
    assert not PlanVersion.objects.exists()


@pytest.mark.parametrize(
    "who,name",
    [
        ("vera", "submit"),
        ("rita", "submit"),
        ("otto", "submit"),
    ],
)
def test_only_an_editor_submits(people, who, name):
    with pytest.raises(PlanError):
        take(people, getattr(people, who), name)
    assert Plan.objects.get(pk=people.plan.pk).status == Plan.Status.DRAFT


@pytest.mark.parametrize("who", ["alice", "vera", "otto"])
def test_only_the_authoritys_reviewer_reviews(people, who):
    take(people, people.alice, "submit")
    with pytest.raises(PlanError):
        take(people, getattr(people, who), "start_review")
    assert Plan.objects.get(pk=people.plan.pk).status == Plan.Status.SUBMITTED


def test_an_applicant_withdraws_before_review_starts(people):
    take(people, people.alice, "submit")
    assert take(people, people.alice, "withdraw").status == Plan.Status.DRAFT
    take(people, people.alice, "submit")
    take(people, people.rita, "start_review")
    with pytest.raises(PlanError):
        take(people, people.alice, "withdraw")


@pytest.mark.parametrize("name", ["request_changes", "reject"])
def test_sending_back_or_rejecting_needs_a_reason(people, name):
    take(people, people.alice, "submit")
    take(people, people.rita, "start_review")
    with pytest.raises(PlanError):
        take(people, people.rita, name, "   ")
    assert Plan.objects.get(pk=people.plan.pk).status == Plan.Status.UNDER_REVIEW


def test_submitting_an_incomplete_plan_lists_what_is_missing(people):
    Plan.objects.filter(pk=people.plan.pk).update(prepared_on=None, line_loss=None)
    people.plan.refresh_from_db()
    with pytest.raises(workflow.SubmissionIncomplete) as refusal:
        take(people, people.alice, "submit")
    problems = refusal.value.problems
    assert ("basic", "plan-prepared_on") in {(p.section, p.field) for p in problems}
    assert any(p.section == "calculation" for p in problems)
    assert not PlanVersion.objects.exists()


def test_submitting_a_plan_whose_check_fails_is_refused(people):
    people.plan.refrigerants.filter(side="project").update(code="R-22", odp=None, gwp=None)
    with pytest.raises(workflow.SubmissionIncomplete) as refusal:
        take(people, people.alice, "submit")
    assert (
        "檢核未通過：專案冷媒不具臭氧破壞潛勢（條件 3）（R-22 的 ODP 為 0.055 > 0（取自參考表））"
        in [p.message for p in refusal.value.problems]
    )


def test_the_submit_view_lists_problems_linking_to_their_fields(client, people):
    Plan.objects.filter(pk=people.plan.pk).update(prepared_on=None)
    client.force_login(people.alice)
    response = client.post(
        reverse("projects:transition", args=[people.plan.pk, "submit"]), follow=True
    )
    html = response.content.decode()
    url = reverse("projects:section", args=[people.plan.pk, "basic"]) + "#id_plan-prepared_on"
    assert f'href="{url}"' in html
    assert Plan.objects.get(pk=people.plan.pk).status == Plan.Status.DRAFT


def test_a_submitted_version_cannot_be_changed(people):
    plan = take(people, people.alice, "submit")
    version = PlanVersion.objects.get(plan=plan)
    version.document = {"changed": True}
    with pytest.raises(FrozenError):
        version.save()
    with pytest.raises(FrozenError):
        version.delete()
    assert PlanVersion.objects.get(pk=version.pk).document == plan_document(plan)


def test_the_applicant_cannot_edit_while_the_plan_is_submitted(client, people):
    take(people, people.alice, "submit")
    client.force_login(people.alice)
    url = reverse("projects:section", args=[people.plan.pk, "basic"])
    assert client.get(url).context["can_edit"] is False
    response = client.post(url, {"plan-title": "改過的標題"})
    # Refused with the page as sent (nothing typed is lost), and nothing saved.
    assert response.status_code == 409
    assert 'value="改過的標題"' in response.content.decode()
    assert Plan.objects.get(pk=people.plan.pk).title == people.plan.title


def test_changes_after_a_request_are_recorded_in_the_history(client, people):
    take(people, people.alice, "submit")
    take(people, people.rita, "start_review")
    take(people, people.rita, "request_changes", "請修正")
    client.force_login(people.alice)
    data = editor_data(BasicEditor(Plan.objects.get(pk=people.plan.pk)))
    data["plan-version"] = "2.2"
    response = client.post(reverse("projects:section", args=[people.plan.pk, "basic"]), data)
    assert response.status_code == 302
    change = PlanEvent.objects.get(kind=PlanEvent.Kind.CHANGE)
    assert change.user == people.alice
    assert change.changes == [{"path": "plan.version", "before": "2.1", "after": "2.2"}]


def test_each_transition_mails_the_other_side(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        take(people, people.alice, "submit")
    assert [m.to for m in mail.outbox] == [["rita@example.tw"]]
    with django_capture_on_commit_callbacks(execute=True):
        take(people, people.rita, "start_review")
    assert sorted(mail.outbox[-1].to + mail.outbox[-2].to) == [
        "alice@example.tw",
        "vera@example.tw",
    ]
    assert "審查中" in mail.outbox[-1].subject


def test_comments_replies_and_resolution(people):
    take(people, people.alice, "submit")
    comment = comment_add(
        plan=people.plan, user=people.rita, section="calculation", field="線路損失率", text="請說明"
    )
    with pytest.raises(PlanError):
        comment_add(plan=people.plan, user=people.alice, section="basic", field="", text="x")
    reply = comment_add(
        plan=people.plan, user=people.alice, section="", field="", text="已說明", parent=comment.pk
    )
    assert (reply.section, reply.field) == ("calculation", "線路損失率")
    with pytest.raises(PlanError):
        comment_resolve(comment=comment, user=people.alice)
    comment_resolve(comment=comment, user=people.rita)
    comment.refresh_from_db()
    assert comment.resolved_by == people.rita
    with pytest.raises(PlanError):
        comment_add(plan=people.plan, user=people.otto, section="basic", field="", text="x")


def test_the_comparison_shows_what_changed_field_by_field(client, people):
    take(people, people.alice, "submit")
    take(people, people.rita, "start_review")
    take(people, people.rita, "request_changes", "請修正")
    Plan.objects.filter(pk=people.plan.pk).update(line_loss="0.05")
    take(people, people.alice, "submit")
    client.force_login(people.rita)
    response = client.get(reverse("projects:compare", args=[people.plan.pk]) + "?a=1&b=2")
    sections = {s.slug: s.changes for s in response.context["sections"]}
    assert sections["calculation"][0]["path"] == "calculation.line_loss"
    assert sections["calculation"][0]["before"] == "0"
    assert sections["calculation"][0]["after"] == "0.05"
    assert sections["basic"] == []
