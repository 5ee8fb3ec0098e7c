"""The demo campaign, built once for this package's tests (about 35 s on SQLite, several
minutes on PostgreSQL: the seed's figures need the whole demo campaign), with the files
`ducha report` writes from it: the summary (with the seed's passages), the statistical
tables and the 2024-W36 bulletin; `ducha stats` and `ducha lagging` of it. Rolled back
when the package's tests are done."""

import datetime as dt
import io
import json
import os
import shutil
import subprocess

import docx
import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from ducha.core.planner import refresh_planner_statistics
from ducha.demo.supervision_plan import LAGGING_UNITS
from ducha.org.models import Campaign, Unit
from ducha.reports.statistics import campaign_statistics
from ducha.reports.tests.demo.seed_passages import write_the_seed_passages
from ducha.testing import rolled_back

SUNDAY, BEFORE = dt.date(2024, 9, 8), dt.date(2024, 9, 1)  # 2024-W36 and the Sunday before it


@pytest.fixture(scope="package")
def demo(django_db_setup, django_db_blocker, tmp_path_factory, libreoffice):
    folder, evidence = tmp_path_factory.mktemp("reports"), tmp_path_factory.mktemp("evidence")
    with override_settings(EVIDENCE_ROOT=evidence), rolled_back(django_db_blocker):
        call_command("demo", "--no-serve", stdout=io.StringIO())
        # What the demo's commit would do (refresh_after_commit): the planner told the tables'
        # sizes. Inside this rolled-back transaction PostgreSQL still knows the sizes of the
        # earlier tests' tables, a few rows, and plans the past day's joins for those.
        refresh_planner_statistics()
        # The foreign keys checked now, once: PostgreSQL defers them to the commit that never
        # comes, and each test's teardown (Django checks constraints there) would check the
        # whole demo's again, 2 s a test.
        connection.check_constraints()
        out = io.StringIO()
        call_command("stats", "--json", stdout=out)
        lagging = {}
        for group in ("engineering", "procurement", "natural_resources", "state_property"):
            call_command("lagging", "--group", group, "--json", stdout=(ranking := io.StringIO()))
            lagging[group] = json.loads(ranking.getvalue())
        campaign = Campaign.objects.get()
        write_the_seed_passages(campaign)
        call_command("report", "summary", "--format", "docx", "-o", str(folder / "summary.docx"), stdout=io.StringIO())
        call_command("report", "tables", "-o", str(folder / "tables.xlsx"), stdout=io.StringIO())
        call_command("report", "weekly", "--week", "2024-W36", "-o", str(folder / "w36.docx"), stdout=io.StringIO())
        yield {
            "campaign": campaign,
            "stats": json.loads(out.getvalue()),
            "now": campaign_statistics(campaign, today=SUNDAY),
            "before": campaign_statistics(campaign, today=BEFORE),
            "lagging": lagging,  # `ducha lagging --group G --json` of each group
            "lagging_names": set(Unit.objects.filter(code__in=LAGGING_UNITS).values_list("name", flat=True)),
            "docx": folder / "summary.docx",
            "tables": (folder / "tables.xlsx").read_bytes(),
            "bulletin": docx.Document(str(folder / "w36.docx")),
            "soffice": libreoffice,
            "evidence": evidence,  # (each test has its own EVIDENCE_ROOT: ducha/conftest.py)
        }


@pytest.fixture(scope="session")
def libreoffice() -> tuple[str | None, str]:
    """LibreOffice's soffice, installed with apt when missing (as root): its path, or None
    and why not (the PDF test then skips, saying so). It never skips by itself: the demo
    fixture asks for it too, so that pytest keeps this module's tests together (a session
    fixture only one test used made pytest move that test and build the demo twice)."""
    found = shutil.which("soffice")
    if found:
        return found, ""
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return None, "LibreOffice (soffice) is not installed and cannot be installed here (needs root and apt-get)"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "--no-install-recommends", "libreoffice-writer"]
    done = subprocess.run(install, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        subprocess.run(["apt-get", "update"], capture_output=True, env=env, check=False)
        done = subprocess.run(install, capture_output=True, text=True, env=env, check=False)
    found = shutil.which("soffice")
    return found, "" if found else f"LibreOffice could not be installed with apt: {done.stderr.strip()[-300:]}"
