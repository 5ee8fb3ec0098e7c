"""The ledger tests share one small campaign per module.

`make_small_campaign` loads the reference units and takes about half a second; the
scoping and workflow tables here run it for hundreds of tests. So `small_once` builds it
once per module (ducha.testing.rolled_back), and `small` here runs each test in a
savepoint inside that transaction (the `db` fixture) with fresh copies of the
campaign's objects. A test that needs `transactional_db` must not use `small` from here.
"""

import pytest

from ducha.testing import SmallCampaign, make_small_campaign, rolled_back


@pytest.fixture(scope="module")
def small_once(django_db_setup, django_db_blocker):
    with rolled_back(django_db_blocker):
        yield make_small_campaign()


@pytest.fixture
def small(small_once: SmallCampaign, db) -> SmallCampaign:
    return small_once.refreshed()
