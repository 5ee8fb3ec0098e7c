"""schemathesis against the API's own OpenAPI schema: every operation of the schema as it
is when the test runs, as the office, the viewer, a group member and a unit reporter
(a token each). Valid and invalid requests, generated deterministically; half of those
that name a record name a real one (with its current ETag in If-Match half the time), so
the routes get past the 404 and their forms and actions answer too.

Every answer must be no server error and match the schema: a documented status, the
declared content type and headers, a body of the declared shape (schemathesis' checks).
A schema-valid request may still be refused by what a schema cannot say (another unit's
code, a date before the deadline, a stale ETag: 404, 409, 412, 422 from the forms and
actions), never by the request's own validation (`valid_requests_pass_validation`)."""

import os

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import negative_data_rejection

from ducha.api.tests import routes
from ducha.core.actions import record_version
from ducha.testing import zh

ROLES = ("office", "viewer", "group_a", "league_a")
# Examples per operation and role: the suite's time on each database (about 80 ms an example);
# DUCHA_API_EXAMPLES=50 for a deeper run by hand.
EXAMPLES = int(os.environ.get("DUCHA_API_EXAMPLES", 3))
CONFIG = schemathesis.Config.from_dict(
    {"checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", "401", "403", "404", "409", "412", "422"]}}}
)
SCHEMA = schemathesis.openapi.from_dict(routes.schema(), config=CONFIG)
OPERATIONS = {op.label: op for op in (result.ok() for result in SCHEMA.get_all_operations())}
REQUEST_INVALID = {"The request is not valid.", zh("The request is not valid.")}


@schemathesis.check
def valid_requests_pass_validation(ctx, response, case):
    """A request the schema allows is not refused as malformed (the schema says less than the route takes)."""
    if case.meta is None or case.meta.generation.mode != GenerationMode.POSITIVE or response.status_code != 422:
        return None
    body = response.json()
    if body.get("detail") in REQUEST_INVALID:
        raise AssertionError(f"A schema-valid request refused as malformed: {body.get('errors')}")
    return None


def _unrejectable(case) -> list:
    """Cases that cannot be refused, so negative_data_rejection does not judge them: a query
    parameter made invalid as an object or a list reaches the server as plain text
    (`?sort=a,b`, a valid string), and an invalid Authorization header is replaced by ours.
    Any other invalid part (a query value of the wrong type, the body, the path, If-Match)
    must still be refused."""
    negative = {location for location, info in (case.meta.components.items() if case.meta else ())
                if info.mode.is_negative}  # fmt: skip
    ambiguous_query = any(isinstance(value, dict | list) for value in (case.query or {}).values())
    replaced_header = "Authorization" in (case.headers or {})
    if (
        negative
        and negative <= {ParameterLocation.QUERY, ParameterLocation.HEADER}
        and (ParameterLocation.QUERY not in negative or ambiguous_query)
        and (ParameterLocation.HEADER not in negative or replaced_header)
    ):
        return [negative_data_rejection]
    return []


@pytest.fixture
def app():
    """The WSGI application in the test's thread and database transaction: like Django's
    test client, without closing the connection at the end of each request."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    SCHEMA.app = get_wsgi_application()  # the checks that send a request again send it here too
    try:
        yield SCHEMA.app
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.mark.parametrize("label", sorted(OPERATIONS))
@pytest.mark.parametrize("role", ROLES)
def test_every_answer_matches_the_schema(world, app, role, label):
    operation = OPERATIONS[label]
    models = routes.record_parameters(next(o for o in routes.operations() if str(o) == label))
    pks = {name: sorted(model._default_manager.values_list("pk", flat=True)) for name, model in models.items()}
    headers = {"Authorization": f"Bearer {world.tokens[role]}"}
    cases = st.one_of(
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    )
    real = st.fixed_dictionaries({name: st.sampled_from(found) for name, found in pks.items() if found})

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases, use_real=st.booleans(), chosen=real, current_etag=st.booleans())
    def check(case, use_real, chosen, current_etag):
        if use_real and chosen and isinstance(case.path_parameters, dict):
            case.path_parameters.update(chosen)
            last = list(chosen)[-1]
            if current_etag and case.headers and "If-Match" in case.headers:
                obj = models[last]._default_manager.filter(pk=chosen[last]).first()
                if obj is not None:
                    case.headers["If-Match"] = f'"{record_version(obj)}"'
        case.call_and_validate(app=app, headers=headers, excluded_checks=_unrejectable(case))

    check()
