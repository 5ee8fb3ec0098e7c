import pytest


@pytest.fixture(autouse=True)
def _fast_passwords(settings, tmp_path):
    # Real hashing costs a second per user; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EVIDENCE_ROOT = tmp_path / "evidence"


@pytest.fixture
def small(db):
    from ducha.testing import make_small_campaign

    return make_small_campaign()
