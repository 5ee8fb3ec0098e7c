"""A small campaign for tests: two groups, four units, one user per role.

    group A (engineering) supervises 呼和浩特市 (150100, with its counties) and 发改委 (fgw)
    group B (procurement) supervises 包头市 (150200) and 财政厅 (czt)

Every object is created through the actions, so tests see real change-log rows.
"""

import dataclasses
import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import override_settings
from django.utils import timezone, translation

from ducha.core.access import RoleKind
from ducha.core.actions import do_bulk_create_objects, do_create_object
from ducha.ledger.actions import Move, do_create_problem, do_record_inspection
from ducha.ledger.choices import InspectionKind
from ducha.ledger.evidence import EvidenceUpload
from ducha.ledger.models import Problem, Project
from ducha.ledger.rectification import path_between
from ducha.ledger.reference import do_load_reference_data
from ducha.org.actions import system_actor
from ducha.org.models import Assignment, Campaign, Domain, Role, SupervisionGroup, Unit

PASSWORD = "ducha-test-pw"
# A small real PDF (header, catalogue, %%EOF): what the evidence checks accept.
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def move(problem: Problem, target: str, *, when=None, completed_on: dt.date | None = None, **given) -> Move:
    """A bulk move to `target` carrying whatever its path needs (measures, opinion,
    reason, one evidence file, a completion date), unless the test says otherwise. Its
    steps are dated ten days after the problem was found (noon), as a ledger would
    state them: figures as of a later day count them."""
    needs = path_between(problem.status, target) if problem.status != target else []
    fill: dict[str, Any] = {}
    if any(t.needs_measures for t in needs):
        fill["measures"] = "完善制度，约谈责任人"
    if any(t.needs_opinion for t in needs):
        fill["opinion"] = "经核查，整改到位，同意销号"
    if any(t.needs_reason for t in needs):
        fill["reason"] = "经核查不属实"
    if any(t.needs_evidence for t in needs):
        fill["evidence"] = [EvidenceUpload(f"{problem.number}.pdf", PDF)]
    if any(t.needs_completion_date for t in needs) and completed_on is None:
        completed_on = problem.found_on + dt.timedelta(days=10)
    when = when or timezone.make_aware(dt.datetime.combine(problem.found_on + dt.timedelta(days=10), dt.time(12)))
    return Move(problem, target, when, completed_on, **{**fill, **given})


@dataclass
class SmallCampaign:
    campaign: Campaign
    system: Any
    units: dict[str, Unit]
    groups: dict[str, SupervisionGroup]
    users: dict[str, Any]
    projects: dict[str, Project] = field(default_factory=dict)
    problems: dict[str, Problem] = field(default_factory=dict)

    def refreshed(self):
        """A copy with every object read anew: what one test does in memory never
        reaches the next (module-scoped fixtures build the campaign once)."""
        user_model = get_user_model()
        return dataclasses.replace(
            self,
            campaign=Campaign.objects.get(pk=self.campaign.pk),
            system=user_model.objects.get(pk=self.system.pk),
            units=_fresh(Unit, self.units),
            groups=_fresh(SupervisionGroup, self.groups),
            users=_fresh(user_model, self.users),
            projects=_fresh(Project, self.projects),
            problems=_fresh(Problem, self.problems),
        )

    def add_project(self, key: str, unit: str, *, county: str | None = None, domain: str = "engineering") -> Project:
        project = do_create_object(
            Project,
            actor=self.system,
            data={
                "campaign": self.campaign,
                "unit": self.units[unit],
                "county": self.units[county] if county else None,
                "domain": Domain.objects.get(code=domain),
                "number": f"P-{key}",
                "name": f"项目 {key}",
                "tenderer": "某某局",
                "amount": Decimal("1250000.00"),
                "trade_date": dt.date(2023, 8, 1),
            },
        )
        do_record_inspection(project, InspectionKind.SELF, actor=self.system, inspected_on=dt.date(2024, 5, 20))
        project.refresh_from_db()
        self.projects[key] = project
        return project

    def add_problem(self, key: str, project: str, *, deadline: dt.date | None = None) -> Problem:
        p = self.projects[project]
        problem = do_create_problem(
            actor=self.system,
            data={
                "campaign": self.campaign,
                "unit": p.unit,
                "county": p.county,
                "project": p,
                "domain": p.domain,
                "number": f"Q-{key}",
                "description": f"问题 {key}",
                "discovery_method": "self",
                "found_on": dt.date(2024, 6, 1),
                "deadline": deadline or dt.date(2024, 7, 1),
            },
        )
        self.problems[key] = problem
        return problem


