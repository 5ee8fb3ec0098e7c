"""Sign-in lockout (django-axes, configured in settings): the page a locked-out sign-in
gets, the client address it counts by, and a log line for every lockout.

Axes records each failed sign-in (AccessAttempt, AccessFailureLog) in the database; a
lockout is also logged on the "ducha.security" logger. It is not written to the change
log: that records changes to the campaign's data by their actors, and anyone may try a
password.
"""

import logging

from axes.helpers import get_cool_off
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.dispatch import receiver
from django.template.response import TemplateResponse

log = logging.getLogger("ducha.security")


def client_ip(request) -> str | None:
    """The address a sign-in comes from: REMOTE_ADDR, or behind the reverse proxy
    (DUCHA_BEHIND_PROXY) the last X-Forwarded-For entry, the one the proxy itself added
    (entries before it are whatever the client sent)."""
    if settings.BEHIND_PROXY:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if forwarded:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR")


def lockout_response(request, original_response=None, credentials=None):
    """The sign-in page with the lockout message instead of the form's errors (429)."""
    cool_off = get_cool_off(request)
    minutes = max(1, round(cool_off.total_seconds() / 60)) if cool_off else None
    context = {"form": AuthenticationForm(request), "minutes": minutes, "next": request.POST.get("next", "")}
    return TemplateResponse(request, "web/locked_out.html", context, status=429).render()


@receiver(user_locked_out)
def log_lockout(sender, request=None, username=None, ip_address=None, **kwargs):
    log.warning(
        "sign-in locked out: account %r from %s after %s failed attempts, for %s",
        username,
        ip_address,
        settings.AXES_FAILURE_LIMIT,
        get_cool_off(request),
    )
