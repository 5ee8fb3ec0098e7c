"""The demo campaign reproduces the seed account's figures on this database (the
package's one demo build, conftest.py; `ducha/demo/tests/` holds the checks)."""

import io

from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import override_settings

from ducha.core.changelog import verify_chain
from ducha.demo.tests.figures import assert_seed_figures
from ducha.demo.tests.test_demo import assert_evidence_stored, assert_inside_the_campaign, assert_inspections_and_steps
from ducha.org.models import Unit


def test_demo_reproduces_the_seed_figures_on_this_database(demo, db):
    assert_seed_figures(demo["stats"])
    assert verify_chain().ok
    # Every unit has its account; all demo accounts share the documented password.
    for username in ("office", "viewer", "group-state_property", "unit-150600", "unit-150602", "unit-gzw"):
        assert authenticate(username=username, password="ducha-demo") is not None, username
    assert Unit.objects.count() == 135
    with override_settings(EVIDENCE_ROOT=demo["evidence"]):
        assert_evidence_stored()
    assert_inspections_and_steps()
    assert_inside_the_campaign()
    call_command("check_derived", stdout=(out := io.StringIO()))  # the kept state equals its rows
    assert "equals its rows" in out.getvalue()
