"""Sign-in lockout (django-axes, turned on here: the other tests sign in with force_login
or client.login, which have no request for axes to look at): five wrong passwords for one
account from one address lock that account out from that address for fifteen minutes,
with a clear message on the sign-in page; other accounts and other addresses are not
affected; the lockout is in axes' tables and in the log."""

import datetime as dt
import logging

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from axes.utils import reset
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from ducha.testing import PASSWORD
from ducha.web.tests.helpers import assert_no_inline_code, by_testid, page, text

HOME = "127.0.0.1"
ELSEWHERE = "127.0.0.2"


@pytest.fixture(autouse=True)
def axes_on(settings):
    settings.AXES_ENABLED = True


def sign_in(username: str, password: str, address: str = HOME, **extra) -> tuple[Client, object]:
    client = Client(REMOTE_ADDR=address)
    response = client.post(reverse("login"), {"username": username, "password": password}, **extra)
    return client, response


def signed_in(client: Client) -> bool:
    return client.get(reverse("home")).status_code == 200


def fail(username: str, times: int, address: str = HOME, **extra):
    responses = [sign_in(username, "wrong-password", address, **extra)[1] for _ in range(times)]
    return responses[-1]


def locked_message() -> str:
    with translation.override("zh-hans"):
        return text(
            translation.gettext(
                "Too many wrong passwords: this account cannot sign in from this computer for the next "
                "%(minutes)s minutes. Other accounts are not affected."
            )
            % {"minutes": 15}
        )


def test_the_settings_are_five_tries_and_fifteen_minutes_by_account_and_address():
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"
    assert settings.AXES_FAILURE_LIMIT == 5
    assert dt.timedelta(minutes=15) == settings.AXES_COOLOFF_TIME
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_four_wrong_passwords_then_the_right_one_signs_in(site):
    assert fail("league_a", 4).status_code == 200
    client, response = sign_in("league_a", PASSWORD)
    assert response.status_code == 302 and signed_in(client)
    # a success clears the count: four more wrong ones do not lock the account
    assert fail("league_a", 4).status_code == 200
    assert signed_in(sign_in("league_a", PASSWORD)[0])


def test_five_wrong_passwords_lock_the_account_out_with_a_chinese_message(site, caplog):
    for attempt in range(1, 5):
        response = sign_in("league_a", f"wrong-{attempt}")[1]
        assert response.status_code == 200 and "请输入一个正确的用户名和密码" in text(response)

    caplog.set_level(logging.WARNING, logger="ducha.security")
    caplog.clear()
    fifth = sign_in("league_a", "wrong-5")[1]
    [record] = [r for r in caplog.records if r.name == "ducha.security"]  # the lockout, logged once
    client, right = sign_in("league_a", PASSWORD)

    for response in (fifth, right):
        assert response.status_code == 429
        assert by_testid(response, "locked-out") == locked_message()
        assert 'data-testid="sign-in"' in page(response)  # the form is still there, for another account
        assert_no_inline_code(page(response))
        assert "script-src 'self'" in response["Content-Security-Policy"]
    assert not signed_in(client)
    # recorded: axes' tables, with the address, never the password; and the log
    attempt = AccessAttempt.objects.get(username="league_a", ip_address=HOME)
    assert attempt.failures_since_start >= 5
    assert "wrong-" not in attempt.post_data and PASSWORD not in attempt.post_data
    assert AccessFailureLog.objects.filter(username="league_a", ip_address=HOME, locked_out=True).exists()
    assert record.levelno == logging.WARNING
    assert "league_a" in record.getMessage() and HOME in record.getMessage()


def test_the_lockout_message_speaks_english_when_the_cookie_says_so(site):
    fail("league_a", 5)
    client = Client(REMOTE_ADDR=HOME)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(reverse("login"), {"username": "league_a", "password": PASSWORD})
    assert response.status_code == 429
    assert by_testid(response, "locked-out").startswith("Too many wrong passwords: this account cannot sign in")


def test_other_accounts_and_other_addresses_still_sign_in(site):
    fail("league_a", 5)

    assert sign_in("league_a", PASSWORD)[1].status_code == 429
    other_account, _ = sign_in("office", PASSWORD)  # same address
    other_address, _ = sign_in("league_a", PASSWORD, address=ELSEWHERE)  # same account
    assert signed_in(other_account)
    assert signed_in(other_address)


def age_attempts(minutes: float) -> None:
    """Move the recorded failures back in time, as if `minutes` had passed."""
    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= dt.timedelta(minutes=minutes)
        attempt.save(update_fields=["attempt_time"])


def test_after_the_cool_off_the_account_signs_in_again(site):
    fail("league_a", 5)
    age_attempts(14)
    assert sign_in("league_a", PASSWORD)[1].status_code == 429  # still locked (and the try restarts the clock)

    age_attempts(15.1)
    client, response = sign_in("league_a", PASSWORD)
    assert response.status_code == 302 and signed_in(client)


def test_the_office_can_lift_a_lockout(site):
    fail("league_a", 5)
    assert reset(username="league_a") == 1  # what `ducha axes_reset_username league_a` does
    assert signed_in(sign_in("league_a", PASSWORD)[0])


def test_behind_the_proxy_the_address_is_the_one_the_proxy_saw(site, settings):
    """The last X-Forwarded-For entry is the proxy's own; the client controls the ones before it."""
    settings.BEHIND_PROXY = True
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    fail("league_a", 5, HTTP_X_FORWARDED_FOR="127.9.9.9, 127.0.0.5", **proxy)

    spoofed = sign_in("league_a", PASSWORD, HTTP_X_FORWARDED_FOR="127.8.8.8, 127.0.0.5", **proxy)[1]
    other_client = sign_in("league_a", PASSWORD, HTTP_X_FORWARDED_FOR="127.0.0.6", **proxy)[0]

    assert spoofed.status_code == 429
    assert signed_in(other_client)
    assert AccessAttempt.objects.filter(username="league_a", ip_address="127.0.0.5").exists()
