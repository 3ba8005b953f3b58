"""Monitoring reports through the API: the permission matrix of the web's monitoring
pages, import with a token and the same document exported back, replace, submit."""

import json

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from projects.monitoring.models import MonitoringReport, MonitoringReportVersion
from projects.monitoring.services import report_document
from tests.api.conftest import MONITORING_ROLES, ApiClient, lighting_report_document

pytestmark = pytest.mark.django_db


def row(*statuses) -> dict[str, int]:
    return dict(zip(MONITORING_ROLES, statuses, strict=True))


#       anon editor viewer outsider reviewer verifier other_verifier admin
SIGNED_IN = row(401, 200, 200, 200, 200, 200, 200, 200)
SEE = row(401, 200, 200, 404, 200, 200, 404, 200)
# Those who see the report but may not change it are refused (403); the web answers 404.
CHANGE = row(401, 200, 403, 404, 403, 403, 404, 403)
# A new report names its plan in the document: a plan one does not see is a fault
# of the document (400 at plan.number), as is an organisation one does not edit for
# when importing a plan.
IMPORT = row(401, 201, 403, 400, 403, 400, 400, 403)
WEB_TO_API = {302: 401, 200: 200, 404: 404}


def report_count(w):
    return MonitoringReport.objects.count()


def content(w):
    return report_document(MonitoringReport.objects.get(pk=w["report"].pk))


def submitted(w):
    return (
        MonitoringReport.objects.get(pk=w["report"].pk).status,
        MonitoringReportVersion.objects.count(),
    )


def second_report(w):
    return lighting_report_document(w["plan"], number=2, year=2023)


def changed_report(w):
    document = report_document(w["report"])
    document["monitoring"]["explanation"] = "以 API 更新"
    return document


CASES = {
    "list reports": ("get", lambda w: "/api/v1/monitoring-reports", None, SIGNED_IN, None),
    "read a report": (
        "get",
        lambda w: f"/api/v1/monitoring-reports/{w['report'].pk}",
        None,
        SEE,
        None,
    ),
    "export a report": (
        "get",
        lambda w: f"/api/v1/monitoring-reports/{w['report'].pk}/document",
        None,
        SEE,
        None,
    ),
    "import a report": (
        "post",
        lambda w: "/api/v1/monitoring-reports",
        second_report,
        IMPORT,
        report_count,
    ),
    "replace a report's data": (
        "put",
        lambda w: f"/api/v1/monitoring-reports/{w['report'].pk}/document",
        changed_report,
        CHANGE,
        content,
    ),
    "submit a report": (
        "post",
        lambda w: f"/api/v1/monitoring-reports/{w['report'].pk}/submit",
        lambda w: {"verification_body": w["body"].pk},
        CHANGE,
        submitted,
    ),
    "list verification bodies": (
        "get",
        lambda w: "/api/v1/verification-bodies",
        None,
        SIGNED_IN,
        None,
    ),
}


@pytest.mark.parametrize("method,url,body,expected,probe", CASES.values(), ids=CASES.keys())
def test_each_role_gets_exactly_what_the_monitoring_rules_allow(
    monitoring_world, monitoring_client, method, url, body, expected, probe
):
    w = monitoring_world
    got, changed = {}, set()
    for role in MONITORING_ROLES:
        savepoint = transaction.savepoint()
        try:
            before = probe(w) if probe else None
            client = monitoring_client(role)
            if method == "get":
                response = client.get(url(w))
            else:
                data = json.dumps(body(w), ensure_ascii=False) if body else ""
                response = getattr(client, method)(url(w), data, "application/json")
            got[role] = response.status_code
            assert response["Content-Type"].startswith("application/json")
            if response.status_code >= 400:
                assert response.json()["errors"][0]["path"] in ("$", "plan.number"), (
                    role,
                    response.json(),
                )
            if probe and probe(w) != before:
                changed.add(role)
        finally:
            transaction.savepoint_rollback(savepoint)
    assert got == expected
    if probe:
        assert changed == {role for role, status in expected.items() if status in (200, 201)}


