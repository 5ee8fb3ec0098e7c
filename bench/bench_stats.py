"""Benchmark: load a large campaign through the change-logged bulk action, then time the statistics.

    .venv/bin/python bench/bench_stats.py [--projects 1000000] [--problems 200000] [--db PATH]
    .venv/bin/python bench/bench_stats.py --database-url "$(bench/bench_pg.sh start --load)"

Creates a fresh SQLite database (default var/bench/bench.sqlite3), migrates it, loads
the reference data, a campaign with its four groups and 32 assigned units, the projects,
problems and dispositions (fixed seed), then times `campaign_statistics` in-process and
the `ducha stats --json` command: as loaded, without planner statistics and after a full
ANALYZE. With --database-url (an empty PostgreSQL database) it only loads the campaign
there, for the load test (bench/bench_load.py). See bench/README.md.
"""

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DUCHA = ROOT / ".venv" / "bin" / "ducha"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=1_000_000)
    parser.add_argument("--problems", type=int, default=200_000)
    parser.add_argument("--chunk", type=int, default=50_000, help="objects per bulk action call (one transaction)")
    parser.add_argument("--db", type=Path, default=ROOT / "var" / "bench" / "bench.sqlite3")
    parser.add_argument("--database-url", help="load into this (empty) PostgreSQL database instead, and stop")
    parser.add_argument("--reuse", action="store_true", help="keep an existing database; only time the statistics")
    parser.add_argument("--runs", type=int, default=5, help="in-process runs after one warm-up (median)")
    parser.add_argument("--cli-runs", type=int, default=3, help="`ducha stats --json` runs (median)")
    return parser.parse_args(argv)


def log(message: str = "") -> None:
    print(message, flush=True)


def configure(db: Path, fresh: bool, url: str | None = None) -> None:
    """Point Ducha at the benchmark database; must run before django.setup()."""
    db.parent.mkdir(parents=True, exist_ok=True)
    if fresh and not url:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
    os.environ["DUCHA_DATABASE_URL"] = url or f"sqlite:///{db}"
    # Secret key, evidence: beside the benchmark database (PostgreSQL's: var/bench/pg-var).
    os.environ["DUCHA_VAR_DIR"] = str(db.parent / "pg-var" if url else db.parent)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ducha.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def load(args: argparse.Namespace) -> dict:
    from campaign import BenchCampaign
    from django.core.management import call_command

    started, cpu = time.perf_counter(), time.process_time()
    call_command("migrate", verbosity=0)
    migrate = time.perf_counter() - started
    log(f"migrate: {migrate:.1f} s; loading {args.projects:,} projects, {args.problems:,} problems ...")
    builder = BenchCampaign(projects=args.projects, problems=args.problems, chunk=args.chunk, log=log)
    builder.build()
    total = time.perf_counter() - started
    return {
        "migrate_s": migrate,
        "total_s": total,
        "cpu_s": time.process_time() - cpu,
        "seconds": dict(builder.seconds),
        "rows": dict(builder.rows),
    }


def sql(statement: str) -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement)
        return cursor.fetchall()


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def median_time(fn, runs: int, cpu=time.process_time) -> dict:
    """Median wall-clock and CPU seconds of `runs` calls. CPU time (this process, or its
    finished children for the CLI) leaves out time spent waiting for a core."""
    walls, cpus = [], []
    for _ in range(runs):
        started, cpu_started = time.perf_counter(), cpu()
        fn()
        walls.append(time.perf_counter() - started)
        cpus.append(cpu() - cpu_started)
    return {"wall_s": statistics.median(walls), "cpu_s": statistics.median(cpus), "walls": walls}


def query_profile(campaign) -> list[tuple[float, str, str]]:
    """(seconds, label, plan) of the queries of one `campaign_statistics` run, each replayed
    and timed to its last row (SQLite streams a GROUP BY that follows an index, so the time
    of `execute` alone says little)."""
    from django.db import connection

    from ducha.reports.statistics import campaign_statistics

    queries = []

    def capture(execute, statement, params, many, context):
        queries.append((statement, params))
        return execute(statement, params, many, context)

    with connection.execute_wrapper(capture):
        campaign_statistics(campaign)
    timings = []
    with connection.cursor() as cursor:
        for statement, params in queries:
            started = time.perf_counter()
            cursor.execute(statement, params)
            cursor.fetchall()
            seconds = time.perf_counter() - started
            cursor.execute("EXPLAIN QUERY PLAN " + statement, params)
            plan = "; ".join(row[-1] for row in cursor.fetchall())
            timings.append((seconds, query_label(statement), plan))
    return timings


def query_label(statement: str) -> str:
    """`table: selected names` — enough to tell the statistics queries apart."""
    table = re.search(r'FROM "(\w+)"', statement)
    names = re.findall(r'AS "(\w+)"', statement)
    return f"{table.group(1) if table else '?'}: {', '.join(names) or 'rows'}"


def cli_env(bytecode_cache: bool) -> dict[str, str]:
    """The environment of `ducha` runs. This sandbox sets PYTHONDONTWRITEBYTECODE=1, so
    without a cache every start compiles Django from source; an installed Ducha has
    its .pyc files. The cache goes beside the database (PYTHONPYCACHEPREFIX)."""
    env = os.environ.copy()
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if bytecode_cache:
        env["PYTHONPYCACHEPREFIX"] = str(Path(env["DUCHA_VAR_DIR"]) / "pycache")
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def run_cli(env: dict[str, str], *argv: str) -> str:
    return subprocess.run([str(DUCHA), *argv], env=env, capture_output=True, text=True, check=True).stdout


CLI_MODES = {"bytecode cached": True, "no bytecode cache": False}


