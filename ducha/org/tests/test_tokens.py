"""API tokens: made by `ducha token`, stored hashed, revoked, expired, in the change log."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from ducha.core.models import ChangeLogEntry
from ducha.org.models import ApiToken
from ducha.org.tokens import do_create_token, token_hash, user_for_token


def test_create_prints_a_token_stored_only_hashed(small):
    out = io.StringIO()
    call_command("token", "create", "league_a", "--name", "平台对接", "--days", "30", stdout=out)
    secret = out.getvalue().strip()
    token = ApiToken.objects.get(user=small.users["league_a"])
    assert secret.startswith("dch_") and len(secret) > 40
    assert token.key_hash == token_hash(secret) and secret not in token.key_hash
    assert secret.startswith(token.prefix) and token.name == "平台对接"
    assert abs(token.expires_at - (timezone.now() + dt.timedelta(days=30))) < dt.timedelta(minutes=1)
    assert user_for_token(secret) == small.users["league_a"]
    logged = ChangeLogEntry.objects.filter(object_type="org.apitoken", object_id=str(token.pk)).get()
    assert token.key_hash not in str(logged.after) and secret not in str(logged.after)


def test_revoked_and_expired_tokens_open_nothing(small):
    token, secret = do_create_token(small.users["office"], actor=small.system)
    call_command("token", "revoke", token.prefix, stdout=io.StringIO())
    assert user_for_token(secret) is None
    old, old_secret = do_create_token(small.users["office"], actor=small.system, days=1)
    ApiToken.objects.filter(pk=old.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert user_for_token(old_secret) is None
    _third, third = do_create_token(small.users["office"], actor=small.system)
    call_command("token", "revoke", "--all", "office", stdout=io.StringIO())
    assert user_for_token(third) is None
    assert user_for_token("dch_" + "x" * 43) is None and user_for_token("") is None


def test_unknown_user_is_a_clear_error(small):
    with pytest.raises(CommandError):
        call_command("token", "create", "nobody")
