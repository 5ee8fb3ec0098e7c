"""The user's API tokens page: their own tokens listed with their state, a new one shown
once (and working on the API), a revoked one refused by the API; another user's tokens
are neither listed nor revocable; every change in the change log."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from ducha.core.models import ChangeLogEntry
from ducha.org.models import ApiToken
from ducha.org.tokens import do_create_token
from ducha.testing import zh
from ducha.web.tests.helpers import by_testid, page, text


def part(response, testid: str, end: str) -> str:
    """The page's HTML from the element with this data-testid to the first `end` after it."""
    source = page(response)
    start = source.index(f'data-testid="{testid}"')
    return source[start : source.index(end, start)]


def signed_in(client, small, name: str):
    client.force_login(small.users[name])
    return client


def test_create_shows_the_token_once_and_it_works(small, client):
    user = small.users["league_a"]
    signed_in(client, small, "league_a")
    assert by_testid(client.get("/"), "api-tokens")  # the header links to the page
    empty = client.get(reverse("api-tokens"))
    assert empty.status_code == 200 and zh("You have no API tokens.") in text(empty)
    before = ChangeLogEntry.objects.count()
    made = client.post(reverse("api-tokens"), {"name": "省平台对接", "days": "30"})
    assert made.status_code == 200
    secret = by_testid(made, "secret")
    token = ApiToken.objects.get(user=user)
    assert secret.startswith(token.prefix) and token.name == "省平台对接"
    assert abs(token.expires_at - (timezone.now() + dt.timedelta(days=30))) < dt.timedelta(minutes=1)
    assert ChangeLogEntry.objects.count() == before + 1
    assert "no-store" in made["Cache-Control"]
    again = client.get(reverse("api-tokens"))
    assert secret not in page(again)  # shown once
    assert token.prefix in part(again, "tokens", "</table>") and zh("Active") in part(again, "tokens", "</table>")
    api = client.get("/api/v1/problems/", headers={"Authorization": f"Bearer {secret}"})
    assert api.status_code == 200


def test_a_bad_form_makes_nothing(small, client):
    signed_in(client, small, "league_a")
    refused = client.post(reverse("api-tokens"), {"name": "x", "days": "0"})
    assert refused.status_code == 200 and 'class="error"' in page(refused)
    too_long = client.post(reverse("api-tokens"), {"name": "x", "days": "366"})
    assert 'class="error"' in page(too_long)
    assert not ApiToken.objects.exists()


def test_revoke_own_only(small, client):
    mine, mine_secret = do_create_token(small.users["league_a"], actor=small.system, name="我的")
    theirs, their_secret = do_create_token(small.users["league_b"], actor=small.system, name="他人的")
    signed_in(client, small, "league_a")
    listed = part(client.get(reverse("api-tokens")), "tokens", "</table>")
    assert "我的" in listed and "他人的" not in listed
    before = ChangeLogEntry.objects.count()
    assert client.post(reverse("api-tokens-revoke", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("api-tokens-revoke", args=[mine.pk])).status_code == 405  # a GET revokes nothing
    assert ChangeLogEntry.objects.count() == before
    done = client.post(reverse("api-tokens-revoke", args=[mine.pk]), follow=True)
    assert zh("Token %(prefix)s… revoked.", prefix=mine.prefix) in text(done)
    row = part(done, f"token-{mine.pk}", "</tr>")
    assert zh("Revoked") in row and f"revoke-{mine.pk}" not in row
    assert ChangeLogEntry.objects.count() == before + 1
    assert ApiToken.objects.get(pk=theirs.pk).revoked_at is None
    bearer = {"Authorization": f"Bearer {mine_secret}"}
    assert client.get("/api/v1/problems/", headers=bearer).status_code == 401
    assert client.get("/api/v1/problems/", headers={"Authorization": f"Bearer {their_secret}"}).status_code == 200


def test_an_expired_token_is_shown_expired(small, client):
    token, _secret = do_create_token(small.users["office"], actor=small.system, days=1)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(hours=1))
    signed_in(client, small, "office")
    row = part(client.get(reverse("api-tokens")), f"token-{token.pk}", "</tr>")
    assert zh("Expired") in row and f"revoke-{token.pk}" not in row
