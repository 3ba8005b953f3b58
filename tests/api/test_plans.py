"""Plans and programmes through the API: import, export, submit, lists, totals."""

import json

import pytest

from projects.interchange import plan_document
from projects.models import Membership, Plan
from projects.services import plan_import
from projects.workflow import plan_transition
from tests.api.conftest import ApiClient
from tests.projects.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def post_document(client, url, document):
    return client.post(url, json.dumps(document, ensure_ascii=False), "application/json")


@pytest.mark.parametrize("name", ["chiller-individual.json", "lighting-subproject.json"])
def test_an_imported_plan_exports_as_the_same_document(name, fixture_document, world, api_client):
    document = fixture_document(name)
    if "programme" in document["plan"]:
        # A sub-project joins an open programme; the API creates none.
        plan_import(document=document, create_programmes=True)
    client = api_client("editor")
    response = post_document(client, "/api/v1/plans", document)
    assert response.status_code == 201, response.content
    created = response.json()
    plan = Plan.objects.get(pk=created["id"])
    assert plan.organisation == world["plan"].organisation
    assert plan.status == Plan.Status.DRAFT
    assert created["document_url"] == f"/api/v1/plans/{plan.pk}/document"
    exported = client.get(created["document_url"])
    assert exported.status_code == 200
    assert exported.json() == document
    assert exported.json() == plan_document(plan)  # what the web export gives


def test_a_bad_document_is_not_imported_and_each_error_has_its_path(
    fixture_document, world, api_client
):
    document = fixture_document("chiller-individual.json")
    document["calculation"]["baseline"]["groups"][0]["count"] = "many"
    before = Plan.objects.count()
    response = post_document(api_client("editor"), "/api/v1/plans", document)
    assert response.status_code == 400
    assert "calculation.baseline.groups[0].count" in {e["path"] for e in response.json()["errors"]}
    assert Plan.objects.count() == before


def test_an_editor_of_several_organisations_names_the_one_to_import_for(
    fixture_document, world, api_client
):
    second = OrganisationFactory()
    MembershipFactory(user=world["users"]["editor"], organisation=second)
    client = api_client("editor")
    document = fixture_document("chiller-individual.json")
    refused = post_document(client, "/api/v1/plans", document)
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["path"] == "query.organisation"
    elsewhere = OrganisationFactory()
    not_theirs = post_document(client, f"/api/v1/plans?organisation={elsewhere.pk}", document)
    assert not_theirs.status_code == 400
    created = post_document(client, f"/api/v1/plans?organisation={second.pk}", document)
    assert created.status_code == 201
    assert Plan.objects.get(pk=created.json()["id"]).organisation == second


def test_submitting_takes_the_web_workflow(world, api_client):
    plan = world["plan"]
    response = api_client("editor").post(f"/api/v1/plans/{plan.pk}/submit")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "submitted"
    assert response.json()["version"] == 2
    again = api_client("editor").post(f"/api/v1/plans/{plan.pk}/submit")
    assert again.status_code == 409
    assert again.json()["errors"][0]["path"] == "$"


def test_an_incomplete_plan_is_refused_with_each_problem_at_its_section(
    world, api_client, demo_document
):
    document = demo_document("chiller-individual.json")
    document["plan"]["title"] = ""
    plan = plan_import(document=document, organisation=world["plan"].organisation)
    response = api_client("editor").post(f"/api/v1/plans/{plan.pk}/submit")
    assert response.status_code == 422
    paths = [error["path"] for error in response.json()["errors"]]
    assert any(path.startswith("sections.basic") for path in paths), paths
    assert Plan.objects.get(pk=plan.pk).status == Plan.Status.DRAFT


def test_the_plan_list_is_paginated(world, api_client, demo_document):
    for _ in range(3):
        plan_import(
            document=demo_document("chiller-individual.json"),
            organisation=world["plan"].organisation,
        )
    client = api_client("viewer")
    first = client.get("/api/v1/plans?page_size=2").json()
    second = client.get("/api/v1/plans?page_size=2&page=2").json()
    assert first["count"] == second["count"] == 4
    assert len(first["items"]) == 2 and len(second["items"]) == 2
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}
    assert first["items"][0]["annual_reduction_tco2e"] is not None
    bad = client.get("/api/v1/plans?page=0")
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["path"] == "query.page"


def test_a_programmes_totals_are_over_the_sub_projects_the_caller_sees(
    demo_document, world, api_client
):
    plan = plan_import(document=demo_document("lighting-subproject.json"), create_programmes=True)
    programme = plan.programme
    editor = world["users"]["editor"]
    MembershipFactory(user=editor, organisation=plan.organisation, role=Membership.Role.EDITOR)
    reviewer = world["users"]["reviewer"]
    MembershipFactory(
        user=reviewer, organisation=programme.authority, role=Membership.Role.REVIEWER
    )
    for user, name in [(editor, "submit"), (reviewer, "start_review"), (reviewer, "approve")]:
        plan = plan_transition(plan=plan, user=user, name=name)
    version = plan.current_version
    url = f"/api/v1/programmes/{programme.pk}"
    totals = api_client("reviewer").get(url).json()["totals"]
    assert totals["plans"] == totals["approved"] == 1
    assert totals["by_status"]["approved"] == 1
    assert totals["approved_annual_reduction_tco2e"] == version.annual_reduction_tco2e
    assert totals["approved_total_reduction_tco2e"] == version.total_reduction_tco2e
    # A signed-in user of neither side sees the programme, with none of its plans.
    outsider = api_client("outsider").get(url).json()
    assert outsider["title"] == programme.title
    assert outsider["totals"]["plans"] == 0
    assert outsider["totals"]["approved_total_reduction_tco2e"] == 0
    assert ApiClient().get(url).status_code == 401
