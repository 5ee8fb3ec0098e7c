"""A large benchmark campaign, generated from a fixed seed and inserted through
`do_bulk_create_objects` in chunks, so the change log is written as by a real import
and every model rule is checked; projects are created uninspected and their inspections
recorded by `do_bulk_record_inspections` (which sets the flags); problems are created as
found and moved to their status by `do_bulk_transition_problems`, each move with what
its steps need (measures, completion date and evidence, sign-off opinion, reason).

Imported by bench_stats.py after django.setup(). The model rules read the linked
records (a project's unit and county, a problem's project and item, the campaign's
run), so objects link instances already in memory, never bare ids (a query per row);
a problem's project is a stand-in holding only what the rules read. Evidence is one
small PDF per unit (demo/evidence.py): content-addressed storage keeps one file per
content, whatever the number of problems.
"""

import datetime as dt
import time
from collections import Counter
from collections.abc import Callable, Iterator
from random import Random
from zoneinfo import ZoneInfo

from ducha.core.actions import do_bulk_create_objects
from ducha.core.changelog import new_batch
from ducha.core.uscc import ALPHABET, with_check_digit
from ducha.demo import vocabulary as V
from ducha.demo.evidence import rectification_pdf
from ducha.demo.plan import GROUPS
from ducha.ledger.actions import Move, do_bulk_record_inspections, do_bulk_transition_problems
from ducha.ledger.choices import (
    CategoryKind,
    ClueAuthority,
    DiscoveryMethod,
    DocumentAction,
    InspectionKind,
    InspectionResult,
    ProblemStatus,
)
from ducha.ledger.evidence import EvidenceUpload
from ducha.ledger.models import (
    ClueTransfer,
    ExposedCase,
    FiledCase,
    Inspection,
    MarketEntityType,
    PolicyDocument,
    Problem,
    ProblemCategory,
    ProblemItem,
    Project,
    Training,
)
from ducha.ledger.reference import do_load_reference_data
from ducha.org.actions import system_actor
from ducha.org.models import Assignment, Campaign, Domain, ProjectType, Stage, SupervisionGroup, Unit

SEED = 20241231
CAMPAIGN_CODE = "bench"
D = dt.date.fromisoformat
SCOPE = (D("2023-01-01"), D("2024-06-30"))
RUN = (D("2024-04-20"), D("2024-12-31"))  # the campaign's run, as the demo's
DOMAIN_WEIGHTS = {"engineering": 0.42, "procurement": 0.38, "natural_resources": 0.12, "state_property": 0.08}
TZ = ZoneInfo("Asia/Shanghai")
TRANSITIONS = "problem status moves (do_bulk_transition_problems)"
INSPECTIONS = "inspections (do_bulk_record_inspections)"
INSPECTION_DAYS = {
    InspectionKind.SELF: (D("2024-04-22"), D("2024-06-28")),
    InspectionKind.SAMPLE: (D("2024-06-03"), D("2024-07-31")),
    InspectionKind.VERIFY: (D("2024-08-01"), D("2024-08-30")),
}
STATUS_WEIGHTS = {
    ProblemStatus.FOUND: 4,
    ProblemStatus.RECTIFYING: 8,
    ProblemStatus.RECTIFIED: 18,
    ProblemStatus.SIGNED_OFF: 65,
    ProblemStatus.DISMISSED: 5,
}
TENDERERS = ["住房和城乡建设局", "交通运输局", "教育局", "卫生健康委员会", "自然资源局", "国有资产投资公司"]


