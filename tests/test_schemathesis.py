"""The whole API fuzzed with schemathesis, as an admin and as a manager: no input may cause a
server error, and every documented answer matches the schema.

Every operation of the OpenAPI schema becomes a test per role. The schema is generated once, in
process; requests go to the WSGI application inside the test's transaction, so the cast the
fixtures make is what the API sees. RELAY_FUZZ_EXAMPLES (default 6) bounds the examples per
operation so the run finishes in a few minutes on two cores; raise it for a deeper search.
"""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from accounts.tokens import api_token_create

EXAMPLES = int(os.environ.get("RELAY_FUZZ_EXAMPLES", "6"))
APP = get_wsgi_application()
schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))


@pytest.fixture
def wsgi_keeps_the_test_connection():
    """Like Django's test client: a request must not close the connection that holds the
    test's transaction (and the cast in it)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(params=["admin", "manager"])
def caller_headers(
    request,
    wsgi_keeps_the_test_connection,
    admin_user,
    manager_a,
    rep_a,
    rep_b,
    customer_a,
    customer_b,
) -> dict[str, str]:
    """A token of the admin or of manager A, with reps and customers in and out of scope."""
    user = admin_user if request.param == "admin" else manager_a
    _token, key = api_token_create(user=user, name="fuzz")
    return {"Authorization": f"Token {key}"}


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_every_input_without_a_server_error_and_as_documented(case, caller_headers):
    response = case.call(app=APP, headers=caller_headers)
    case.validate_response(
        response,
        checks=[not_a_server_error, response_schema_conformance],
        headers=caller_headers,
    )
