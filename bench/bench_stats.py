"""Benchmark: load a large campaign through the change-logged bulk action, then time the statistics.

    .venv/bin/python bench/bench_stats.py [--projects 1000000] [--problems 200000] [--db PATH]

Creates a fresh SQLite database (default var/bench/bench.sqlite3), migrates it, loads
the reference data, a campaign with its four groups and 32 assigned units, the projects,
problems and dispositions (fixed seed), then times `campaign_statistics` in-process and
the `ducha stats --json` command, before and after SQLite's ANALYZE. See bench/README.md.
"""

import argparse
import json
import os
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
    parser.add_argument("--reuse", action="store_true", help="keep an existing database; only time the statistics")
    parser.add_argument("--runs", type=int, default=5, help="in-process runs after one warm-up (median)")
    parser.add_argument("--cli-runs", type=int, default=3, help="`ducha stats --json` runs (median)")
    return parser.parse_args(argv)


def log(message: str = "") -> None:
    print(message, flush=True)


def configure(db: Path, fresh: bool) -> None:
    """Point Ducha at the benchmark database; must run before django.setup()."""
    db.parent.mkdir(parents=True, exist_ok=True)
    if fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
    os.environ["DUCHA_DATABASE_URL"] = f"sqlite:///{db}"
    os.environ["DUCHA_VAR_DIR"] = str(db.parent)  # secret key, evidence: beside the benchmark database
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


def median_time(fn, runs: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), times


def query_profile(campaign) -> list[tuple[float, str, tuple]]:
    """The queries of one `campaign_statistics` run, each replayed and timed to its last row
    (SQLite streams a GROUP BY that follows an index, so `execute` alone says little)."""
    from django.db import connection

    from ducha.reports.statistics import campaign_statistics

    queries = []

    def capture(execute, sql, params, many, context):
        queries.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        campaign_statistics(campaign)
    timings = []
    with connection.cursor() as cursor:
        for statement, params in queries:
            started = time.perf_counter()
            cursor.execute(statement, params)
            cursor.fetchall()
            timings.append((time.perf_counter() - started, statement, params))
    return timings


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
    in_process, in_runs = median_time(lambda: campaign_statistics(campaign), args.runs)
    result = {"in_process_s": in_process, "in_process_runs": in_runs, "cli": {}}
    for mode, cached in CLI_MODES.items():
        env = cli_env(cached)
        total = json.loads(run_cli(env, "stats", "--json"))["total"]  # warm-up, fills the bytecode cache
        assert (total["projects"], total["problems"]) == (args.count["projects"], args.count["problems"]), total
        cli, cli_runs = median_time(lambda env=env: run_cli(env, "stats", "--json"), args.cli_runs)
        startup, _ = median_time(lambda env=env: run_cli(env, "stats", "--help"), args.cli_runs)
        result["cli"][mode] = {"median_s": cli, "runs": cli_runs, "startup_s": startup}
    result["queries"] = query_profile(campaign)
    return result


def print_report(args, loaded: dict | None, phases: dict[str, dict], analyze_s: float, db: Path) -> None:
    from django.db import connection

    log("\n== Figures ==")
    rows = [(name, f"{n:,}") for name, n in args.count.items()]
    if loaded:
        inserted = sum(loaded["rows"].values())
        rows.append(("load total (migrate + reference data + ledger)", f"{loaded['total_s']:.1f} s"))
        rows.append(("  of which CPU time of this process", f"{loaded['cpu_s']:.1f} s"))
        for name, secs in loaded["seconds"].items():
            n = loaded["rows"].get(name)
            rows.append((f"  {name}", f"{secs:.1f} s" + (f"  {n:,} rows, {n / secs:,.0f} rows/s" if n else "")))
        ledger_s = loaded["total_s"] - loaded["migrate_s"]
        rows.append(("  rows/s overall (objects, excluding change log)", f"{inserted / ledger_s:,.0f}"))
    size = sum(Path(f"{db}{s}").stat().st_size for s in ("", "-wal") if Path(f"{db}{s}").exists())
    rows.append(("database size", f"{size / 2**20:,.0f} MiB"))
    rows.append(("ANALYZE", f"{analyze_s:.1f} s"))
    for label, m in phases.items():
        rows.append((f"stats in-process, median of {args.runs} ({label})", f"{m['in_process_s']:.3f} s"))
        for mode, cli in m["cli"].items():
            rows.append(
                (f"ducha stats --json, median of {args.cli_runs} ({label}, {mode})", f"{cli['median_s']:.3f} s")
            )
            rows.append((f"  start-up alone: ducha stats --help ({label}, {mode})", f"{cli['startup_s']:.3f} s"))
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        log(f"{key:<{width}}  {value}")

    log("\n== Queries of one campaign_statistics run, slowest first (ms) ==")
    labels = list(phases)
    profiles = [phases[label]["queries"] for label in labels]
    log("  ".join(f"{label:>14}" for label in labels) + "  query")
    order = sorted(range(len(profiles[-1])), key=lambda i: -profiles[-1][i][0])
    for i in order[:12]:
        cells = "  ".join(f"{p[i][0] * 1000:14.1f}" for p in profiles if i < len(p))
        log(f"{cells}  {' '.join(profiles[-1][i][1].split())[:160]}")
    log(f"({len(profiles[-1])} queries)")
    log("\n== EXPLAIN QUERY PLAN of the three slowest ==")
    for i in order[:3]:
        _, statement, params = profiles[-1][i]
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + statement, params)
            plan = [row[-1] for row in cursor.fetchall()]
        log(f"- {' '.join(statement.split())[:100]} ...")
        for step in plan:
            log(f"    {step}")


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    db = args.db.resolve()
    reuse = args.reuse and db.exists()
    configure(db, fresh=not reuse)
    log(f"database: {db}")
    loaded = None if reuse else load(args)

    from campaign import CAMPAIGN_CODE
    from django.db import connection

    from ducha.core.models import ChangeLogEntry
    from ducha.ledger.models import Problem, Project
    from ducha.org.models import Campaign

    sql("PRAGMA wal_checkpoint(TRUNCATE)")  # readers should not wade through a 1 GB WAL
    campaign = Campaign.objects.get(code=CAMPAIGN_CODE)
    args.count = {
        "projects": Project.objects.count(),
        "problems": Problem.objects.count(),
        "change-log rows": ChangeLogEntry.objects.count(),
    }
    phases = {}
    analysed = bool(sql("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'"))
    if not analysed:
        log("timing the statistics without ANALYZE ...")
        phases["no ANALYZE"] = measure(campaign, args)
    started = time.perf_counter()
    sql("ANALYZE")
    analyze_s = time.perf_counter() - started
    connection.close()  # a new connection reads the fresh sqlite_stat1
    log("timing the statistics after ANALYZE ...")
    phases["ANALYZE"] = measure(campaign, args)
    print_report(args, loaded, phases, analyze_s, db)


if __name__ == "__main__":
    main()
