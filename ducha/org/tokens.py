"""API tokens: made, revoked and checked here only. A token is `dch_` and 43 random
URL-safe characters; the database keeps its SHA-256, so a copy of the database opens
nothing. Making and revoking one is in the change log (never the hash)."""

import datetime as dt
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from ducha.core.access import Actor
from ducha.core.changelog import Change, record_changes
from ducha.org.models import ApiToken

PREFIX = "dch_"
DEFAULT_DAYS = 90
# last_used_at is written at most this often: not one write per API request.
USE_RECORDED_EVERY = dt.timedelta(minutes=5)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _logged(token: ApiToken) -> dict:
    return {
        "user": token.user_id,
        "name": token.name,
        "prefix": token.prefix,
        "expires_at": token.expires_at.isoformat(),
    }


def do_create_token(user, *, actor: Actor, name: str = "", days: int = DEFAULT_DAYS) -> tuple[ApiToken, str]:
    """A new token for `user`, valid for `days`; returns the row and the token itself (shown once)."""
    if days < 1:
        raise ValueError("a token is valid for at least one day")
    secret = PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name,
            prefix=secret[: len(PREFIX) + 6],
            key_hash=token_hash(secret),
            expires_at=timezone.now() + dt.timedelta(days=days),
        )
        record_changes([Change("create", token, after=_logged(token), reason="API token")], actor=actor)
    return token, secret


def do_revoke_token(token: ApiToken, *, actor: Actor) -> ApiToken:
    """Revoke the token from now on (the row stays, so the user's page still lists it)."""
    with transaction.atomic():
        current = ApiToken.objects.select_for_update().get(pk=token.pk)
        if current.revoked_at is not None:
            return current
        current.revoked_at = timezone.now()
        current.save(update_fields=["revoked_at"])
        after = {"revoked_at": current.revoked_at.isoformat()}
        record_changes([Change("update", current, before={"revoked_at": None}, after=after)], actor=actor)
    return current


def user_for_token(secret: str):
    """The active user a token belongs to, or None (unknown, revoked, expired, inactive user)."""
    if not secret.startswith(PREFIX):
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=token_hash(secret), revoked_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > USE_RECORDED_EVERY:
        # Bookkeeping, not a change anybody made: no change-log row.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
