"""Property-based checks of the whole API against its own OpenAPI schema (schemathesis).

Generated requests must never meet a server error, and every answer must match the schema
(status code documented, content type, body shape). Computations are bounded by a short
time limit so that generated countries and dates cannot run long.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is not installed (pip install schemathesis)")
from hypothesis import HealthCheck, settings  # noqa: E402

pytestmark = pytest.mark.data


@pytest.fixture(scope="module")
def api_schema(web_settings):
    from splinternet.web import create_app

    app = create_app(replace(web_settings, timeout_s=20, disk_cache=False, max_pending=64))
    return schemathesis.openapi.from_asgi("/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_api_conforms_to_its_schema(case) -> None:
    from schemathesis.specs.openapi.checks import positive_data_acceptance

    # valid-looking but unknown countries, ASes and dates are refused with a documented 4xx: that is correct
    case.call_and_validate(excluded_checks=[positive_data_acceptance])
