"""Every API endpoint × every role of the web's permission matrix.

The API answers what the web pages answer for the same user (the same
predicates in projects/permissions.py): where a web page redirects the
anonymous to sign in, the API answers 401; a plan one may not see is 404 on
both; a plan one sees but may not act on is 403 here (the web page sends the
user back to the plan with a message)."""

import json

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from projects.interchange import plan_document
from projects.models import Plan, PlanVersion
from tests.api.conftest import ROLES

pytestmark = pytest.mark.django_db


def row(*statuses) -> dict[str, int]:
    return dict(zip(ROLES, statuses, strict=True))


#              anon editor viewer outsider other_ed reviewer other_rev admin
SEE = row(401, 200, 200, 404, 404, 200, 404, 200)
SIGNED_IN = row(401, 200, 200, 200, 200, 200, 200, 200)
IMPORT = row(401, 201, 403, 403, 201, 403, 403, 403)
SUBMIT = row(401, 200, 403, 404, 404, 403, 404, 403)
# The web's answers for the same rules (tests/test_permissions.py).
WEB_TO_API = {302: 401, 200: 200, 404: 404, 403: 403}


def plan_count(w):
    return Plan.objects.count()


def submitted(w):
    return (Plan.objects.get(pk=w["plan"].pk).status, PlanVersion.objects.count())


CASES = {
    "list plans": ("get", lambda w: "/api/v1/plans", None, SIGNED_IN, None),
    "read a plan": ("get", lambda w: f"/api/v1/plans/{w['plan'].pk}", None, SEE, None),
    "export a plan": (
        "get",
        lambda w: f"/api/v1/plans/{w['plan'].pk}/document",
        None,
        SEE,
        None,
    ),
    "import a plan": ("post", lambda w: "/api/v1/plans", "document", IMPORT, plan_count),
    "submit a plan": (
        "post",
        lambda w: f"/api/v1/plans/{w['plan'].pk}/submit",
        None,
        SUBMIT,
        submitted,
    ),
    "list programmes": ("get", lambda w: "/api/v1/programmes", None, SIGNED_IN, None),
    "programme totals": (
        "get",
        lambda w: f"/api/v1/programmes/{w['programme'].pk}",
        None,
        SIGNED_IN,
        None,
    ),
}


@pytest.fixture
def programme_world(world):
    from projects.models import Programme

    world["programme"] = Programme.objects.create(
        authority=world["authority"], title="設備汰換方案", version="1"
    )
    return world


@pytest.mark.parametrize(
    "method,url,body,expected,probe",
    CASES.values(),
    ids=CASES.keys(),
)
def test_each_role_gets_exactly_what_the_rules_allow(
    programme_world, api_client, method, url, body, expected, probe
):
    w = programme_world
    document = json.dumps(plan_document(w["plan"]), ensure_ascii=False)
    got, changed = {}, set()
    for role in ROLES:
        savepoint = transaction.savepoint()
        try:
            before = probe(w) if probe else None
            client = api_client(role)
            if method == "get":
                response = client.get(url(w))
            else:
                response = client.post(url(w), document if body else "", "application/json")
            got[role] = response.status_code
            assert response["Content-Type"].startswith("application/json")
            if response.status_code >= 400:
                assert response.json()["errors"][0]["path"] == "$"
            if probe and probe(w) != before:
                changed.add(role)
        finally:
            transaction.savepoint_rollback(savepoint)
    assert got == expected
    if probe:
        assert changed == {role for role, status in expected.items() if status in (200, 201)}


@pytest.mark.parametrize(
    "web_name,api_path",
    [("projects:plan_detail", ""), ("projects:plan_export", "/document")],
)
def test_seeing_a_plan_through_the_api_mirrors_the_web_page(world, api_client, web_name, api_path):
    pk = world["plan"].pk
    for role in ROLES:
        web = Client()
        if world["users"][role] is not None:
            web.force_login(world["users"][role])
        web_status = web.get(reverse(web_name, args=[pk])).status_code
        api_status = api_client(role).get(f"/api/v1/plans/{pk}{api_path}").status_code
        assert WEB_TO_API[web_status] == api_status, role


def test_the_plan_list_holds_exactly_the_plans_the_web_list_holds(world, api_client):
    for role in ROLES[1:]:
        web = Client()
        web.force_login(world["users"][role])
        web_ids = {plan.pk for plan in web.get(reverse("projects:plan_list")).context["plans"]}
        api = api_client(role).get("/api/v1/plans").json()
        assert {item["id"] for item in api["items"]} == web_ids, role
        assert api["count"] == len(web_ids)
