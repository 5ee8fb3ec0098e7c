"""The one fixture layer of the test suite.

- Reference data (units, domains, catalogue) is loaded once per session, committed.
  A transactional test flushes the database; `make_small_campaign` then adds back what
  is missing (the loader is idempotent).
- `small_once` builds the small campaign of ducha.testing once per test module, inside a
  transaction rolled back when the module ends; `small` gives each test fresh copies of
  its objects inside a savepoint (the `db` fixture), so nothing one test does reaches the
  next. The web tests' `site` is this campaign with a record of every ledger added.
- `small_committed` builds it committed, for the few tests that need real transactions
  (a live server's thread, an action's own outermost transaction). Such a test must not
  sit in a module whose tests use `small`: their module transaction would still be open.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.cache import cache

from ducha.testing import SmallCampaign, make_small_campaign, rolled_back


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    # Real hashing costs a second per user; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    # The sign-in lockout needs a request in authenticate(); client.login() and the demo's
    # password check have none. web/tests/test_lockout.py turns it on.
    settings.AXES_ENABLED = False
    # An empty cache per test, in memory (shared with a live server's thread).
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "test"}}
    cache.clear()


@pytest.fixture(scope="session", autouse=True)
def _static_root() -> None:
    # Whitenoise serves what collectstatic put there and warns of a missing folder; the
    # tests' pages never ask it (a live server serves the apps' static folders).
    from django.conf import settings

    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from ducha.ledger.reference import do_load_reference_data
    from ducha.org.actions import system_actor

    with django_db_blocker.unblock():
        do_load_reference_data(actor=system_actor())


@pytest.fixture(scope="module")
def small_once(django_db_setup, django_db_blocker) -> Iterator[SmallCampaign]:
    with rolled_back(django_db_blocker):
        yield make_small_campaign()


@pytest.fixture
def small(small_once: SmallCampaign, db) -> SmallCampaign:
    return small_once.refreshed()


@pytest.fixture
def small_committed(transactional_db) -> SmallCampaign:
    return make_small_campaign()
