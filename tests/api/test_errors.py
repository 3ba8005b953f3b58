"""Every error under /api/ is JSON of one shape: {"errors": [{"path", "message"}]}."""

import pytest
from django.test import Client

from projects.api import plans
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db


def assert_error_shape(response, status):
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    errors = response.json()["errors"]
    assert errors and all(set(error) == {"path", "message"} for error in errors)
    return errors


def test_an_unknown_api_url_is_a_json_404():
    [error] = assert_error_shape(Client().get("/api/v1/no/such/thing"), 404)
    assert error == {"path": "$", "message": "not found"}
    assert_error_shape(Client().get("/api/v2/plans"), 404)


def test_a_method_the_url_does_not_take_is_a_json_405_with_allow():
    response = Client().delete("/api/v1/calculate")
    assert_error_shape(response, 405)
    assert response["Allow"] == "POST"


def test_a_plan_that_does_not_exist_is_a_json_404(world, api_client):
    [error] = assert_error_shape(api_client("admin").get("/api/v1/plans/999999"), 404)
    assert error["path"] == "$"


def test_a_bad_parameter_is_a_json_400_at_the_parameter(world, api_client):
    [error] = assert_error_shape(api_client("editor").get("/api/v1/plans/abc"), 400)
    assert error["path"] == "path.plan_id"


def test_a_server_error_is_a_json_500(world, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(plans.permissions, "visible_plans", broken)
    client = ApiClient(world["secrets"]["editor"])
    client.raise_request_exception = False
    [error] = assert_error_shape(client.get("/api/v1/plans"), 500)
    assert error == {"path": "$", "message": "server error"}


def test_an_oversized_body_on_a_small_api_post_is_json(world, api_client):
    big = b"x" * 3_000_000
    response = api_client("editor").post(
        f"/api/v1/plans/{world['plan'].pk}/submit", big, "application/json"
    )
    assert_error_shape(response, 400)


def test_the_schema_and_the_docs_are_served():
    schema = Client().get("/api/v1/openapi.json")
    assert schema.status_code == 200
    assert schema.json()["openapi"].startswith("3.")
    assert "/api/v1/calculate" in schema.json()["paths"]
    assert "bearer" in str(schema.json()["components"]["securitySchemes"]).lower()
    docs = Client().get("/api/v1/docs")
    assert docs.status_code == 200
    assert b"swagger" in docs.content.lower()
    assert b"cdn." not in docs.content  # served from our own static files
