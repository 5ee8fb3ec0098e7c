from django.conf import settings


class SecurityHeadersMiddleware:
    """Content-Security-Policy (Django 5.2 has none built in) and a strict referrer policy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response
