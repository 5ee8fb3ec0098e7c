import pytest
from django.core.cache import cache


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


@pytest.fixture
def small(db):
    from ducha.testing import make_small_campaign

    return make_small_campaign()
