"""Fixtures for the web view tests.

`site_once` is the module's small campaign (`small_once` of ducha/conftest.py: two
groups, four units, one user per role, a project and a problem in each place a scope
can reach) plus one record of every disposition ledger in each of the four units, added
inside the module's transaction. `site` gives each test fresh copies of the objects
inside a savepoint (the `db` fixture): nothing one test does reaches the next. Browser
tests, whose live server needs committed data, use `small_committed` instead.

Statistics are cached per change-log head; a test whose writes are rolled back leaves
the head where the next test finds it, so every test starts with an empty cache.
"""

import dataclasses
import datetime as dt

import pytest
from django.test import Client

from ducha.core.actions import do_bulk_create_objects, do_create_object
from ducha.core.registry import ledgers
from ducha.ledger.actions import do_bulk_transition_problems, do_create_problem, do_record_inspection
from ducha.ledger.models import (
    ClueTransfer,
    ExposedCase,
    FiledCase,
    MarketEntityType,
    PolicyDocument,
    Problem,
    ProblemCategory,
    Project,
    Training,
)
from ducha.org.models import Domain, Unit
from ducha.testing import SmallCampaign, move

ROLES = ("office", "viewer", "group_a", "group_b", "league_a", "county_a", "dept_a", "league_b", "norole")
WRITERS = ("office", "group_a", "group_b", "league_a", "county_a", "dept_a", "league_b")
# The role × page matrix covers every ledger of the ledger app. The supervision ledgers,
# whose records belong to groups as well as units, have their own matrix (ducha/supervision/tests).
LEDGERS = tuple(ledger.key for ledger in ledgers() if ledger.model._meta.app_label == "ledger")
DISPOSITIONS = tuple(k for k in LEDGERS if k not in ("problems", "projects"))

# The places of the small campaign: (owning unit, county, domain). Projects and problems
# exist in all five; the disposition ledgers (no county) in the four units.
PLACES = {
    "hohhot": ("150100", None, "engineering"),
    "xincheng": ("150100", "150102", "engineering"),
    "fgw": ("fgw", None, "engineering"),
    "baotou": ("150200", None, "procurement"),
    "czt": ("czt", None, "procurement"),
}
UNIT_PLACES = ("hohhot", "fgw", "baotou", "czt")
ALL = frozenset(PLACES)
VISIBLE = {
    "office": ALL,
    "viewer": ALL,
    "group_a": frozenset({"hohhot", "xincheng", "fgw"}),
    "group_b": frozenset({"baotou", "czt"}),
    "league_a": frozenset({"hohhot", "xincheng"}),
    "county_a": frozenset({"xincheng"}),
    "dept_a": frozenset({"fgw"}),
    "league_b": frozenset({"baotou"}),
    "norole": frozenset(),
}


def label(ledger: str, place: str) -> str:
    """The text that names a place's record in its ledger's list."""
    return {
        "problems": f"Q-{place}",
        "projects": f"P-{place}",
        "clue-transfers": f"线索移交 {place}",
        "filed-cases": f"立案-{place}",
        "exposed-cases": f"曝光案例 {place}",
        "documents": f"制度文件 {place}",
        "trainings": f"培训 {place}",
    }[ledger]


def places_of(ledger: str) -> tuple[str, ...]:
    return tuple(PLACES) if ledger in ("problems", "projects") else UNIT_PLACES


@dataclasses.dataclass
class Site(SmallCampaign):
    records: dict[tuple[str, str], int] = dataclasses.field(default_factory=dict)  # (ledger, place) → pk

    def pk(self, ledger: str, place: str) -> int:
        return self.records[ledger, place]


def _add_dispositions(sc: SmallCampaign) -> dict[tuple[str, str], int]:
    units = {u.code: u for u in Unit.objects.filter(code__in=["150100", "fgw", "150200", "czt"])}
    domains = {d.code: d for d in Domain.objects.all()}
    day = dt.date(2024, 5, 20)
    records = {}
    for place in UNIT_PLACES:
        unit_code, _county, domain_code = PLACES[place]
        common = {"campaign": sc.campaign, "unit": units[unit_code], "domain": domains[domain_code]}
        problem = sc.problems[place]
        link = {**common, "problem": problem}
        objects = {
            "clue-transfers": ClueTransfer(
                **link, authority="discipline", transferred_on=day, summary=label("clue-transfers", place)
            ),
            "filed-cases": FiledCase(
                **link, filed_on=day, filed_by="纪委监委", case_number=label("filed-cases", place), summary="立案审查"
            ),
            "exposed-cases": ExposedCase(**link, title=label("exposed-cases", place), exposed_on=day),
            "documents": PolicyDocument(**common, title=label("documents", place), action="enacted", issued_on=day),
            "trainings": Training(**common, title=label("trainings", place), held_on=day, attendees=30),
        }
        for ledger, obj in objects.items():
            do_bulk_create_objects([obj], actor=sc.system)
            records[ledger, place] = obj.pk
    for place in PLACES:
        records["projects", place] = sc.projects[place].pk
        records["problems", place] = sc.problems[place].pk
    return records


