"""/health for load balancers and monitors: no sign-in, no session, one trivial query.
200 {"status": "ok", "database": "ok"}; 503 as problem details when the database does not
answer. Exempt from the HTTPS redirect (settings.SECURE_REDIRECT_EXEMPT): a monitor on the
server itself asks over plain HTTP."""

import logging

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from ducha.core.problem_details import problem_response

log = logging.getLogger("ducha.health")


@login_not_required
@require_safe
def health(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        log.exception("health: the database did not answer")
        return problem_response(503, _("The database does not answer."), database="unavailable")
    return JsonResponse({"status": "ok", "database": "ok"})
