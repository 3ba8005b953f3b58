import pytest
from django.test import Client

from projects.api.services import token_create
from projects.models import Membership, Organisation, Plan
from projects.services import plan_import
from projects.workflow import plan_transition
from tests.projects.factories import MembershipFactory, OrganisationFactory, UserFactory

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
