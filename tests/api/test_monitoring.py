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
