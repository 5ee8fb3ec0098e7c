"""Sign-in, sign-out, password change, login required everywhere, CSRF, cookies, security
headers and the language rule (Chinese unless the language cookie says otherwise)."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from ducha.core.changelog import verify_chain
from ducha.core.models import ChangeLogEntry
from ducha.ledger.models import Problem
from ducha.testing import PASSWORD
from ducha.web.tests.conftest import LEDGERS
from ducha.web.tests.helpers import PDF, assert_no_inline_code, page, text

NEW_PASSWORD = "Ducha-整改-2024!"


def protected_urls(site) -> list[str]:
    """Every page behind the sign-in, with real ids."""
    problem = site.problems["hohhot"]
    urls = [reverse("home"), reverse("password_change"), reverse("password_change_done")]
    for ledger in LEDGERS:
        pk = site.pk(ledger, "hohhot")
        urls += [
            reverse(f"{ledger}-list"),
            reverse(f"{ledger}-list") + "?export=xlsx",
            reverse(f"{ledger}-add"),
            reverse(f"{ledger}-detail", args=[pk]),
            reverse(f"{ledger}-edit", args=[pk]),
        ]
    urls += [reverse("problems-transition", args=[problem.pk, "rectifying"]), reverse("evidence-download", args=[1])]
    return urls


# ---------------------------------------------------------------------------
# Sign-in and sign-out.


def test_sign_in_with_the_right_password_opens_the_dashboard(site):
    client = Client()
    assert client.get(reverse("login")).status_code == 200

    response = client.post(reverse("login"), {"username": "league_a", "password": PASSWORD})

    assert response.status_code == 302 and response["Location"] == reverse("home")
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert client.get(reverse("home")).status_code == 200


def test_sign_in_returns_to_the_page_asked_for(site):
    client = Client()
    asked = reverse("problems-list") + "?state=open"
    redirected = client.get(asked)
    assert redirected.status_code == 302
    assert redirected["Location"].startswith(reverse("login") + "?next=")

    response = client.post(reverse("login") + "?next=" + asked, {"username": "office", "password": PASSWORD,
                                                                  "next": asked})  # fmt: skip

    assert response["Location"] == asked


def test_a_wrong_password_is_refused_with_a_chinese_message(site):
    client = Client()
    response = client.post(reverse("login"), {"username": "office", "password": "wrong"})

    assert response.status_code == 200
    assert "请输入一个正确的用户名和密码" in text(response)
    assert client.get(reverse("home")).status_code == 302


def test_the_sign_in_page_speaks_english_when_the_cookie_says_so(site):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(reverse("login"), {"username": "office", "password": "wrong"})

    assert "Please enter a correct username and password" in text(response)
    assert '<html lang="en">' in page(response)


def test_sign_out_ends_the_session(site, login):
    client = login("office")
    assert client.get(reverse("logout")).status_code == 405  # only by POST (the header's form)

    response = client.post(reverse("logout"))

    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert client.get(reverse("home")).status_code == 302


# ---------------------------------------------------------------------------
# Password change.


def test_password_change(site):
    client = Client()
    client.login(username="dept_a", password=PASSWORD)
    assert client.get(reverse("password_change")).status_code == 200

    wrong_old = client.post(
        reverse("password_change"),
        {"old_password": "nope", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    mismatch = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD + "x"},
    )
    too_short = client.post(
        reverse("password_change"), {"old_password": PASSWORD, "new_password1": "ab1", "new_password2": "ab1"}
    )
    assert "你的旧密码不正确" in text(wrong_old)
    assert "输入的两个密码不一致" in text(mismatch)
    assert "密码长度太短" in text(too_short)
    assert get_user_model().objects.get(username="dept_a").check_password(PASSWORD)

    logged = ChangeLogEntry.objects.count()
    done = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert done.status_code == 302 and done["Location"] == reverse("password_change_done")
    [entry] = ChangeLogEntry.objects.filter(seq__gt=logged)  # through the action: logged, without the hash
    assert (entry.object_type, entry.actor_name, entry.after) == ("auth.user", "dept_a", {"password": "changed"})
    assert verify_chain().ok
    assert client.get(reverse("home")).status_code == 200  # still signed in
    assert not Client().login(username="dept_a", password=PASSWORD)
    assert Client().login(username="dept_a", password=NEW_PASSWORD)


# ---------------------------------------------------------------------------
# Login required.


def test_every_page_requires_sign_in(site):
    client = Client()
    for url in protected_urls(site):
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("login") + "?next="), url
    assert Problem.objects.get(pk=site.problems["hohhot"].pk).status == "found"


def test_only_the_sign_in_page_and_the_language_switch_are_open(site):
    client = Client()
    assert client.get(reverse("login")).status_code == 200
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert '<html lang="en">' in page(client.get(reverse("login")))


def test_anonymous_evidence_download_goes_to_sign_in(site, login):
    problem = site.problems["hohhot"]
    office = login("office")
    office.post(reverse("problems-transition", args=[problem.pk, "rectifying"]), {"measures": "重新组织招标"})
    office.post(
        reverse("problems-transition", args=[problem.pk, "rectified"]),
        {"completed_on": "2024-06-20", "evidence": _pdf()},
    )
    evidence = Problem.objects.get(pk=problem.pk).evidence.get()
    assert office.get(reverse("evidence-download", args=[evidence.pk])).status_code == 200

    response = Client().get(reverse("evidence-download", args=[evidence.pk]))

    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def _pdf():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("整改报告.pdf", PDF, content_type="application/pdf")


# ---------------------------------------------------------------------------
# CSRF.


def _csrf_client(site, name: str) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(site.users[name])
    return client


def test_a_post_without_the_csrf_token_is_refused(site):
    client = _csrf_client(site, "league_a")
    problem = site.problems["hohhot"]

    refused = [
        client.post(reverse("problems-transition", args=[problem.pk, "rectifying"])),
        client.post(reverse("problems-transition", args=[problem.pk, "rectifying"]), HTTP_HX_REQUEST="true"),
        client.post(reverse("trainings-add"), {"unit": site.units["150100"].pk, "title": "x", "held_on": "2024-06-01",
                                               "attendees": 3}),
        client.post(reverse("logout")),
        client.post(reverse("password_change"), {"old_password": PASSWORD}),
    ]  # fmt: skip

    assert [r.status_code for r in refused] == [403] * len(refused)
    assert Problem.objects.get(pk=problem.pk).status == "found"
    assert client.get(reverse("home")).status_code == 200  # not signed out


def test_sign_in_without_the_csrf_token_is_refused(site):
    response = Client(enforce_csrf_checks=True).post(reverse("login"), {"username": "office", "password": PASSWORD})
    assert response.status_code == 403


def test_a_post_with_the_page_csrf_token_goes_through(site):
    client = _csrf_client(site, "league_a")
    problem = site.problems["hohhot"]
    client.get(reverse("problems-detail", args=[problem.pk]))  # sets the CSRF cookie
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    assert client.cookies[settings.CSRF_COOKIE_NAME]["samesite"] == "Lax"

    response = client.post(
        reverse("problems-transition", args=[problem.pk, "rectifying"]),
        {"csrfmiddlewaretoken": token, "measures": "重新组织招标"},
    )

    assert response.status_code == 302
    assert Problem.objects.get(pk=problem.pk).status == "rectifying"


# ---------------------------------------------------------------------------
# Security headers and inline code.


@pytest.mark.parametrize("who", ["anonymous", "office"])
def test_security_headers_on_every_kind_of_response(site, login, who):
    client = Client() if who == "anonymous" else login(who)
    urls = [reverse("login"), reverse("home"), reverse("problems-list"), reverse("problems-list") + "?export=xlsx",
            reverse("problems-detail", args=[site.problems["hohhot"].pk]), "/no-such-page/"]  # fmt: skip
    for url in urls:
        response = client.get(url)
        csp = response["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if d.strip())
        assert directives["script-src"] == "'self'", url
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, url
        assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
        assert response["X-Content-Type-Options"] == "nosniff", url
        assert response["X-Frame-Options"] == "DENY", url
        assert response["Referrer-Policy"] == "same-origin", url


def test_pages_outside_the_ledgers_carry_no_inline_code(site, login):
    assert_no_inline_code(page(Client().get(reverse("login"))))
    client = login("viewer")
    for url in (reverse("password_change"), reverse("password_change_done"), reverse("problems-add")):
        assert_no_inline_code(page(client.get(url)))


# ---------------------------------------------------------------------------
# Language.


def test_chinese_is_the_default_whatever_the_browser_asks(site, login):
    client = login("office")
    response = client.get(reverse("problems-list"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert '<html lang="zh-hans">' in page(response)
    assert response["Content-Language"] == "zh-hans"


def test_the_language_cookie_switches_to_english(site, login):
    client = login("office")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get(reverse("problems-list"))

    assert '<html lang="en">' in page(response)
    assert response["Content-Language"] == "en"
    assert "Problems" in text(response)


def test_an_unknown_language_cookie_falls_back_to_chinese(site, login):
    client = login("office")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    assert '<html lang="zh-hans">' in page(client.get(reverse("home")))
