"""Schemathesis against our own OpenAPI schema: generated requests never make the server fail,
and every documented response matches its schema."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import negative_data_rejection

from sharingcity.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Schemathesis calls the WSGI app directly, which closes "old" database connections at the
    end of each request; Django's own test client switches that off, and so do we, so the
    test's transaction survives (it matters on PostgreSQL)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def city(db):
    from tests import factories as f

    f.district()
    f.department()


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@pytest.mark.django_db
def test_api_never_fails_and_matches_its_schema(case, city):
    response = case.call()
    assert response.status_code < 500, response.text
    if response.status_code < 400:
        # Pydantic's lax parsing accepts e.g. 0.5 for a date (a timestamp): coercion, not a failure.
        case.validate_response(response, excluded_checks=[negative_data_rejection])
    else:
        content_type = {k.lower(): v for k, v in response.headers.items()}.get("content-type", [""])[0]
        assert content_type.startswith("application/json"), (case.method, case.path, response.text[:200])
        body = response.json()
        assert set(body) == {"code", "message", "details"}, body
