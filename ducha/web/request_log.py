"""One log line per request (logger `ducha.request`; a JSON line under `ducha serve`):
request id, method, path, status, duration, user id and the client's address.

The request id is the client's X-Request-ID when it is a sane token (a proxy's or a load
balancer's), else a new one; it is sent back in the response's X-Request-ID and put on
every record logged while the request is served (core/logs.py). Only the path is logged:
never the query string (it may hold a token), headers, cookies or the body.
"""

import logging
import re
import time
import uuid

from django.utils.functional import SimpleLazyObject, empty

from ducha.core.logs import request_id
from ducha.web.lockout import client_ip

log = logging.getLogger("ducha.request")
_SANE_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        rid = incoming if _SANE_ID.fullmatch(incoming) else uuid.uuid4().hex
        token = request_id.set(rid)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = rid
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            log.info(
                "%s %s %s %.1f ms",
                request.method,
                request.path,
                response.status_code,
                duration_ms,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": duration_ms,
                    "user_id": _user_id(request),
                    "remote_addr": client_ip(request),
                },
            )
            return response
        finally:
            request_id.reset(token)


def _user_id(request) -> int | None:
    user = getattr(request, "user", None)
    # A user nothing asked for is not looked up now: that would read the session from the
    # database for the log's sake (and fail /health when the database is down).
    if user is None or (isinstance(user, SimpleLazyObject) and user._wrapped is empty):
        return None
    return user.pk if user.is_authenticated else None
