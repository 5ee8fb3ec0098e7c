"""Time of the campaign summary report (issue 9: under 3 s on the demo, under 15 s at
1,000,000 projects): the content from the statistics and the narratives, the Word file,
the HTML file, as of the campaign's day and as of a past day, each the median of
`--runs` after one warm-up, in this process (no cache: every run computes the figures).

    DUCHA_VAR_DIR=/tmp/demo .venv/bin/python -m ducha demo --no-serve   # a demo database
    .venv/bin/python bench/bench_summary.py --db /tmp/demo/ducha.sqlite3
    .venv/bin/python bench/bench_summary.py --db var/bench/bench.sqlite3 --past 2024-08-31

The database must be migrated (`ducha migrate`); the script only reads it.
"""

import argparse
import datetime as dt
import io
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="the SQLite database")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--past", type=dt.date.fromisoformat, default=dt.date(2024, 8, 31), help="a past day")
    return parser.parse_args()


def configure(db: Path) -> None:
    if not db.exists():
        sys.exit(f"{db} does not exist")
    os.environ["DUCHA_DATABASE_URL"] = f"sqlite:///{db.resolve()}"
    os.environ["DUCHA_VAR_DIR"] = str(db.resolve().parent)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ducha.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def median_seconds(work, runs: int) -> float:
    work()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    args = parse_args()
    configure(args.db)
    from ducha.org.models import active_campaign
    from ducha.reports.models import Narrative
    from ducha.reports.summary.content import build_summary
    from ducha.reports.summary.docx import write_docx
    from ducha.reports.summary.html import render_document

    campaign = active_campaign()
    if campaign is None:
        sys.exit("no active campaign in this database")
    from ducha.ledger.models import Problem, Project

    print(f"{args.db}: {Project.objects.count():,} projects, {Problem.objects.count():,} problems, "
          f"{Narrative.objects.count()} narratives")  # fmt: skip
    for label, day in (("campaign's day", None), (f"as of {args.past}", args.past)):
        summary = build_summary(campaign, as_of=day)
        build = median_seconds(lambda day=day: build_summary(campaign, as_of=day), args.runs)
        word = median_seconds(lambda summary=summary: write_docx(summary, io.BytesIO()), args.runs)
        html = median_seconds(lambda summary=summary: render_document(summary), args.runs)
        print(f"{label:>22}: content {build:.3f} s, Word {word:.3f} s, HTML {html:.3f} s; "
              f"report total {build + word:.3f} s (docx), {build + html:.3f} s (html)")  # fmt: skip


if __name__ == "__main__":
    main()
