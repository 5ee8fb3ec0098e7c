"""The REST API under /api/v1/: OpenAPI 3 at openapi.json, interactive docs at docs/
(Swagger UI from django-ninja's own static files: no CDN). Every route but those two
asks for a Bearer token; the session and CSRF of the pages play no part."""

from django.urls import URLPattern, URLResolver, re_path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI

from ducha.api import (
    comparisons,
    errors,
    evidence,
    exports,
    imports,
    inspections,
    ledgers,
    openapi,
    redflags,
    statistics,
    workflow,
)
from ducha.api.auth import BearerToken
from ducha.api.errors import problem
from ducha.api.parser import StrictParser

api = NinjaAPI(
    title="Ducha API",
    version="1",
    description="督查 Ducha: the campaign's ledgers, workflow, supervision, analyses and figures.",
    auth=BearerToken(),
    urls_namespace="api-v1",
    parser=StrictParser(),
)
errors.install(api)
openapi.install(api)
api.add_router("", ledgers.router())
api.add_router("", workflow.router())
api.add_router("", inspections.router())
api.add_router("", evidence.router())
api.add_router("", imports.router())
api.add_router("", exports.router())
api.add_router("", comparisons.router())
api.add_router("", redflags.router())
api.add_router("", statistics.router())


def _open_to_all(patterns: list) -> list:
    """The API answers for itself (401 without a token): the pages' LoginRequiredMiddleware
    must not redirect its clients to the sign-in page."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            _open_to_all(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            pattern.callback.login_required = False  # type: ignore[attr-defined]
    return patterns


@csrf_exempt  # the API's clients send no CSRF token: its routes are exempt too
def _no_route(request, rest: str = ""):
    """A path under /api/v1/ that no route takes (an id that is not a number …): 404 as
    problem details, not the pages' HTML. Last, so it shadows no route added later."""
    return problem(404, _("Not found."))


patterns, app_name, namespace = api.urls
urlpatterns = _open_to_all([*patterns, re_path(r"^(?P<rest>.*)$", _no_route)])
