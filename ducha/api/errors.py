"""Errors as RFC 9457 problem details (`application/problem+json`): `status`, `title`
(the HTTP reason), `detail` (what went wrong, in the user's language: the forms' own
messages) and, for a refused record, `errors`: field → messages ("__all__" for the record)."""

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.errors import AuthenticationError, AuthorizationError, HttpError
from ninja.errors import ValidationError as RequestValidationError

from ducha.core.access import AccessDenied
from ducha.core.actions import StaleRecord
from ducha.core.problem_details import problem_response


class ProblemDetails(Schema):
    type: str = "about:blank"
    title: str
    status: int
    detail: str = ""
    errors: dict[str, list[str]] | None = None


class ApiError(Exception):
    """Raised by a route: the response is this status with `detail` (and field `errors`)."""

    def __init__(self, status: int, detail: str = "", errors: dict[str, list[str]] | None = None):
        super().__init__(detail)
        self.status, self.detail, self.errors = status, detail, errors


def problem(status: int, detail: str = "", errors: dict[str, list[str]] | None = None, **headers) -> JsonResponse:
    response = problem_response(status, detail, **({"errors": errors} if errors else {}))
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def field_errors(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {field: [str(m) for m in messages] for field, messages in error.message_dict.items()}
    return {"__all__": [str(m) for m in error.messages]}


def refused_form(form) -> ApiError:
    """A form's errors as a 422 (the form's own messages, at their fields)."""
    errors = {field: [str(m) for m in messages] for field, messages in form.errors.items()}
    return ApiError(422, " ".join(m for ms in errors.values() for m in ms), errors)


def _request_errors(error: RequestValidationError) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for item in error.errors:
        where = ".".join(str(part) for part in item.get("loc", ()) if part not in {"body", "payload"}) or "__all__"
        errors.setdefault(where, []).append(str(item.get("msg", "")))
    return errors


def install(api) -> None:
    """Register the handlers that turn every error into problem details."""

    def on(kind):
        return lambda handler: api.add_exception_handler(kind, handler)

    @on(ApiError)
    def _api_error(request: HttpRequest, exc: ApiError):
        return problem(exc.status, exc.detail, exc.errors)

    @on(RequestValidationError)
    def _request_invalid(request: HttpRequest, exc: RequestValidationError):
        return problem(422, _("The request is not valid."), _request_errors(exc))

    @on(ValidationError)
    def _invalid(request: HttpRequest, exc: ValidationError):
        errors = field_errors(exc)
        return problem(422, " ".join(m for ms in errors.values() for m in ms), errors)

    @on(AuthenticationError)
    def _unauthenticated(request: HttpRequest, exc: AuthenticationError):
        detail = _("A valid API token is needed: Authorization: Bearer <token>.")
        return problem(401, detail, WWW_Authenticate="Bearer")

    @on(AuthorizationError)
    def _forbidden(request: HttpRequest, exc: AuthorizationError):
        return problem(403, _("You may not do this."))

    @on(AccessDenied)
    def _access_denied(request: HttpRequest, exc: AccessDenied):
        return problem(403, _("You may not save a record for this unit."))

    @on(PermissionDenied)
    def _permission_denied(request: HttpRequest, exc: PermissionDenied):
        return problem(403, str(exc) or _("You may not do this."))

    @on(Http404)
    def _not_found(request: HttpRequest, exc: Exception):
        return problem(404, _("Not found."))

    @on(ObjectDoesNotExist)
    def _does_not_exist(request: HttpRequest, exc: Exception):
        return problem(404, _("Not found."))  # another unit's record is simply not there

    @on(StaleRecord)
    def _stale(request: HttpRequest, exc: StaleRecord):
        detail = _("The record has changed since you read it: read it again and repeat your change.")
        return problem(412, detail)

    @on(HttpError)
    def _http_error(request: HttpRequest, exc: HttpError):
        return problem(exc.status_code, str(exc))


# The error responses every route documents (schemathesis checks each against its schema).
# 400: a body that is not JSON (or not multipart) at all.
ERRORS = {400: ProblemDetails, 401: ProblemDetails, 403: ProblemDetails, 404: ProblemDetails, 422: ProblemDetails}
UPDATE_ERRORS = {**ERRORS, 412: ProblemDetails, 428: ProblemDetails}
