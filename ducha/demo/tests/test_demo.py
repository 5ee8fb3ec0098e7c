import io
import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.management import call_command

from ducha.core.changelog import verify_chain
from ducha.demo.tests.figures import assert_seed_figures
from ducha.org.models import Unit


@pytest.mark.django_db
def test_demo_reproduces_the_seed_figures_on_this_database():
    call_command("demo", "--no-serve", stdout=io.StringIO())
    out = io.StringIO()
    call_command("stats", "--json", stdout=out)
    assert_seed_figures(json.loads(out.getvalue()))
    assert verify_chain().ok
    # Every unit has its account; all demo accounts share the documented password.
    for username in ("office", "viewer", "group-state_property", "unit-150600", "unit-150602", "unit-gzw"):
        assert authenticate(username=username, password="ducha-demo") is not None, username
    assert Unit.objects.count() == 135


@pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"),
    reason="the console-script run uses its own SQLite file: the SQLite run covers it",
)
def test_demo_and_stats_through_the_console_script(tmp_path):
    """End to end as a user runs it: `ducha demo --no-serve`, `ducha stats --json`, `ducha audit verify`."""
    env = {**os.environ, "DUCHA_VAR_DIR": str(tmp_path), "DUCHA_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}"}
    ducha = [sys.executable, "-m", "ducha"]
    demo = subprocess.run([*ducha, "demo", "--no-serve"], env=env, capture_output=True, text=True, timeout=600)
    assert demo.returncode == 0, demo.stderr
    assert "office" in demo.stdout and "ducha-demo" in demo.stdout
    stats = subprocess.run([*ducha, "stats", "--json"], env=env, capture_output=True, text=True, timeout=120)
    assert stats.returncode == 0, stats.stderr
    assert_seed_figures(json.loads(stats.stdout))
    audit = subprocess.run([*ducha, "audit", "verify"], env=env, capture_output=True, text=True, timeout=300)
    assert audit.returncode == 0 and "intact" in audit.stdout
    again = subprocess.run([*ducha, "demo", "--no-serve"], env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0 and "已存在" in again.stdout
