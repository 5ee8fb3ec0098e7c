"""The data the route-walking tests ask the API about: the web tests' small campaign with a
record of every ledger in each place (`site`), the supervision records of each group and
unit (supervision/tests/test_scoping.py), a token of every user, analysis runs and
narratives of each group, a deadline extension and an import and an export job in two
units, and per test an evidence file in each of those. conftest.py imports the fixtures."""

import dataclasses
import datetime as dt
import functools

import pytest
from django.utils import timezone

from ducha.analyses.models import Comparison, ComparisonFinding, RedFlag, RedFlagRun
from ducha.core.actions import do_create_object
from ducha.imports.actions import do_create_export_job, do_create_import_job
from ducha.ledger.actions import do_attach_evidence, do_request_extension
from ducha.ledger.evidence import EvidenceUpload
from ducha.ledger.tests.files import PDF
from ducha.org.tokens import do_create_token
from ducha.reports.models import Narrative, NarrativeSection
from ducha.supervision.tests.test_scoping import _records as supervision_records
from ducha.web.tests.conftest import Site, site, site_once

# Two places of different units: what the test adds per test is in both.
PLACES = {"hohhot": "league_a", "baotou": "league_b"}


@dataclasses.dataclass
class World(Site):
    tokens: dict[str, str] = dataclasses.field(default_factory=dict)  # user name → Bearer secret


@pytest.fixture(scope="module")
def world_once(site_once: Site, django_db_blocker) -> "World":
    with django_db_blocker.unblock():
        supervision_records(site_once)
        _analysis_runs(site_once)
        for place, reporter in PLACES.items():
            user, problem = site_once.users[reporter], site_once.problems[place]
            do_request_extension(problem, actor=user, new_deadline=dt.date(2099, 1, 1), reason="工期需要")
            do_create_import_job(actor=user, kind="problems", file_name=f"{place}.xlsx", sha256="0" * 64)
            do_create_export_job(actor=user, ledger="problems", export="xlsx", file_name=f"{place}.xlsx")
        tokens = {name: do_create_token(user, actor=site_once.system)[1] for name, user in site_once.users.items()}
    return World(**{f.name: getattr(site_once, f.name) for f in dataclasses.fields(Site)}, tokens=tokens)


SECTION = NarrativeSection.WORK.value  # a group's own section


def _analysis_runs(sc: Site) -> None:
    """A three-way comparison and a red-flag run of each group, with a finding and a flag,
    and a narrative of the summary report."""
    now, add = timezone.now(), functools.partial(do_create_object, actor=sc.system)
    for key, group in sc.groups.items():
        common = {"campaign": sc.campaign, "group": group, "user": sc.users[f"group_{key.lower()}"], "created_at": now}
        files = {f"{kind}_{part}": f"{kind}.xlsx" if part == "name" else "0" * 64
                 for kind in ("exchange", "registry", "self_reports") for part in ("name", "sha256")}  # fmt: skip
        run = add(Comparison, data={**common, **files, "window_days": 30, "appraisal_valid_days": 365,
                                    "price_floor": "0.900"})  # fmt: skip
        add(ComparisonFinding, data={"comparison": run, "finding": "应进未进", "rule": "missing_exchange",
                                     "enterprise": f"9115{key}", "enterprise_name": f"企业 {key}"})  # fmt: skip
        flags = add(RedFlagRun, data={**common, "bids_name": "bids.csv", "bids_sha256": "0" * 64})
        add(Narrative, data={"campaign": sc.campaign, "group": group, "section": SECTION, "text": f"工作成效 {key}"})
        add(RedFlag, data={"run": flags, "indicator": "single_bid", "scope_kind": "lot", "subject": f"标段 {key}",
                           "value": 1.0, "explanation": "只有一家投标"})  # fmt: skip


@pytest.fixture
def world(world_once: World, db) -> World:
    sc = world_once.refreshed()
    for place, reporter in PLACES.items():  # per test: the file goes to the test's EVIDENCE_ROOT
        do_attach_evidence(sc.problems[place], actor=sc.users[reporter], uploads=[EvidenceUpload(f"{place}.pdf", PDF)])
    return sc


__all__ = ["World", "site", "site_once", "world", "world_once"]
