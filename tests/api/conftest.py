import json
from datetime import date
from pathlib import Path

import pytest
from django.test import Client

from projects.api.services import token_create
from projects.models import Membership, Organisation, Plan
from projects.services import plan_import
from projects.workflow import plan_transition
from tests.projects.factories import MembershipFactory, OrganisationFactory, UserFactory

DATA = Path(__file__).resolve().parent.parent / "data"

# The roles of the web's permission matrix (tests/test_permissions.py).
ROLES = [
    "anonymous",
    "editor",  # an editor of the applicant organisation
    "viewer",  # a read-only member of the applicant organisation
    "outsider",  # signed in, member of nothing
    "other_editor",  # an editor of another applicant organisation
    "reviewer",  # a reviewer of the plan's authority
    "other_reviewer",  # a reviewer of another authority
    "admin",  # a site administrator
]


def bearer(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


class ApiClient(Client):
    """A test client that sends a token (or none) with every request."""

    def __init__(self, secret: str | None = None):
        super().__init__(**(bearer(secret) if secret else {}))


@pytest.fixture
def world(demo_document, settings, tmp_path):
    """The chiller demo plan in "changes requested" (submitted once, editable again),
    with one user and one API token per role, as in the web's permission matrix."""
    settings.MEDIA_ROOT = tmp_path
    plan = plan_import(document=demo_document("chiller-individual.json"))
    authority = Organisation.objects.create(name="審查機關", kind=Organisation.Kind.AUTHORITY)
    Plan.objects.filter(pk=plan.pk).update(authority=authority)
    plan.refresh_from_db()
    users = {"anonymous": None, "admin": UserFactory(username="admin", is_superuser=True)}
    users["outsider"] = UserFactory(username="outsider")
    for role, organisation, membership in [
        ("editor", plan.organisation, Membership.Role.EDITOR),
        ("viewer", plan.organisation, Membership.Role.VIEWER),
        ("other_editor", OrganisationFactory(), Membership.Role.EDITOR),
        ("reviewer", authority, Membership.Role.REVIEWER),
        ("other_reviewer", OrganisationFactory(authority=True), Membership.Role.REVIEWER),
    ]:
        users[role] = UserFactory(username=role)
        MembershipFactory(user=users[role], organisation=organisation, role=membership)
    plan_transition(plan=plan, user=users["editor"], name="submit")
    plan_transition(plan=plan, user=users["reviewer"], name="start_review")
    plan = plan_transition(
        plan=plan, user=users["reviewer"], name="request_changes", comment="請修正"
    )
    secrets = {
        role: token_create(user=user, name="test").secret if user else None
        for role, user in users.items()
    }
    return {"plan": plan, "authority": authority, "users": users, "secrets": secrets}


@pytest.fixture
def api_client(world):
    def client_for(role: str) -> ApiClient:
        return ApiClient(world["secrets"][role])

    return client_for


# -- monitoring reports and credit accounts ------------------------------------------

# The roles of the monitoring pages' matrix (tests/projects/test_monitoring_pages.py),
# with a verifier of another verification body.
MONITORING_ROLES = [
    "anonymous",
    "editor",  # an editor of the applicant organisation
    "viewer",  # a read-only member of the applicant organisation
    "outsider",  # an editor of another organisation
    "reviewer",  # a reviewer of the plan's authority
    "verifier",  # a verifier of the body named on the report
    "other_verifier",  # a verifier of another verification body
    "admin",  # a site administrator
]


def lighting_report_document(plan, *, number: int = 1, year: int = 2022) -> dict:
    """tests/data/monitoring-lighting-2022.json as report `number` of the registered
    `plan`, for the calendar year `year`."""
    document = json.loads((DATA / "monitoring-lighting-2022.json").read_text(encoding="utf-8"))
    document["plan"] = {
        "number": plan.project_number,
        "crediting_period": {
            "start": plan.registered_crediting_start.isoformat(),
            "end": plan.registered_crediting_end.isoformat(),
        },
        "annual_reduction_tco2e": plan.registered_version.annual_reduction_tco2e,
    }
    monitoring = document["monitoring"]
    monitoring["number"] = number
    monitoring["period"] = {"start": f"{year}-01-01", "end": f"{year}-12-31"}
    monitoring["emission_factor"] = {"year": year}
    return document


@pytest.fixture
def monitoring_world(demo_document, settings, tmp_path):
    """The chiller plan registered on 2021-01-01 (tests/projects/monitoring_helpers.py)
    with report 1 (the lighting figures of 2022) submitted to a verification body and
    sent back to the applicant (out of draft, editable again: every role of the matrix
    has something to see or be refused); 10 t issued to the applicant's account and 3 t
    of them retired; one user and one API token per role."""
    from projects.credits import services as credits
    from projects.monitoring import entry
    from projects.monitoring.models import MonitoringReport
    from tests.projects.monitoring_helpers import registered_chiller

    settings.MEDIA_ROOT = tmp_path
    people = registered_chiller(demo_document("chiller-individual.json"))
    plan = people.plan
    other_body = Organisation.objects.create(name="其他查驗機構", kind=Organisation.Kind.VERIFIER)
    other_verifier = UserFactory(username="other_verifier")
    MembershipFactory(user=other_verifier, organisation=other_body, role=Membership.Role.VERIFIER)
    users = {role: getattr(people, role, None) for role in MONITORING_ROLES}
    users["other_verifier"] = other_verifier
    report = entry.report_import(document=lighting_report_document(plan), by=people.editor)
    entry.report_submit(report, by=people.editor, verification_body=people.body)
    # As the verification workflow leaves a report it sends back to the applicant.
    MonitoringReport.objects.filter(pk=report.pk).update(
        status=MonitoringReport.Status.CHANGES_REQUESTED
    )
    credits.issue_credits(
        plan=plan,
        quantity=10,
        period_end=date(2022, 12, 31),
        monitoring_number=1,
        by=people.reviewer,
    )
    credits.retire(
        account=credits.account_for_plan(plan),
        quantity=3,
        purpose="voluntary",
        beneficiary="崑山科技大學",
        by=people.editor,
    )
    secrets = {
        role: token_create(user=user, name="test").secret if user else None
        for role, user in users.items()
    }
    return {
        "plan": plan,
        "report": MonitoringReport.objects.get(pk=report.pk),
        "body": people.body,
        "other_body": other_body,
        "users": users,
        "secrets": secrets,
    }


@pytest.fixture
def monitoring_client(monitoring_world):
    def client_for(role: str) -> ApiClient:
        return ApiClient(monitoring_world["secrets"][role])

    return client_for