def add_variety(site: Site) -> dict[str, Problem]:
    """Problems of every status, category, market-entity type and discovery method, and a
    project that was sampled but not self-inspected, on top of the small campaign's five
    found-and-overdue problems (all found 2024-06-01 by self-inspection, no category):

        key        unit (county)       status      category entity method       found on    overdue
        bidrig     150100              found       A        E1     supervision  2024-03-05  no (2099)
        donghe     150200 (150202)     rectifying  C        E2     sample       2024-05-10  yes
        done       fgw                 rectified   B        -      complaint    2024-02-01  no
        signed     czt                 signed_off  S        -      analytics    2024-04-01  no
        dismissed  150200              dismissed   -        -      verify       2024-04-15  no
    """
    system = site.system
    category = {c.code: c for c in ProblemCategory.objects.all()}
    entity = {e.code: e for e in MarketEntityType.objects.all()}
    donghe = do_create_object(
        Project,
        actor=system,
        data={
            "campaign": site.campaign,
            "unit": Unit.objects.get(code="150200"),
            "county": Unit.objects.get(code="150202"),
            "domain": Domain.objects.get(code="procurement"),
            "number": "P-donghe",
            "name": "东河区 教学设备采购项目",
            "platform_code": "DH-2024-0315",
            "tenderer": "东河区教育局",
            "amount": "860000.50",
            "trade_date": dt.date(2024, 3, 15),
        },
    )
    do_record_inspection(donghe, "sample", actor=system, inspected_on=dt.date(2024, 6, 10))
    site.projects["donghe"] = donghe

    def problem(key, project, found_on, deadline, method, description, cat=None, ent=None):
        p = site.projects[project]
        data = {"campaign": site.campaign, "unit": p.unit, "county": p.county, "project": p, "domain": p.domain}
        data |= {"number": f"Q-{key}", "description": description, "discovery_method": method}
        data |= {"found_on": found_on, "deadline": deadline, "category": cat, "entity_type": ent}
        site.problems[key] = do_create_problem(actor=system, data=data)
        return site.problems[key]

    d = dt.date
    a, b, c, s, e1, e2 = category["A"], category["B"], category["C"], category["S"], entity["E1"], entity["E2"]
    new = {
        "bidrig": problem("bidrig", "hohhot", d(2024, 3, 5), d(2099, 12, 31), "supervision", "领导干部插手招标", a, e1),
        "donghe": problem("donghe", "donghe", d(2024, 5, 10), d(2024, 6, 30), "sample", "采购指向特定供应商", c, e2),
        "done": problem("done", "fgw", d(2024, 2, 1), d(2024, 4, 30), "complaint", "投标人相互串通投标", b),
        "signed": problem("signed", "czt", d(2024, 4, 1), d(2024, 5, 31), "analytics", "应进未进 国有产权转让", s),
        "dismissed": problem("dismissed", "baotou", d(2024, 4, 15), d(2024, 5, 15), "verify", "经核实不属实"),
    }
    do_bulk_transition_problems(
        [
            move(new["donghe"], "rectifying"),
            move(new["done"], "rectified", completed_on=d(2024, 4, 20)),
            move(new["signed"], "signed_off", completed_on=d(2024, 5, 10)),
            move(new["dismissed"], "dismissed", reason="核实结论"),
        ],
        actor=system,
    )
    return new


@pytest.fixture(scope="module")
def site_once(small_once: SmallCampaign, django_db_blocker) -> Site:
    """The module's small campaign (ducha/conftest.py) with a record of every disposition
    ledger in each unit, added inside the module's transaction."""
    with django_db_blocker.unblock():
        sc = small_once
        return Site(**{f.name: getattr(sc, f.name) for f in dataclasses.fields(sc)}, records=_add_dispositions(sc))


@pytest.fixture
def site(site_once: Site, db) -> Site:
    return site_once.refreshed()


@pytest.fixture
def login(site):
    """login("group_a") → a Client signed in as that user (force_login: no password check)."""

    def client_for(name: str, **kwargs) -> Client:
        client = Client(**kwargs)
        client.force_login(site.users[name])
        return client

    return client_for