@pytest.mark.parametrize(
    "web_name,api_path",
    [("projects:monitoring_report", ""), ("projects:monitoring_export", "/document")],
)
def test_seeing_a_report_through_the_api_mirrors_the_web_page(
    monitoring_world, monitoring_client, web_name, api_path
):
    pk = monitoring_world["report"].pk
    for role in MONITORING_ROLES:
        web = Client()
        if monitoring_world["users"][role] is not None:
            web.force_login(monitoring_world["users"][role])
        web_status = web.get(reverse(web_name, args=[pk])).status_code
        api_status = monitoring_client(role).get(f"/api/v1/monitoring-reports/{pk}{api_path}")
        assert WEB_TO_API[web_status] == api_status.status_code, role


@pytest.mark.parametrize("web_name", ["projects:monitoring_replace", "projects:monitoring_submit"])
def test_who_may_change_a_report_through_the_api_is_who_may_on_the_web(
    monitoring_world, monitoring_client, web_name
):
    """The web answers 404 to whoever may not change the report; the API tells those
    who see it (403) from those who do not (404)."""
    pk = monitoring_world["report"].pk
    for role in MONITORING_ROLES[1:]:
        web = Client()
        web.force_login(monitoring_world["users"][role])
        web_allowed = web.post(reverse(web_name, args=[pk])).status_code != 404
        api_allowed = CHANGE[role] == 200
        assert web_allowed == api_allowed, role


def test_the_report_list_holds_exactly_the_reports_the_caller_sees(
    monitoring_world, monitoring_client
):
    w = monitoring_world
    draft = MonitoringReport.objects.get(
        pk=monitoring_client("editor")
        .post(
            "/api/v1/monitoring-reports",
            json.dumps(second_report(w), ensure_ascii=False),
            "application/json",
        )
        .json()["id"]
    )
    for role in MONITORING_ROLES[1:]:
        expected = set(
            MonitoringReport.objects.visible_to(w["users"][role]).values_list("pk", flat=True)
        )
        listed = monitoring_client(role).get("/api/v1/monitoring-reports?page_size=1").json()
        assert listed["count"] == len(expected), role
        everything = monitoring_client(role).get("/api/v1/monitoring-reports").json()["items"]
        assert {item["id"] for item in everything} == expected, role
    # A draft is the applicant's alone: its verifier and the authority do not see it yet.
    assert draft.pk not in {
        item["id"]
        for item in monitoring_client("verifier").get("/api/v1/monitoring-reports").json()["items"]
    }
    of_plan = monitoring_client("editor").get(f"/api/v1/monitoring-reports?plan={w['plan'].pk}")
    assert of_plan.json()["count"] == 2


def test_an_imported_report_exports_as_the_same_document(monitoring_world, monitoring_client):
    w = monitoring_world
    document = lighting_report_document(w["plan"], number=2, year=2023)
    client = monitoring_client("editor")
    response = client.post(
        "/api/v1/monitoring-reports", json.dumps(document, ensure_ascii=False), "application/json"
    )
    assert response.status_code == 201, response.content
    created = response.json()
    report = MonitoringReport.objects.get(pk=created["id"])
    assert (report.plan, report.number, report.status) == (w["plan"], 2, "draft")
    assert created["claimed_reduction_tco2e"] == int(report.results["reduction_tco2e"])
    assert created["document_url"] == f"/api/v1/monitoring-reports/{report.pk}/document"
    exported = client.get(created["document_url"])
    assert exported.status_code == 200
    assert exported.json() == document
    # The web's export gives the same document.
    web = Client()
    web.force_login(w["users"]["editor"])
    assert json.loads(web.get(reverse("projects:monitoring_export", args=[report.pk])).content) == (
        document
    )


