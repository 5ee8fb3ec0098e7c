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
from django.test import override_settings
from django.utils import translation

from ducha.testing import SmallCampaign, make_small_campaign, rolled_back

# The demo package's test files share one demo campaign (its package fixture, ~90 s to build).
DEMO_TESTS = "ducha/reports/tests/demo/"
# The files that take a minute or more (the demo package several on PostgreSQL), sent first so
# that neither process is left alone with one of them at the end while the other waits.
SLOW_FIRST = (
    DEMO_TESTS,
    "ducha/demo/tests/test_demo.py",
    "ducha/api/tests/test_schemathesis.py",
    "ducha/api/tests/test_matrix.py",
    "ducha/web/tests/test_serve.py",
    "ducha/core/tests/test_audit_command.py",
)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """With pytest-xdist's `--dist loadfile` (scripts/test.sh runs two processes), a test file
    to one process at a time, so that its module fixtures are built once, and the demo
    package's files all to one process, so that the demo is built once; the slow files first.
    (xdist_group marks and `--dist loadgroup` would group them too, but under pytest 9.2 xdist's
    group, written into each test's id, is lost, pytest-xdist#1386: every test went its own way.)"""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class DuchaScheduling(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return DEMO_TESTS if path.startswith(DEMO_TESTS) else path

        def _assign_work_unit(self, node) -> None:
            for scope in reversed(SLOW_FIRST):
                if scope in self.workqueue:
                    self.workqueue.move_to_end(scope, last=False)
            super()._assign_work_unit(node)

    return DuchaScheduling(config, log)


@pytest.fixture(scope="session", autouse=True)
def _var_dir(tmp_path_factory) -> Iterator[None]:
    """The tests' files (imports kept, exports, reports, runs' outputs) in a folder of the
    test session's, not in the installation's var/: two processes running the suite each
    number their records from 1, and would write the same files."""
    with override_settings(VAR_DIR=tmp_path_factory.mktemp("var")):
        yield


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


@pytest.fixture(autouse=True)
def _language() -> None:
    """Each test starts in the default language (Chinese). A request activates its user's
    language in the thread and leaves it there: after a test whose last page was asked in
    English, the next test's messages would be English (in whichever test runs next, which
    differs between one process and two)."""
    translation.deactivate()


def pytest_configure(config) -> None:
    # Whitenoise serves what collectstatic put there and warns of a missing folder at the
    # first request, which two API test modules make while they are collected, before any
    # fixture. The tests' pages never ask it (a live server serves the apps' static folders).
    from django.conf import settings

    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker) -> Iterator[None]:
    from django.db import connection

    from ducha.ledger.reference import do_load_reference_data
    from ducha.org.actions import system_actor

    with django_db_blocker.unblock():
        do_load_reference_data(actor=system_actor())
    yield
    # A connection a test's thread opened and left (a live server's, a job worker's) keeps
    # PostgreSQL from dropping the test database ("being accessed by other users"): ended
    # here, before pytest-django drops it.
    if connection.vendor == "postgresql":
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )


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