def _fresh(model, objects: dict) -> dict:
    by_pk = model._default_manager.in_bulk([o.pk for o in objects.values()])
    return {key: by_pk[o.pk] for key, o in objects.items()}


@contextmanager
def rolled_back(django_db_blocker) -> Iterator[None]:
    """For module-scoped fixtures: build data once inside a transaction that is rolled
    back when the module ends; each test then runs in a savepoint inside it."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        transaction.atomic(),
    ):
        yield
        transaction.set_rollback(True)


def make_small_campaign() -> SmallCampaign:
    system = system_actor()
    do_load_reference_data(actor=system)
    units = {u.code: u for u in Unit.objects.filter(code__in=["150100", "150102", "150200", "150202", "fgw", "czt"])}
    campaign = do_create_object(
        Campaign,
        actor=system,
        data={
            "code": "test",
            "name": "测试行动",
            "region_code": "150000",
            "scope_start": dt.date(2023, 1, 1),
            "scope_end": dt.date(2024, 6, 30),
            "starts_on": dt.date(2024, 1, 1),
        },
    )
    domains = {d.code: d for d in Domain.objects.all()}
    groups = {
        "A": SupervisionGroup(campaign=campaign, code="A", name="A组", lead_domain=domains["engineering"]),
        "B": SupervisionGroup(campaign=campaign, code="B", name="B组", lead_domain=domains["procurement"]),
    }
    do_bulk_create_objects(list(groups.values()), actor=system)
    do_bulk_create_objects(
        [
            Assignment(campaign=campaign, group=groups[g], unit=units[code])
            for g, codes in (("A", ["150100", "fgw"]), ("B", ["150200", "czt"]))
            for code in codes
        ],
        actor=system,
    )
    user_model = get_user_model()
    specs = {
        "office": (RoleKind.OFFICE, None, None),
        "viewer": (RoleKind.VIEWER, None, None),
        "group_a": (RoleKind.GROUP_MEMBER, groups["A"], None),
        "group_b": (RoleKind.GROUP_MEMBER, groups["B"], None),
        "league_a": (RoleKind.UNIT_REPORTER, None, units["150100"]),
        "county_a": (RoleKind.UNIT_REPORTER, None, units["150102"]),
        "dept_a": (RoleKind.UNIT_REPORTER, None, units["fgw"]),
        "league_b": (RoleKind.UNIT_REPORTER, None, units["150200"]),
        "norole": (None, None, None),
    }
    users = {}
    for name, (kind, group, unit) in specs.items():
        users[name] = user_model.objects.create_user(username=name, password=PASSWORD)
        if kind:
            do_create_object(Role, actor=system, data={"user": users[name], "kind": kind, "group": group, "unit": unit})
    sc = SmallCampaign(campaign, system, units, {"A": groups["A"], "B": groups["B"]}, users)
    # One project and one problem in each place a scope can reach.
    sc.add_project("hohhot", "150100")
    sc.add_project("xincheng", "150100", county="150102")
    sc.add_project("fgw", "fgw")
    sc.add_project("baotou", "150200", domain="procurement")
    sc.add_project("czt", "czt", domain="procurement")
    for key in sc.projects:
        sc.add_problem(key, key)
    return sc


def zh(text: Any, **params: Any) -> str:
    """A source string (or a lazy label) as the Chinese pages show it, with its %(name)s
    parameters filled in: what tests compare the pages' text with."""
    with translation.override("zh-hans"):
        shown = str(translation.gettext(text) if isinstance(text, str) else text)
    return shown % params if params else shown


def database_url_for_another_process(folder: Path) -> str:
    """DUCHA_DATABASE_URL for another process (a server, a command) to reach the test
    database's committed rows: PostgreSQL's test database by its URL; SQLite's, held in
    this process's memory, copied into a file in `folder` first."""
    from django.db import connection

    from ducha.core.dumps import dump_database

    if connection.vendor == "sqlite":
        copy = folder / "test-copy.sqlite3"
        dump_database(copy)
        return f"sqlite:///{copy}"
    db = connection.settings_dict
    login = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    return f"postgres://{login}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{quote(db['NAME'])}"
