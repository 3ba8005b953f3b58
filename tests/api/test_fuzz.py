"""Schemathesis against the served OpenAPI schema: examples generated from the
schema for every operation (plans, programmes, monitoring reports, verification
bodies, credit accounts), signed in with an editor's token, bounded (a few
examples per operation, well under a minute); none may answer a server error,
and every answer must match the schema and be JSON."""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = pytest.mark.django_db
EXAMPLES = 12


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def wsgi_app():
    """The site's WSGI application, on the test's database connection: like Django's test
    client, requests do not close the connection (that would end the test's transaction)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def test_no_operation_answers_a_server_error(monitoring_world, settings, wsgi_app):
    """The editor of a registered plan with a report sent back and an account with a
    ledger. (schemathesis' pytest plugin needs a pytest before 9; its engine runs
    here directly.)"""
    settings.API_CALCULATE_RATE = "100000/m"  # the fuzzer is one address
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)
    headers = {"Authorization": f"Bearer {monitoring_world['secrets']['editor']}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    for operation in operations:

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def fuzz(case):
            response = case.call(headers=headers, environ_overrides={"REMOTE_ADDR": "10.0.0.1"})
            case.validate_response(response, checks=CHECKS)

        fuzz()
