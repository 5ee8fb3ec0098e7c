from django.conf import settings
from django.http import HttpResponse
from django.template.defaultfilters import filesizeformat
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from ducha.core.problem_details import problem_response


class SecurityHeadersMiddleware:
    """Content-Security-Policy (Django 5.2 has none built in), and Cache-Control: no-store
    on every response Ducha renders: pages of signed-in users, .xlsx exports and evidence
    downloads must not stay in a browser's or a proxy's cache (the sign-in page carries a
    CSRF token; static files do not pass through here)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        patch_cache_control(response, no_store=True)
        return response


class RequestSizeLimitMiddleware:
    """413 for a request whose Content-Length is over REQUEST_MAX_BYTES, before anything
    reads its body (it comes before CsrfViewMiddleware, the first to read a form). A body
    without Content-Length (chunked) reaches a WSGI application empty: Django reads no more
    than Content-Length says."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.REQUEST_MAX_BYTES:
            message = _("The request is too large: the limit is %(limit)s.") % {
                "limit": filesizeformat(settings.REQUEST_MAX_BYTES)
            }
            if request.path.startswith("/api/"):  # the API's clients read problem details
                return problem_response(413, message)
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
