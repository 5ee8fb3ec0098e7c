"""The ledger tests share one small campaign per module.

`make_small_campaign` (ducha/conftest.py's `small`) loads the reference units and
takes about half a second; the scoping and workflow tables here run it for hundreds
of tests. So `small_once` builds it once per module, inside a transaction rolled
back when the module ends, and `small` here runs each test in a savepoint inside
that transaction (the `db` fixture) with fresh copies of the campaign's objects:
nothing a test does, in the database or in memory, reaches the next one.

A test that needs `transactional_db` must not use `small` from here.
"""

import dataclasses

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import override_settings

from ducha.ledger.models import Problem, Project
from ducha.org.models import Campaign, SupervisionGroup, Unit
from ducha.testing import SmallCampaign, make_small_campaign


@pytest.fixture(scope="module")
def small_once(django_db_setup, django_db_blocker):
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        transaction.atomic(),
    ):
        yield make_small_campaign()
        transaction.set_rollback(True)


def _fresh(model, objects: dict) -> dict:
    by_pk = model.objects.in_bulk([o.pk for o in objects.values()])
    return {key: by_pk[o.pk] for key, o in objects.items()}


@pytest.fixture
def small(small_once: SmallCampaign, db) -> SmallCampaign:
    user_model = get_user_model()
    return dataclasses.replace(
        small_once,
        campaign=Campaign.objects.get(pk=small_once.campaign.pk),
        system=user_model.objects.get(pk=small_once.system.pk),
        units=_fresh(Unit, small_once.units),
        groups=_fresh(SupervisionGroup, small_once.groups),
        users=_fresh(user_model, small_once.users),
        projects=_fresh(Project, small_once.projects),
        problems=_fresh(Problem, small_once.problems),
    )
