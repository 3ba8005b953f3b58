"""A registered chiller plan and the people around its monitoring reports."""

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils.datastructures import MultiValueDict

from projects import workflow
from projects.models import Membership, Organisation, Plan, PlanEvent
from projects.monitoring import entry
from projects.monitoring.editor import ReportEditor
from projects.monitoring.models import MonitoringReport
from projects.registration.services import register_plan
from tests.projects.factories import MembershipFactory, UserFactory, chiller_with_people
from tests.projects.formdata import editor_data

TAIPEI = ZoneInfo("Asia/Taipei")
MONTHLY_KWH = "11000"  # each project chiller's reading, each month (measure)


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


def measure(people, report, *, baseline_hours="4000"):
    """Save the editor page with the baseline chillers' hours and a reading for every month
    of the period in each project chiller's grid (its months come with the grid)."""
    editor = ReportEditor(MonitoringReport.objects.get(pk=report.pk))
    data = editor_data(editor)
    data["baseline-groups-0-hours"] = baseline_hours
    for group in (0, 1):
        for month in range(12):
            if data.get(f"project-groups-{group}-month_{month}"):
                data[f"project-groups-{group}-energy_{month}"] = MONTHLY_KWH
    sent = MultiValueDict({k: v if isinstance(v, list) else [v] for k, v in data.items()})
    saved = entry.report_save(
        report=MonitoringReport.objects.get(pk=report.pk),
        editor_class=ReportEditor,
        data=sent,
        files=None,
        user=people.editor,
    )
    assert saved.saved, saved.error_count()
    return MonitoringReport.objects.get(pk=report.pk)
