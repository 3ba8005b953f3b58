"""A registered chiller plan and the people around its monitoring reports."""

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from projects import workflow
from projects.models import Membership, Organisation, Plan, PlanEvent
from projects.registration.services import register_plan
from tests.projects.factories import MembershipFactory, UserFactory, chiller_with_people

TAIPEI = ZoneInfo("Asia/Taipei")


@dataclass
class People:
    plan: Plan
    editor: object  # edits the plan's organisation's reports
    viewer: object  # a read-only member of the organisation
    reviewer: object  # a reviewer of the plan's authority
    verifier: object  # a verifier of the verification body
    outsider: object  # an editor of another organisation
    admin: object  # a site administrator
    body: Organisation  # the verification body


def registered_chiller(document: dict, *, registered_on: date = date(2021, 1, 1)) -> People:
    """The chiller reference plan submitted, approved (on the day before `registered_on`)
    and registered by its authority on `registered_on`: crediting period from that day,
    10 years (固定型). Users: editor, viewer, reviewer, verifier, outsider, admin."""
    plan, editor, reviewer = chiller_with_people(document)
    workflow.plan_transition(plan=plan, user=editor, name="submit")
    workflow.plan_transition(plan=plan, user=reviewer, name="start_review")
    workflow.plan_transition(plan=plan, user=reviewer, name="approve", confirm_open_comments=True)
    approved = datetime(registered_on.year, registered_on.month, registered_on.day, tzinfo=TAIPEI)
    PlanEvent.objects.filter(plan=plan, to_status=Plan.Status.APPROVED).update(created_at=approved)
    plan = register_plan(Plan.objects.get(pk=plan.pk), by=reviewer, registered_on=registered_on)
    viewer = UserFactory(username="viewer")
    MembershipFactory(user=viewer, organisation=plan.organisation, role=Membership.Role.VIEWER)
    body = Organisation.objects.create(
        name="台灣檢驗科技股份有限公司", kind=Organisation.Kind.VERIFIER
    )
    verifier = UserFactory(username="verifier")
    MembershipFactory(user=verifier, organisation=body, role=Membership.Role.VERIFIER)
    outsider = UserFactory(username="outsider")
    MembershipFactory(user=outsider, role=Membership.Role.EDITOR)
    admin = UserFactory(username="admin", is_superuser=True, is_staff=True)
    return People(
        plan=Plan.objects.get(pk=plan.pk),
        editor=editor,
        viewer=viewer,
        reviewer=reviewer,
        verifier=verifier,
        outsider=outsider,
        admin=admin,
        body=body,
    )
