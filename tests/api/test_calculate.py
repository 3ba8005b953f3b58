"""POST /api/v1/calculate: a document in, its results out, as `manage.py calculate`."""

import json

import pytest
from django.test import Client

from methodologies.engine import MAX_DOCUMENT_BYTES

pytestmark = pytest.mark.django_db
URL = "/api/v1/calculate"


def post(client, body, **extra):
    data = body if isinstance(body, bytes | str) else json.dumps(body, ensure_ascii=False)
    return client.post(URL, data, content_type="application/json", **extra)


@pytest.mark.parametrize(
    "name", ["lighting-subproject.json", "chiller-individual.json", "monitoring-lighting-2022.json"]
)
def test_calculate_answers_the_expected_results_for_the_reference_documents(
    name, fixture_document, expected_results
):
    response = post(Client(), fixture_document(name))
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/json")
    results = response.json()
    results["checks"] = [{"id": c["id"], "status": c["status"]} for c in results["checks"]]
    assert results == expected_results[name]


def test_calculate_needs_no_sign_in_and_no_csrf_token(fixture_document):
    client = Client(enforce_csrf_checks=True)
    assert post(client, fixture_document("chiller-individual.json")).status_code == 200


def test_a_bad_document_is_refused_with_each_error_at_its_path(fixture_document):
    document = fixture_document("chiller-individual.json")
    document["calculation"]["baseline"]["groups"][0]["count"] = -3
    document["plan"]["colour"] = "blue"
    response = post(Client(), document)
    assert response.status_code == 400
    paths = {error["path"] for error in response.json()["errors"]}
    assert "calculation.baseline.groups[0].count" in paths
    assert "plan.colour" in paths
    assert all(error["message"] for error in response.json()["errors"])


def test_a_body_that_is_not_json_is_refused_at_the_document_root():
    response = post(Client(), b"{not json")
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["path"] == "$"
    assert error["message"].startswith("not valid JSON")


def test_a_bad_monitoring_report_is_refused_at_its_paths(fixture_document):
    document = fixture_document("monitoring-lighting-2022.json")
    document["surprise"] = 1
    response = post(Client(), document)
    assert response.status_code == 400
    assert "surprise" in {e["path"] for e in response.json()["errors"]}


def test_an_unknown_format_is_refused_at_format(fixture_document):
    document = fixture_document("chiller-individual.json")
    document["format"] = "offset-plan/9"
    response = post(Client(), document)
    assert response.status_code == 400
    assert [e["path"] for e in response.json()["errors"]] == ["format"]


def test_a_body_over_the_document_limit_is_refused_with_413_before_it_is_parsed():
    body = b'{"format": "' + b"x" * MAX_DOCUMENT_BYTES + b'"}'
    response = post(Client(), body)
    assert response.status_code == 413
    [error] = response.json()["errors"]
    assert error["path"] == "$"
    assert "5,000,000 bytes" in error["message"]


def test_a_document_between_the_form_limit_and_the_document_limit_is_read(fixture_document):
    """Larger than the 2.5 MB every other POST may send, within the format's 5 MB."""
    document = fixture_document("chiller-individual.json")
    body = (json.dumps(document, ensure_ascii=False) + " " * 3_000_000).encode()
    assert 2_621_440 < len(body) < MAX_DOCUMENT_BYTES
    response = post(Client(), body)
    assert response.status_code == 200, response.content[:300]


def test_calculate_is_rate_limited_per_address(settings, fixture_document):
    settings.API_CALCULATE_RATE = "3/d"  # a day: the window cannot turn over mid-test
    document = fixture_document("chiller-individual.json")
    client = Client()
    statuses = [post(client, document).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert response_errors(post(client, document))[0]["path"] == "$"
    # Another address has its own count.
    assert post(client, document, REMOTE_ADDR="10.0.0.9").status_code == 200


def response_errors(response):
    return response.json()["errors"]
