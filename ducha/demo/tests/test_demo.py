import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
from collections import defaultdict

import pytest
from django.conf import settings
from django.db.models import F, Max, Min

from ducha.demo.tests.figures import assert_seed_figures
from ducha.demo.tests.files import assert_valid_pdf
from ducha.ledger.choices import RECTIFIED_STATUSES, InspectionKind, InspectionResult, ProblemStatus
from ducha.ledger.evidence import evidence_path
from ducha.ledger.models import Evidence, Inspection, Problem, Project, RectificationStep
from ducha.org.models import Campaign


def assert_evidence_stored() -> None:
    """Every rectified or signed-off problem has evidence on its completion step: a file
    under EVIDENCE_ROOT with the stored checksum, a valid PDF."""
    rectified = set(Problem.objects.filter(status__in=RECTIFIED_STATUSES).values_list("pk", flat=True))
    rows = Evidence.objects.filter(problem__in=rectified).values_list(
        "problem_id", "original_name", "sha256", "size", "step__to_status"
    )
    files = defaultdict(list)
    for problem, name, sha256, size, step in rows:
        assert step == ProblemStatus.RECTIFIED, name
        data = evidence_path(sha256).read_bytes()
        assert (len(data), hashlib.sha256(data).hexdigest()) == (size, sha256), name
        assert name.endswith(".pdf"), name
        assert_valid_pdf(data)
        files[problem].append(name)
    assert len(rectified) > 5000 and set(files) == rectified


def assert_inspections_and_steps() -> None:
    """The project flags are the inspections' (the inspection action sets them); every
    step has what it needs."""
    for kind, flag in (("self", "self_inspected"), ("sample", "sampled"), ("verify", "verified")):
        inspected = Inspection.objects.filter(kind=kind)
        assert inspected.count() == Project.objects.filter(**{flag: True}).count(), kind
        assert not Project.objects.filter(**{flag: False}, inspections__kind=kind).exists(), kind
    assert Inspection.objects.filter(kind=InspectionKind.SELF).count() == Project.objects.count()
    # An inspection found problems exactly where a problem says that inspection found it.
    found = set(Problem.objects.filter(discovery_method__in=["self", "sample", "verify"]).values_list(
        "project_id", "discovery_method"
    ))  # fmt: skip
    problems = set(Inspection.objects.filter(result=InspectionResult.PROBLEMS).values_list("project_id", "kind"))
    assert problems == found
    steps = RectificationStep.objects.all()
    # A look-back reopening (signed off -> rectifying) brings a reason, not measures.
    without_measures = steps.filter(to_status=ProblemStatus.RECTIFYING, measures="")
    assert not without_measures.exclude(from_status=ProblemStatus.SIGNED_OFF).exists()
    assert not steps.filter(from_status=ProblemStatus.SIGNED_OFF, reason="").exists()
    assert not steps.filter(to_status=ProblemStatus.SIGNED_OFF, opinion="").exists()
    assert not steps.filter(to_status=ProblemStatus.DISMISSED, reason="").exists()
    assert not steps.filter(to_status=ProblemStatus.RECTIFIED, completed_on=None).exists()
    started = Problem.objects.exclude(status__in=[ProblemStatus.FOUND, ProblemStatus.DISMISSED])
    assert not started.filter(measures="").exists()


def assert_inside_the_campaign() -> None:
    """Found, due and rectified inside the campaign's run (2024-04-20 to 2024-12-31)."""
    campaign = Campaign.objects.get()
    assert (campaign.starts_on, campaign.closes_on) == (dt.date(2024, 4, 20), dt.date(2024, 12, 31))
    dates = Problem.objects.aggregate(
        Min("found_on"), Max("found_on"), Max("deadline"), Min("rectified_on"), Max("rectified_on")
    )
    assert campaign.starts_on <= dates["found_on__min"] <= dates["found_on__max"] <= campaign.closes_on
    assert dates["deadline__max"] <= campaign.closes_on
    assert campaign.starts_on <= dates["rectified_on__min"] <= dates["rectified_on__max"] <= campaign.closes_on
    assert not Problem.objects.filter(rectified_on__lt=F("found_on")).exists()


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