def test_a_bad_report_document_is_refused_with_each_error_at_its_path(
    monitoring_world, monitoring_client
):
    w = monitoring_world
    client = monitoring_client("editor")
    document = lighting_report_document(w["plan"], number=2, year=2023)
    document["monitoring"]["baseline"]["groups"][0]["count"] = "many"
    before = MonitoringReport.objects.count()
    response = client.post(
        "/api/v1/monitoring-reports", json.dumps(document, ensure_ascii=False), "application/json"
    )
    assert response.status_code == 400
    paths = {error["path"] for error in response.json()["errors"]}
    assert "monitoring.baseline.groups[0].count" in paths
    # A period that is another report's; a number that is not the next one.
    for number, year, path in [
        (2, 2022, "monitoring.period.start"),
        (3, 2023, "monitoring.number"),
    ]:
        document = lighting_report_document(w["plan"], number=number, year=year)
        response = client.post(
            "/api/v1/monitoring-reports", json.dumps(document), "application/json"
        )
        assert response.status_code == 400
        assert path in {error["path"] for error in response.json()["errors"]}, (number, year)
    assert MonitoringReport.objects.count() == before
    unknown = lighting_report_document(w["plan"], number=2, year=2023)
    unknown["plan"]["number"] = "B-9999999-999"
    response = client.post("/api/v1/monitoring-reports", json.dumps(unknown), "application/json")
    assert response.status_code == 400
    assert [e["path"] for e in response.json()["errors"]] == ["plan.number"]


def test_replacing_a_report_keeps_its_number_and_refuses_another_reports_number(
    monitoring_world, monitoring_client
):
    w = monitoring_world
    url = f"/api/v1/monitoring-reports/{w['report'].pk}/document"
    client = monitoring_client("editor")
    document = report_document(w["report"])
    document["monitoring"]["baseline"]["groups"][0]["hours"] = "1000"
    response = client.put(url, json.dumps(document, ensure_ascii=False), "application/json")
    assert response.status_code == 200, response.content
    assert client.get(url).json() == document
    document["monitoring"]["number"] = 5
    refused = client.put(url, json.dumps(document, ensure_ascii=False), "application/json")
    assert refused.status_code == 400
    assert "monitoring.number" in {e["path"] for e in refused.json()["errors"]}
    assert client.get(url).json()["monitoring"]["number"] == 1


def test_submitting_takes_the_webs_service_and_a_submitted_report_is_frozen(
    monitoring_world, monitoring_client
):
    w = monitoring_world
    url = f"/api/v1/monitoring-reports/{w['report'].pk}/submit"
    client = monitoring_client("editor")
    not_a_body = client.post(
        url, {"verification_body": w["plan"].organisation.pk}, "application/json"
    )
    assert not_a_body.status_code == 400
    assert not_a_body.json()["errors"][0]["path"] == "body.verification_body"
    missing = client.post(url, {}, "application/json")
    assert missing.status_code == 400
    response = client.post(url, {"verification_body": w["other_body"].pk}, "application/json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "submitted" and body["version"] == 2
    assert body["verification_body"] == {"id": w["other_body"].pk, "name": "其他查驗機構"}
    # Now the other body's verifier sees it, and the first body's no longer does.
    assert monitoring_client("other_verifier").get(url.removesuffix("/submit")).status_code == 200
    assert monitoring_client("verifier").get(url.removesuffix("/submit")).status_code == 404
    again = client.post(url, {"verification_body": w["body"].pk}, "application/json")
    assert again.status_code == 409
    document = report_document(MonitoringReport.objects.get(pk=w["report"].pk))
    frozen = client.put(
        url.replace("/submit", "/document"), json.dumps(document), "application/json"
    )
    assert frozen.status_code == 409


def test_a_report_whose_factor_is_not_published_is_refused_and_stays_a_draft(
    monitoring_world, monitoring_client
):
    w = monitoring_world
    document = lighting_report_document(w["plan"], number=2, year=2029)
    client = monitoring_client("editor")
    response = client.post("/api/v1/monitoring-reports", json.dumps(document), "application/json")
    assert response.status_code == 201, response.content
    report_id = response.json()["id"]
    assert response.json()["results"] is None
    refused = client.post(
        f"/api/v1/monitoring-reports/{report_id}/submit",
        {"verification_body": w["body"].pk},
        "application/json",
    )
    assert refused.status_code == 422
    assert "2029" in refused.json()["errors"][0]["message"]
    assert MonitoringReport.objects.get(pk=report_id).status == "draft"


def test_the_anonymous_get_401_everywhere(monitoring_world):
    for url in ["/api/v1/monitoring-reports", "/api/v1/accounts"]:
        response = ApiClient().get(url)
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Bearer")
