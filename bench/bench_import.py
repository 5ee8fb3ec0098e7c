"""Benchmark: import a 100,000-row problem ledger (问题台账), Ducha against django-import-export.

    .venv/bin/python bench/bench_import.py [--rows 100000] [--iex-rows 10000] [--db PATH] [--profile]

Builds a fresh SQLite database (default var/bench/import.sqlite3): migrate, reference data,
a campaign with its four groups and 32 units (bench/campaign.py), the projects the problems
refer to and an office user. Writes a problem workbook in the layout of
ducha/imports/layouts.py (openpyxl write-only), copies the database once per run, then
times, each in a fresh child process on its own copy:

1. Ducha: `run_import("problems", …, actor=office user)`, validated and applied;
2. django-import-export: a `ModelResource` for `ledger.Problem` (foreign keys by natural
   key widgets) importing the same workbook through tablib's xlsx format;

and prints wall and CPU seconds, rows/s, peak RSS and the ratio. With `--profile` (or
when Ducha misses the 20 s target) it profiles Ducha's import on another copy and prints
the top 15 functions. See bench/README.md ("Import").
"""

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 20.0
TARGET_RATIO = 5.0
STATUS_WEIGHTS = {"待整改": 70, "整改中": 15, "已整改": 7, "已销号": 5, "不予认定": 3}
DISCOVERY = {"自查": 50, "抽查": 25, "督导": 8, "举报": 5, "数据分析": 5, "核查": 7}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument(
        "--iex-rows", type=int, default=10_000, help="rows for django-import-export (0: all); more are extrapolated"
    )
    parser.add_argument("--db", type=Path, default=ROOT / "var" / "bench" / "import.sqlite3")
    parser.add_argument("--profile", action="store_true", help="always profile Ducha's import (top 15)")
    parser.add_argument(
        "--check-once",
        action="store_true",
        help="what-if, not production: patch the status moves to check each evidence upload once, not once per move",
    )
    parser.add_argument("--no-profile", action="store_true", help="never profile")
    parser.add_argument("--phase", choices=["ducha", "iex", "profile"], help=argparse.SUPPRESS)
    parser.add_argument("--xlsx", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def log(message: str = "") -> None:
    print(message, flush=True)


def configure(db: Path) -> None:
    """Point Ducha at the benchmark database; must run before django.setup()."""
    db.parent.mkdir(parents=True, exist_ok=True)
    os.environ["DUCHA_DATABASE_URL"] = f"sqlite:///{db}"
    os.environ["DUCHA_VAR_DIR"] = str(db.parent / f"{db.stem}-var")  # stored imports, evidence, secret key
    # A 100,000-row workbook is larger than the default limits of an upload.
    for name in ("DUCHA_IMPORT_MAX_BYTES", "DUCHA_EVIDENCE_MAX_BYTES", "DUCHA_EVIDENCE_ZIP_MAX_UNPACKED_BYTES"):
        os.environ[name] = str(1024 * 1024 * 1024)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ducha.settings")
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    import django

    django.setup()


def rss_mib() -> float:
    """Current resident set size."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def fresh(db: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    shutil.rmtree(db.parent / f"{db.stem}-var", ignore_errors=True)


def copy_db(src: Path, dst: Path) -> None:
    fresh(dst)
    shutil.copyfile(src, dst)
    shutil.copytree(src.parent / f"{src.stem}-var", dst.parent / f"{dst.stem}-var")


# -- the database: campaign, units, projects, office user


def build(args: argparse.Namespace) -> list[tuple[str, str, str, str | None]]:
    """Migrate and load; return (unit name, project number, domain code, domain list name)
    of the projects problems may refer to."""
    from campaign import BenchCampaign
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from ducha.core.access import RoleKind
    from ducha.core.actions import do_create_object
    from ducha.org.models import Role

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    builder = BenchCampaign(projects=args.rows // 2, problems=0, chunk=50_000, log=log)
    builder.setup()
    rng = builder.rng
    unit_of = rng.choices(range(len(builder.units)), weights=builder.unit_weights, k=builder.n_projects)
    projects, numbers = [], dict.fromkeys(range(len(builder.units)), 0)
    for start in range(0, builder.n_projects, builder.chunk):
        objs = []
        for i in range(start, min(builder.n_projects, start + builder.chunk)):
            numbers[unit_of[i]] += 1
            objs.append(builder.new_project(builder.units[unit_of[i]], numbers[unit_of[i]]))
        builder.create(objs)
        projects += [(p.unit.name, p.number, p.domain.code) for p in objs]
    user, _created = get_user_model().objects.get_or_create(username="bench-office")
    do_create_object(Role, actor=builder.actor, data={"user": user, "kind": RoleKind.OFFICE})
    log(f"database: {builder.n_projects:,} projects, office user; {time.perf_counter() - started:.1f} s")
    return projects


# -- the workbook


def write_workbook(path: Path, rows: int, projects: list[tuple[str, str, str]]) -> None:
    """A problem ledger in the import layout, streamed (openpyxl write-only). Fixed seed."""
    from random import Random

    from openpyxl import Workbook

    from ducha.demo import vocabulary as V
    from ducha.imports.layouts import PROBLEM_COLUMNS
    from ducha.ledger.choices import CategoryKind
    from ducha.ledger.models import MarketEntityType, ProblemCategory

    rng = Random(7)
    catalogue = list(ProblemCategory.objects.prefetch_related("items").select_related("domain"))
    four = [c for c in catalogue if c.kind == CategoryKind.CAMPAIGN_FOUR]
    lists = {c.domain.code: c for c in catalogue if c.kind == CategoryKind.DOMAIN_LIST}
    items = {c.pk: list(c.items.all()) for c in catalogue}
    entity_types = list(MarketEntityType.objects.values_list("name", flat=True))
    unit_names = sorted({unit for unit, _number, _domain in projects})
    run_start, run_end = dt.date(2024, 5, 6), dt.date(2024, 10, 15)

    def written(day: dt.date):
        form = rng.random()
        if form < 0.4:
            return day  # a date cell
        if form < 0.6:
            return day.isoformat()
        if form < 0.8:
            return f"{day.year}/{day.month}/{day.day}"
        return f"{day.year}年{day.month}月{day.day}日"

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("问题台账")
    ws.append([c.header for c in PROBLEM_COLUMNS])
    statuses, discovery = list(STATUS_WEIGHTS), list(DISCOVERY)
    per_unit: dict[str, int] = {}
    for n in range(1, rows + 1):
        if rng.random() < 0.95:
            unit, project, domain = projects[rng.randrange(len(projects))]
        else:  # a problem of the unit itself
            unit, project, domain = rng.choice(unit_names), "", None
        per_unit[unit] = per_unit.get(unit, 0) + 1
        category = item = None
        roll = rng.random()
        if roll < 0.17:
            category = rng.choice(four)
        elif domain in lists and roll < 0.6:
            category = lists[domain]
        if category is not None:
            item = rng.choice(items[category.pk])
        found = run_start + dt.timedelta(days=rng.randint(0, (run_end - run_start).days))
        deadline = min(found + dt.timedelta(days=rng.choice([30, 45, 60, 90])), dt.date(2024, 12, 31))
        status = rng.choices(statuses, weights=STATUS_WEIGHTS.values())[0]
        measures = rectified = opinion = reason = ""
        if status in ("整改中", "已整改", "已销号"):
            measures = f"{V.MEASURES[category.code if category else None][0]}；{V.GENERAL_MEASURES[0]}。"
        if status in ("已整改", "已销号"):
            rectified = written(found + dt.timedelta(days=rng.randint(1, 50)))
        if status == "已销号":
            opinion = V.sign_off_opinion(rng)
        if status == "不予认定":
            reason = V.dismiss_reason(rng)
        clue = rng.random() < 0.02
        ws.append(
            [
                n,
                f"WT-{per_unit[unit]:06d}",
                project,
                unit,
                category.name if category else "",
                item.code if item else "",
                rng.choice(entity_types) if rng.random() < 0.8 else "",
                f"{project or unit}：{V.problem_text(category)}",
                rng.choices(discovery, weights=DISCOVERY.values())[0],
                written(found),
                measures,
                written(deadline),
                status,
                rectified,
                opinion,
                reason,
                "是" if clue else "否",
                "纪检监察机关" if clue else "",
                "否",
                "否",
                V.person(rng),
                "",
            ]
        )
    wb.save(path)


# -- the timed imports (each in a child process, on its own copy of the database)


def timed(fn) -> dict:
    base = rss_mib()
    started, cpu, own = time.perf_counter(), time.process_time(), time.thread_time()
    outcome = fn()
    return {
        "wall_s": time.perf_counter() - started,
        "cpu_s": time.process_time() - cpu,  # every thread's (the writes beside too: core/writing.py)
        "main_thread_cpu_s": time.thread_time() - own,
        "rss_before_mib": base,
        "peak_rss_mib": peak_mib(),
        **outcome,
    }


def check_each_upload_once() -> None:
    """What-if (this process only, production code unchanged): `do_bulk_transition_problems`
    checks every move's evidence, and an import attaches the same workbook to every problem
    it reports rectified, so the workbook is unzipped and checked once per such problem.
    Remember the uploads already checked."""
    from ducha.ledger import actions

    checked: set[int] = set()
    check = actions.check_upload

    def once(upload) -> None:
        if id(upload) not in checked:
            check(upload)
            checked.add(id(upload))

    actions.check_upload = once


def ducha_import(xlsx: Path) -> dict:
    from django.contrib.auth import get_user_model

    from ducha.imports.importer import run_import

    office = get_user_model().objects.get(username="bench-office")
    content = xlsx.read_bytes()

    def run() -> dict:
        result = run_import("problems", xlsx.name, content, actor=office)
        return {
            "applied": bool(result.applied),
            "errors": len(result.errors),
            "first_errors": [str(e) for e in result.errors[:5]],
            "counts": result.counts,
        }

    return timed(run)


def ducha_profile(xlsx: Path) -> None:
    import cProfile
    import pstats

    from django.contrib.auth import get_user_model

    from ducha.imports.importer import run_import

    office = get_user_model().objects.get(username="bench-office")
    content = xlsx.read_bytes()
    profiler = cProfile.Profile()
    profiler.enable()
    result = run_import("problems", xlsx.name, content, actor=office)
    profiler.disable()
    log(f"profiled run: applied={bool(result.applied)}, errors={len(result.errors)}")
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.sort_stats("tottime").print_stats(15)
    stats.sort_stats("cumulative").print_stats(30)


def iex_resource():
    """What a Django developer writes for django-import-export: a ModelResource whose
    foreign keys are looked up by natural key widgets, the Chinese headers as column names,
    the words of the lists mapped to their values, dates in the workbook's forms."""
    from import_export import fields, resources, widgets

    from ducha.imports.problems import DISCOVERY_WORDS, STATUS_WORDS
    from ducha.ledger.models import MarketEntityType, Problem, ProblemCategory, ProblemItem, Project
    from ducha.org.models import Unit, active_campaign

    campaign = active_campaign()

    class Words(widgets.CharWidget):
        def __init__(self, words: dict[str, str]):
            super().__init__()
            self.words = words

        def clean(self, value, row=None, **kwargs):
            return self.words.get(str(value).strip(), "") if value else ""

    class Dates(widgets.DateWidget):
        def __init__(self):
            super().__init__()
            self.formats = ("%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日")

    class ProjectOfUnit(widgets.ForeignKeyWidget):
        """项目编号 is unique within the unit (所属单位), as the ledger's key."""

        def get_queryset(self, value, row, *args, **kwargs):
            return Project.objects.filter(unit__name=row["所属单位"])

    def text(column: str, attribute: str):
        return fields.Field(column_name=column, attribute=attribute, widget=widgets.CharWidget(allow_blank=True))

    def fk(column: str, attribute: str, model, field: str, widget=widgets.ForeignKeyWidget):
        return fields.Field(column_name=column, attribute=attribute, widget=widget(model, field))

    class ProblemResource(resources.ModelResource):
        unit = fk("所属单位", "unit", Unit, "name")
        number = text("问题编号", "number")
        project = fk("项目编号", "project", Project, "number", ProjectOfUnit)
        category = fk("问题类别", "category", ProblemCategory, "name")
        item = fk("问题细项", "item", ProblemItem, "code")
        entity_type = fk("涉及市场主体类型", "entity_type", MarketEntityType, "name")
        description = text("问题描述", "description")
        discovery_method = fields.Field(
            column_name="发现方式", attribute="discovery_method", widget=Words(DISCOVERY_WORDS)
        )
        found_on = fields.Field(column_name="发现日期", attribute="found_on", widget=Dates())
        measures = text("整改措施", "measures")
        deadline = fields.Field(column_name="整改时限", attribute="deadline", widget=Dates())
        status = fields.Field(column_name="整改状态", attribute="status", widget=Words(STATUS_WORDS))
        rectified_on = fields.Field(column_name="整改完成日期", attribute="rectified_on", widget=Dates())
        responsible = text("责任人", "responsible")
        remarks = text("备注", "remarks")

        class Meta:
            model = Problem
            fields = (
                "unit", "number", "project", "category", "item", "entity_type", "description",
                "discovery_method", "found_on", "measures", "deadline", "status", "rectified_on",
                "responsible", "remarks",
            )  # fmt: skip
            import_id_fields = ("unit", "number")
            clean_model_instances = True  # the model's rules (full_clean), as Ducha runs them
            skip_unchanged = False

        def import_instance(self, instance, row, **kwargs):
            super().import_instance(instance, row, **kwargs)
            instance.campaign = campaign
            if instance.project_id:
                instance.county_id = instance.project.county_id
                instance.domain_id = instance.project.domain_id
            elif instance.category_id:
                instance.domain_id = instance.category.domain_id

    return ProblemResource()


def iex_import(xlsx: Path) -> dict:
    import tablib

    resource_ = iex_resource()

    def run() -> dict:
        dataset = tablib.Dataset().load(xlsx.read_bytes(), format="xlsx")
        result = resource_.import_data(dataset, dry_run=False, raise_errors=False, use_transactions=True)
        invalid = result.invalid_rows
        first = [str(e.error)[:300] for e in result.base_errors[:3]]
        first += [str(r.error_dict)[:300] for r in invalid[:3]]
        return {
            "rows": len(dataset),
            "errors": len(result.base_errors) + len(invalid) + sum(len(r.errors) for r in result.rows),
            "first_errors": first,
            "totals": {k: v for k, v in result.totals.items() if v},
        }

    return timed(run)


def child(args: argparse.Namespace) -> None:
    configure(args.db)
    if args.check_once:
        check_each_upload_once()
    outcome = {"ducha": lambda: ducha_import(args.xlsx), "iex": lambda: iex_import(args.xlsx)}
    if args.phase == "profile":
        ducha_profile(args.xlsx)
        return
    print("RESULT " + json.dumps(outcome[args.phase]()), flush=True)


def run_child(phase: str, db: Path, xlsx: Path, check_once: bool = False) -> dict:
    command = [sys.executable, __file__, "--phase", phase, "--db", str(db), "--xlsx", str(xlsx)]
    command += ["--check-once"] if check_once else []
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        log(done.stdout[-3000:] + done.stderr[-3000:])
        raise SystemExit(f"{phase}: exit {done.returncode}")
    if phase == "profile":
        log(done.stdout)
        return {}
    line = next(line for line in done.stdout.splitlines() if line.startswith("RESULT "))
    return json.loads(line[len("RESULT ") :])


def report(name: str, r: dict, rows: int) -> None:
    log(
        f"{name}: {rows:,} rows in {r['wall_s']:.1f} s wall, {r['cpu_s']:.1f} s CPU "
        f"({r.get('main_thread_cpu_s', r['cpu_s']):.1f} s of it the main thread's), "
        f"{rows / r['wall_s']:,.0f} rows/s; peak RSS {r['peak_rss_mib']:,.0f} MiB "
        f"(after start-up {r['rss_before_mib']:,.0f} MiB); errors {r['errors']}"
    )
    if r["errors"]:
        log(f"  first errors: {r['first_errors']}")


def main() -> None:
    args = parse_args()
    if args.phase:
        child(args)
        return
    db = args.db
    fresh(db)
    configure(db)
    log(f"building {db} ...")
    projects = build(args)
    from django.db import connections

    connections.close_all()
    folder = db.parent
    xlsx = folder / f"problems-{args.rows}.xlsx"
    started = time.perf_counter()
    write_workbook(xlsx, args.rows, projects)
    log(f"workbook: {args.rows:,} rows, {xlsx.stat().st_size / 2**20:.1f} MiB, {time.perf_counter() - started:.1f} s")
    iex_rows = args.rows if not args.iex_rows or args.iex_rows >= args.rows else args.iex_rows
    iex_xlsx = xlsx
    if iex_rows < args.rows:
        iex_xlsx = folder / f"problems-{args.rows}-first-{iex_rows}.xlsx"
        slice_workbook(xlsx, iex_xlsx, iex_rows)
    copies = {phase: folder / f"{db.stem}-{phase}.sqlite3" for phase in ("ducha", "iex", "profile")}
    for copy in copies.values():
        copy_db(db, copy)  # every import starts from the same database

    ducha = run_child("ducha", copies["ducha"], xlsx, args.check_once)
    what_if = " [what-if: each evidence upload checked once, production code patched in this run]"
    report("Ducha run_import (validated and applied)" + (what_if if args.check_once else ""), ducha, args.rows)
    iex = run_child("iex", copies["iex"], iex_xlsx)
    report("django-import-export import_data (dry_run=False)", iex, iex_rows)
    iex_full_s = iex["wall_s"] * args.rows / iex_rows
    if iex_rows < args.rows:
        log(
            f"  django-import-export ran on the first {iex_rows:,} rows only; "
            f"extrapolated linearly to {args.rows:,} rows: {iex_full_s:.0f} s"
        )
    ratio = iex_full_s / ducha["wall_s"]
    log(f"ratio (django-import-export / Ducha, wall, {args.rows:,} rows): {ratio:.1f}×")
    met = ducha["wall_s"] <= TARGET_S and ratio >= TARGET_RATIO and ducha["applied"] and not ducha["errors"]
    log(f"target (≤ {TARGET_S:.0f} s and ≥ {TARGET_RATIO:.0f}× django-import-export): {'met' if met else 'MISSED'}")
    if args.profile or (not met and not args.no_profile):
        log("profile of Ducha's import (cProfile; the times include the profiler's overhead):")
        run_child("profile", copies["profile"], xlsx, args.check_once)


def slice_workbook(src: Path, dst: Path, rows: int) -> None:
    from openpyxl import Workbook, load_workbook

    source = load_workbook(src, read_only=True)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("问题台账")
    for i, row in enumerate(source.worksheets[0].iter_rows(values_only=True)):
        if i > rows:
            break
        ws.append(row)
    wb.save(dst)


if __name__ == "__main__":
    main()
