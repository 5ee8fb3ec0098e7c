"""Benchmark: the campaign's figures now and as of a past day, counted, cached and recounted
after a change, in-process, through `ducha stats --json` and on the office dashboard.

    .venv/bin/python bench/bench_figures.py [--db var/bench/pages/bench.sqlite3] [--past 2024-08-31]

Needs the 1,000,000-project campaign that bench_stats.py builds (and bench_pages.py adds
supervision records to); migrate it first (`DUCHA_DATABASE_URL=sqlite:///… ducha migrate`).
Issue 9's targets on SQLite on this machine: `ducha stats --json` under 1 s, as of a past
day under 3 s, the office dashboard's first view after a change under 200 ms. A change is
one problem moved by `do_transition_problem` (the office starts its rectification), as a
user does on the problem's page: workflow steps are never undone, so each run moves
another problem, and the database keeps them (use a copy if that matters).
"""

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DUCHA = ROOT / ".venv" / "bin" / "ducha"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=ROOT / "var" / "bench" / "pages" / "bench.sqlite3")
    parser.add_argument("--past", type=dt.date.fromisoformat, default=dt.date(2024, 8, 31))
    parser.add_argument("--runs", type=int, default=5)
    return parser.parse_args()


def configure(db: Path) -> dict[str, str]:
    if not db.exists():
        sys.exit(f"{db} does not exist: run bench/bench_stats.py (and bench_pages.py) first")
    env = {
        "DUCHA_DATABASE_URL": f"sqlite:///{db}",
        "DUCHA_VAR_DIR": str(db.parent),
        "DUCHA_ALLOWED_HOSTS": "testserver",
        "DJANGO_SETTINGS_MODULE": "ducha.settings",
    }
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    import django

    django.setup()
    return {**os.environ, **env}


def median(times: list[float]) -> str:
    return f"{statistics.median(times) * 1000:,.0f} ms (min {min(times) * 1000:,.0f}, max {max(times) * 1000:,.0f})"


def timed(fn, runs: int, before=None) -> list[float]:
    times = []
    for _ in range(runs):
        if before:
            before()
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    args = parse_args()
    env = configure(args.db)
    from bench_pages import bench_users
    from django.core.cache import cache
    from django.test import Client
    from django.urls import reverse

    from ducha.ledger.actions import do_transition_problem
    from ducha.ledger.models import Problem
    from ducha.reports.cache import counted_statistics
    from ducha.reports.statistics import campaign_statistics

    campaign, users = bench_users()
    office = users["bench-office"]
    today = campaign.as_of()
    waiting = iter(
        Problem.objects.filter(campaign=campaign, status="found").order_by("pk").values_list("pk", flat=True)
    )

    def change() -> None:
        problem = Problem.objects.get(pk=next(waiting))
        do_transition_problem(problem, "rectifying", actor=office, measures="重新组织招标（基准测试）")

    rows: list[tuple[str, str]] = []

    def row(label: str, fn, runs: int = args.runs, before=None) -> None:
        rows.append((label, median(timed(fn, runs, before))))
        print(f"  {label}: {rows[-1][1]}", flush=True)

    def recount() -> None:
        _figures, how = counted_statistics(campaign, user=office, today=today)
        assert how == "recounted", how

    def run(*argv: str) -> None:
        subprocess.run([str(DUCHA), *argv], env=env, capture_output=True, check=True)

    past = args.past.isoformat()
    row("count now, in-process (campaign_statistics)", lambda: campaign_statistics(campaign), 3)
    row(f"count as of {past}, in-process (replayed)", lambda: campaign_statistics(campaign, today=args.past), 3)
    counted_statistics(campaign, user=office, today=today)
    row("cached, no change", lambda: counted_statistics(campaign, user=office, today=today))
    row("recount after one change", recount, before=change)

    row("ducha stats --help (start-up alone)", lambda: run("stats", "--help"), 3)
    row("ducha stats --json, cache emptied", lambda: run("stats", "--json"), 3, before=cache.clear)
    row("ducha stats --json, cached", lambda: run("stats", "--json"), 3)
    row("ducha stats --json, after one change", lambda: run("stats", "--json"), 3, before=change)
    as_of = ("stats", "--json", "--as-of", past)
    row(f"ducha stats --json --as-of {past}, cache emptied", lambda: run(*as_of), 3, before=cache.clear)
    row(f"ducha stats --json --as-of {past}, after one change", lambda: run(*as_of), 3, before=change)

    client = Client()
    client.force_login(office)
    home, past_home = reverse("home"), f"{reverse('home')}?as_of={past}"
    client.get(home)
    row("office dashboard, warm", lambda: client.get(home))
    row("office dashboard, first view after one change", lambda: client.get(home), before=change)
    row("office dashboard, cache emptied", lambda: client.get(home), 3, before=cache.clear)
    client.get(past_home)
    row(f"office dashboard as of {past}, first view after one change", lambda: client.get(past_home), 3, before=change)

    width = max(len(label) for label, _ in rows)
    print(f"{Problem.objects.filter(campaign=campaign).count():,} problems; SQLite; {os.cpu_count()} CPUs")
    for label, value in rows:
        print(f"{label:<{width}}  {value}")


if __name__ == "__main__":
    main()