def _day(rng: Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def _uscc(rng: Random, region: str, registrar: str = "9", kind: str = "1") -> str:
    return with_check_digit(f"{registrar}{kind}{region}{''.join(rng.choices(ALPHABET, k=9))}")


class BenchCampaign:
    def __init__(self, *, projects: int, problems: int, chunk: int, seed: int = SEED, log: Callable = print):
        self.n_projects, self.n_problems, self.chunk = projects, problems, chunk
        self.rng = Random(seed)
        self.log = log
        self.actor = system_actor()
        self.batch = new_batch()  # one import batch, like `ducha demo`
        self.seconds: Counter[str] = Counter()
        self.rows: Counter[str] = Counter()

    def create(self, objs: list) -> list:
        """One bulk action call: its own transaction, its own change-log rows."""
        started = time.perf_counter()
        do_bulk_create_objects(objs, actor=self.actor, batch=self.batch, reason="benchmark")
        name = type(objs[0])._meta.label
        self.seconds[name] += time.perf_counter() - started
        self.rows[name] += len(objs)
        return objs

    def build(self) -> Campaign:
        started = time.perf_counter()
        self.setup()
        self.seconds["setup (reference data, campaign, groups)"] = time.perf_counter() - started
        problem_projects = self.projects()
        serious = self.problems(problem_projects)
        self.dispositions(serious)
        return self.campaign

    # -- reference data, campaign, groups and assignments (as in ducha/demo/plan.py)

    def setup(self) -> None:
        do_load_reference_data(actor=self.actor)
        self.domains = {d.code: d for d in Domain.objects.all()}
        self.types: dict[str, list[ProjectType]] = {}
        for t in ProjectType.objects.select_related("domain"):
            self.types.setdefault(t.domain.code, []).append(t)
        units = {u.code: u for u in Unit.objects.all()}
        self.unit_by_pk = {u.pk: u for u in units.values()}
        self.counties: dict[int, list[Unit]] = {}
        for u in units.values():
            if u.parent_id:
                self.counties.setdefault(u.parent_id, []).append(u)
        self.campaign = self.create(
            [
                Campaign(
                    code=CAMPAIGN_CODE,
                    name="基准测试专项整治行动",
                    region_code="150000",
                    scope_start=SCOPE[0],
                    scope_end=SCOPE[1],
                    starts_on=RUN[0],
                    closes_on=RUN[1],
                )
            ]
        )[0]
        self.create(
            [
                Stage(campaign=self.campaign, kind=kind, order=i, starts_on=D(a), ends_on=D(b))
                for i, (kind, a, b) in enumerate(
                    (
                        ("self_check", "2024-04-20", "2024-07-31"),
                        ("look_back", "2024-08-01", "2024-08-31"),
                        ("rectification", "2024-09-01", "2024-10-31"),
                        ("summary", "2024-11-01", "2024-12-15"),
                    )
                )
            ]
        )
        groups = self.create(
            [
                SupervisionGroup(campaign=self.campaign, code=p.domain, name=p.name, lead_domain=self.domains[p.domain])
                for p in GROUPS
            ]
        )
        self.units = [units[code] for p in GROUPS for code in p.leagues + p.departments]
        self.create(
            [
                Assignment(campaign=self.campaign, group=g, unit=units[code])
                for g, p in zip(groups, GROUPS, strict=True)
                for code in p.leagues + p.departments
            ]
        )
        self.unit_weights = [3.0 if u.kind == "league" else 1.0 for u in self.units]
        catalogue = list(ProblemCategory.objects.prefetch_related("items"))
        self.items: dict[int, list[ProblemItem]] = {c.pk: list(c.items.all()) for c in catalogue}
        self.four = [c for c in catalogue if c.kind == CategoryKind.CAMPAIGN_FOUR]
        self.domain_lists = {c.domain_id: c for c in catalogue if c.kind == CategoryKind.DOMAIN_LIST}
        self.entity_types = list(MarketEntityType.objects.values_list("pk", flat=True))
        # Winners come from a pool of firms: the same firms win many projects.
        regions = [u.code for u in units.values() if u.kind != "department"]
        self.firms = [(V.firm(self.rng), _uscc(self.rng, self.rng.choice(regions))) for _ in range(20_000)]
        self.tenderer_codes: dict[str, str] = {}
        # Evidence of rectification: one small PDF per unit, the same bytes for all its problems.
        self.evidence = {
            u.pk: EvidenceUpload(
                f"{u.code}-整改完成情况说明.pdf", rectification_pdf(f"{u.code}-2024", u.code, D("2024-11-30"))
            )
            for u in self.units
        }

    def tenderer_uscc(self, tenderer: str, region: str) -> str:
        """One code per tenderer, as in real ledgers (and cheaper than a check digit per project)."""
        if tenderer not in self.tenderer_codes:
            self.tenderer_codes[tenderer] = _uscc(self.rng, region, "1", "1")
        return self.tenderer_codes[tenderer]

    def chunks(self, total: int, make: Callable[[int], object]) -> Iterator[list]:
        for start in range(0, total, self.chunk):
            yield [make(i) for i in range(start, min(total, start + self.chunk))]

    def progress(self, name: str, total: int) -> None:
        done, secs = self.rows[name], self.seconds[name]
        self.log(f"  {name}: {done:>9,}/{total:,}  {secs:7.1f} s  {done / secs:8,.0f} rows/s")

    # -- projects

    def projects(self) -> dict[int, tuple]:
        """Insert the projects; return what problems need of the projects that will have some."""
        rng = self.rng
        # ~90% of problems sit on distinct projects, ~2% on a unit only, the rest on a project twice.
        self.distinct = min(self.n_projects, self.n_problems * 9 // 10)
        chosen = set(rng.sample(range(self.n_projects), self.distinct))
        unit_of = rng.choices(range(len(self.units)), weights=self.unit_weights, k=self.n_projects)
        numbers: Counter[int] = Counter()
        kept: dict[int, tuple] = {}

        def make(i: int) -> Project:
            unit = self.units[unit_of[i]]
            numbers[unit.pk] += 1
            return self.new_project(unit, numbers[unit.pk])

        offset = 0
        for objs in self.chunks(self.n_projects, make):
            self.create(objs)
            self.inspect(objs, {j - offset for j in range(offset, offset + len(objs)) if j in chosen})
            for j, p in enumerate(objs, start=offset):
                if j in chosen:
                    kept[j] = (p.pk, p.unit_id, p.county_id, p.domain_id, p.sampled, p.verified, p.name)
            offset += len(objs)
            self.progress("ledger.Project", self.n_projects)
            self.progress(INSPECTIONS, self.n_projects * 14 // 10)
        return kept

    def inspect(self, projects: list[Project], with_problems: set[int]) -> None:
        """Record the projects' inspections (98 % self-inspected, 38 % sampled, 12 % of
        those verified); the action sets the projects' flags, here too."""
        rng = self.rng
        inspections = []
        for j, p in enumerate(projects):
            sampled = rng.random() < 0.38
            kinds = [
                kind
                for kind, done in (
                    (InspectionKind.SELF, rng.random() < 0.98),
                    (InspectionKind.SAMPLE, sampled),
                    (InspectionKind.VERIFY, sampled and rng.random() < 0.12),
                )
                if done
            ]
            result = InspectionResult.PROBLEMS if j in with_problems else InspectionResult.CLEAN
            for kind in kinds:
                inspections.append(
                    Inspection(
                        project=p,
                        kind=kind,
                        inspected_on=_day(rng, *INSPECTION_DAYS[kind]),
                        result=result,
                        inspector=V.person(rng),
                    )
                )
        started = time.perf_counter()
        do_bulk_record_inspections(inspections, actor=self.actor, batch=self.batch)
        self.seconds[INSPECTIONS] += time.perf_counter() - started
        self.rows[INSPECTIONS] += len(inspections)

    def new_project(self, unit: Unit, n: int) -> Project:
        rng = self.rng
        domain = rng.choices(list(DOMAIN_WEIGHTS), weights=DOMAIN_WEIGHTS.values())[0]
        ptype = rng.choice(self.types[domain])
        counties = self.counties.get(unit.pk)
        county = rng.choice(counties) if counties and rng.random() < 0.7 else None
        place = (county or unit).name
        department = unit.kind == "department"
        region = "150000" if department else (county or unit).code
        year = 2023 if rng.random() < 0.62 else 2024
        tenderer = unit.name if department else f"{place}{rng.choice(TENDERERS)}"
        winner, winner_uscc = rng.choice(self.firms)
        return Project(
            campaign=self.campaign,
            unit=unit,
            county=county,
            domain=self.domains[domain],
            project_type=ptype,
            number=f"{unit.code.upper()}-{year}-{n:07d}",
            name=f"{place}{rng.choice(V.SUBJECTS[domain][ptype.name])}",
            platform_code=f"NMGGZY{year}{rng.randint(0, 99999999):08d}",
            amount=V.amount(rng, domain, ptype.name),
            tenderer=tenderer,
            tenderer_uscc=self.tenderer_uscc(tenderer, region),
            agency=V.firm(rng, rng.choice(V.AGENCY_TRADES)),
            winner=winner,
            winner_uscc=winner_uscc,
            trade_date=_day(rng, *SCOPE),
        )

    # -- problems

    def problems(self, projects: dict[int, tuple]) -> list[tuple]:
        """Insert the problems; return (pk, unit, domain, found_on, description) of the
        four-category ones, which dispositions link to."""
        rng = self.rng
        keys = sorted(projects)
        unit_level = self.n_problems // 50
        extra = max(0, self.n_problems - self.distinct - unit_level)
        targets: list[tuple | Unit] = [projects[k] for k in keys]
        targets += [projects[rng.choice(keys)] for _ in range(extra)]
        targets += [rng.choice(self.units) for _ in range(self.n_problems - len(targets))]
        numbers: Counter[int] = Counter()
        four = {c.pk for c in self.four}
        serious: list[Problem] = []

        def make(i: int) -> Problem:
            problem = self.new_problem(targets[i], numbers)
            if problem.category_id in four:
                serious.append(problem)
            return problem

        for objs in self.chunks(len(targets), make):
            self.create(objs)
            self.rectify(objs)
            self.progress("ledger.Problem", len(targets))
        self.progress(TRANSITIONS, len(targets))
        return [(p.pk, p.unit_id, p.domain_id, p.found_on, p.description) for p in serious]

    def new_problem(self, target: tuple | Unit, numbers: Counter) -> Problem:
        rng = self.rng
        project = None
        if isinstance(target, Unit):  # a problem of the unit itself, no project
            unit_id, county_id, domain_id, sampled, verified, name = target.pk, None, None, False, False, target.name
        else:
            project_id, unit_id, county_id, domain_id, sampled, verified, name = target
            # What the rules read of the project (its unit, county, domain), not the whole row.
            project = Project(pk=project_id, unit_id=unit_id, county_id=county_id, domain_id=domain_id)
        numbers[unit_id] += 1
        category = item = None
        roll = rng.random()
        if roll < 0.17:
            category = rng.choice(self.four)
        elif domain_id in self.domain_lists and roll < 0.6:
            category = self.domain_lists[domain_id]
        if category is not None:
            item = rng.choice(self.items[category.pk])
        methods = {DiscoveryMethod.SELF: 50, DiscoveryMethod.SUPERVISION: 5, DiscoveryMethod.COMPLAINT: 3}
        methods[DiscoveryMethod.ANALYTICS] = 3
        if sampled:
            methods[DiscoveryMethod.SAMPLE] = 40
        if verified:
            methods[DiscoveryMethod.VERIFY] = 30
        found_on = _day(rng, D("2024-05-06"), D("2024-10-15"))
        return Problem(
            campaign=self.campaign,
            unit=self.unit_by_pk[unit_id],
            county=self.unit_by_pk[county_id] if county_id else None,
            domain_id=domain_id,
            project=project,
            number=f"WT-{unit_id:03d}-{numbers[unit_id]:06d}",
            category=category,
            item=item,
            entity_type_id=rng.choice(self.entity_types) if rng.random() < 0.8 else None,
            description=f"{name}：{V.problem_text(category)}",
            discovery_method=rng.choices(list(methods), weights=methods.values())[0],
            found_on=found_on,
            deadline=min(found_on + dt.timedelta(days=rng.choice([30, 45, 60, 90])), RUN[1]),
            responsible=V.person(rng),
        )

    def rectify(self, problems: list[Problem]) -> None:
        """Move the new (found) problems to their ledger status as an import does: one move
        each, carrying what every step of its path needs (measures to start; completion
        date and evidence to report it rectified; the opinion to sign off; a reason to
        dismiss); the workflow records every step."""
        rng = self.rng
        moves = []
        for p in problems:
            status = rng.choices(list(STATUS_WEIGHTS), weights=STATUS_WEIGHTS.values())[0]
            if status == ProblemStatus.FOUND:
                continue
            day = p.found_on + dt.timedelta(days=rng.randint(1, 50))
            when = dt.datetime.combine(day, dt.time(rng.randint(8, 17), rng.randint(0, 59)), TZ)
            if status == ProblemStatus.DISMISSED:
                moves.append(Move(p, status, when, reason=V.dismiss_reason(rng)))
                continue
            # One measures text per category and rectified day: the action writes the
            # problems' new state with one UPDATE per distinct (status, day, measures).
            measures = f"{V.MEASURES[p.category.code if p.category else None][0]}；{V.GENERAL_MEASURES[0]}。"
            if status == ProblemStatus.RECTIFYING:
                moves.append(Move(p, status, when, measures=measures))
                continue
            moves.append(
                Move(
                    p,
                    status,
                    when,
                    completed_on=day,
                    measures=measures,
                    evidence=(self.evidence[p.unit_id],),
                    opinion=V.sign_off_opinion(rng) if status == ProblemStatus.SIGNED_OFF else "",
                )
            )
        started = time.perf_counter()
        do_bulk_transition_problems(moves, actor=self.actor, batch=self.batch)
        self.rows[TRANSITIONS] += len(moves)
        self.seconds[TRANSITIONS] += time.perf_counter() - started

    # -- dispositions: clue transfers, filed and exposed cases, documents, trainings

    def dispositions(self, serious: list[tuple]) -> None:
        rng = self.rng
        base = {"campaign": self.campaign}

        def linked(p: tuple) -> dict:
            # The rules read the problem's unit: a stand-in with the ids, not the whole row.
            problem = Problem(pk=p[0], unit_id=p[1])
            return {**base, "problem": problem, "unit": self.unit_by_pk[p[1]], "domain_id": p[2]}

        def later(p: tuple, low: int, high: int) -> dt.date:
            return p[3] + dt.timedelta(days=rng.randint(low, high))

        def pick(n: int) -> list[tuple]:
            return rng.sample(serious, min(n, len(serious)))

        problems = self.n_problems
        for objs in (
            [
                ClueTransfer(
                    **linked(p),
                    authority=rng.choice(list(ClueAuthority)),
                    summary=f"移交问题线索：{p[4][:60]}",
                    transferred_on=later(p, 5, 30),
                    feedback="已受理，正在核查" if rng.random() < 0.6 else "",
                )
                for p in pick(problems // 100)
            ],
            [
                FiledCase(
                    **linked(p),
                    filed_on=later(p, 10, 60),
                    filed_by=rng.choice(["公安机关", "纪检监察机关", "行业主管部门"]),
                    case_number=f"〔2024〕{n + 1}号",
                    summary=f"立案查处：{p[4][:60]}",
                )
                for n, p in enumerate(pick(problems // 150))
            ],
            [
                ExposedCase(
                    **linked(p), title=f"{p[4][:60]}典型案例", exposed_on=later(p, 20, 90), channel="内蒙古日报"
                )
                for p in pick(problems // 80)
            ],
            [
                PolicyDocument(
                    **base,
                    unit=rng.choice(self.units),
                    domain_id=rng.choice(list(self.domains.values())).pk,
                    title=f"关于规范公共资源交易活动的若干规定（第{n + 1}项）",
                    doc_number=f"内发〔2024〕{n + 1}号",
                    action=rng.choices(list(DocumentAction), weights=[5, 4, 1])[0],
                    issued_on=_day(rng, D("2024-06-01"), D("2024-11-30")),
                )
                for n in range(self.n_projects // 200)
            ],
            [
                Training(
                    **base,
                    unit=rng.choice(self.units),
                    domain_id=rng.choice(list(self.domains.values())).pk,
                    title=f"公共资源交易合规管理专题培训（第{n + 1}期）",
                    held_on=_day(rng, D("2024-06-01"), D("2024-10-31")),
                    attendees=rng.randint(30, 300),
                )
                for n in range(max(1, self.n_projects // 2000))
            ],
        ):
            if objs:
                self.create(objs)
