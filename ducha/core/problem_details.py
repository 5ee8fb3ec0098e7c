"""RFC 9457 problem details (`application/problem+json`): the error body of the API and of
/health. `status`, `title` (the HTTP reason), `detail` in the user's language."""

from http import HTTPStatus

from django.http import JsonResponse

CONTENT_TYPE = "application/problem+json"


def problem_response(status: int, detail: str = "", **members) -> JsonResponse:
    body = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status, "detail": detail, **members}
    return JsonResponse(body, status=status, content_type=CONTENT_TYPE, json_dumps_params={"ensure_ascii": False})