def measure(campaign, args: argparse.Namespace) -> dict:
    from ducha.reports.statistics import campaign_statistics

    campaign_statistics(campaign)  # warm-up
    result = {"in_process": median_time(lambda: campaign_statistics(campaign), args.runs), "cli": {}}
    for mode, cached in CLI_MODES.items():
        env = cli_env(cached)
        total = json.loads(run_cli(env, "stats", "--json"))["total"]  # warm-up, fills the bytecode cache
        assert (total["projects"], total["problems"]) == (args.count["projects"], args.count["problems"]), total
        result["cli"][mode] = {
            "stats": median_time(lambda env=env: run_cli(env, "stats", "--json"), args.cli_runs, children_cpu),
            "startup": median_time(lambda env=env: run_cli(env, "stats", "--help"), args.cli_runs, children_cpu),
        }
    result["queries"] = query_profile(campaign)
    return result


def seconds(t: dict) -> str:
    return f"{t['wall_s']:6.3f} s  (best {min(t['walls']):.3f} s, CPU {t['cpu_s']:.3f} s)"


def print_report(args, loaded: dict | None, phases: dict[str, dict], analyze_s: float, db: Path) -> None:
    log("\n== Figures ==")
    rows = [(name, f"{n:,}") for name, n in args.count.items()]
    if loaded:
        inserted = sum(n for name, n in loaded["rows"].items() if "." in name)  # models, not status moves
        rows.append(("load total (migrate + reference data + ledger)", f"{loaded['total_s']:.1f} s"))
        rows.append(("  of which CPU time of this process", f"{loaded['cpu_s']:.1f} s"))
        for name, secs in loaded["seconds"].items():
            n = loaded["rows"].get(name)
            rows.append((f"  {name}", f"{secs:.1f} s" + (f"  {n:,} rows, {n / secs:,.0f} rows/s" if n else "")))
        ledger_s = loaded["total_s"] - loaded["migrate_s"]
        rows.append(("  objects created per second of load (no change-log rows)", f"{inserted / ledger_s:,.0f}"))
    size = sum(Path(f"{db}{s}").stat().st_size for s in ("", "-wal") if Path(f"{db}{s}").exists())
    rows.append(("database size", f"{size / 2**20:,.0f} MiB"))
    rows.append(("full ANALYZE", f"{analyze_s:.1f} s"))
    rows.append(("machine load average now (1, 5, 15 min)", ", ".join(f"{x:.2f}" for x in os.getloadavg())))
    for label, m in phases.items():
        rows.append((f"stats in-process, median of {args.runs} ({label})", seconds(m["in_process"])))
        for mode, cli in m["cli"].items():
            rows.append((f"ducha stats --json, median of {args.cli_runs} ({label}, {mode})", seconds(cli["stats"])))
            rows.append((f"  start-up alone: ducha stats --help ({label}, {mode})", seconds(cli["startup"])))
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        log(f"{key:<{width}}  {value}")

    labels = list(phases)
    profiles = [phases[label]["queries"] for label in labels]
    last = profiles[-1]
    log(f"\n== The {len(last)} queries of one campaign_statistics run, slowest first (ms; * plan changed) ==")
    log("  ".join(f"{label:>10}" for label in labels) + "  table: selected names")
    for i in sorted(range(len(last)), key=lambda i: -last[i][0])[:10]:
        cells = "  ".join(f"{p[i][0] * 1000:10.1f}" for p in profiles)
        changed = "*" if any(p[i][2] != last[i][2] for p in profiles) else " "
        log(f"{cells} {changed} {last[i][1][:150]}")
        log(f"{'':>{12 * len(profiles)}}  plan: {last[i][2]}")


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    db = args.db.resolve()
    if args.database_url:
        configure(db, fresh=True, url=args.database_url)
        log(f"database: {args.database_url}")
        loaded = load(args)
        log(f"loaded in {loaded['total_s']:.1f} s: " + ", ".join(f"{k} {n:,}" for k, n in loaded["rows"].items()))
        return
    reuse = args.reuse and db.exists()
    configure(db, fresh=not reuse)
    log(f"database: {db}")
    loaded = None if reuse else load(args)

    from campaign import CAMPAIGN_CODE
    from django.db import connection

    from ducha.core.models import ChangeLogEntry
    from ducha.ledger.models import Problem, Project, RectificationStep
    from ducha.org.models import Campaign

    sql("PRAGMA wal_checkpoint(TRUNCATE)")  # readers should not wade through a 1 GB WAL
    campaign = Campaign.objects.get(code=CAMPAIGN_CODE)
    args.count = {
        "projects": Project.objects.count(),
        "problems": Problem.objects.count(),
        "rectification steps": RectificationStep.objects.count(),
        "change-log rows": ChangeLogEntry.objects.count(),
    }
    # Large bulk actions refresh the planner statistics themselves (ducha/core/planner.py,
    # sampled: analysis_limit). Time the figures as loaded, without any statistics, and
    # after a full ANALYZE; a new connection reads sqlite_stat1 afresh.
    phases = {}
    has_stats = bool(sql("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'"))
    if has_stats:
        log("timing the statistics as loaded ...")
        phases["as loaded"] = measure(campaign, args)
        sql("DELETE FROM sqlite_stat1")
        connection.close()
    log("timing the statistics without planner statistics ...")
    phases["no stats"] = measure(campaign, args)
    started = time.perf_counter()
    sql("ANALYZE")
    analyze_s = time.perf_counter() - started
    connection.close()
    log("timing the statistics after a full ANALYZE ...")
    phases["ANALYZE"] = measure(campaign, args)
    print_report(args, loaded, phases, analyze_s, db)


if __name__ == "__main__":
    main()
