"""A campaign-wide sampling draw at 1,000,000 projects through the job path, as the pages
run it: the office posts the draw form (the request queues a SamplingJob), the worker's
own `run_task` runs the queued task, the job tells its steps (population read, sample
drawn, inspections recorded: count and seconds each); then the draw's page and the job's
page are timed, and the draw's check runs as a job too. Wall time per step and the
process's peak RSS are printed.

Needs the database bench_pages.py uses (var/bench/pages/bench.sqlite3, 1,000,000 projects).
It is never written: it is copied to --db first (every run, unless --reuse), migrated
there, and the draw recorded in the copy.

    .venv/bin/python bench/bench_sampling.py
    .venv/bin/python bench/bench_sampling.py --proportion 10 --minimum 5 --seed bench-2
"""

import argparse
import resource
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_pages  # noqa: E402  (configure, bench_users, timed: one way of reaching the benchmark campaign)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=ROOT / "var" / "bench" / "pages" / "bench.sqlite3")
    parser.add_argument("--db", type=Path, default=ROOT / "var" / "bench" / "sampling" / "bench.sqlite3")
    parser.add_argument("--reuse", action="store_true", help="draw again in the copy left by the last run")
    parser.add_argument("--proportion", default="5", help="percent (default 5)")
    parser.add_argument("--minimum", default="5")
    parser.add_argument("--seed", default="bench-1")
    parser.add_argument("--runs", type=int, default=15, help="requests per page timed (median counts)")
    return parser.parse_args()


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # (KiB on Linux)


def copy_source(source: Path, db: Path) -> None:
    if source.resolve() == db.resolve():
        sys.exit("--db must not be the source: the source is never written")
    db.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    shutil.copyfile(source, db)
    for kept in ("secret_key",):  # the source's site key: its sessions' signing
        if (source.parent / kept).exists():
            shutil.copyfile(source.parent / kept, db.parent / kept)
    print(f"copied {source} → {db} in {time.perf_counter() - start:.1f} s")


def run_queued_task() -> float:
    """Run the one queued task with the worker's own run_task (as `ducha db_worker`); seconds."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    worker = Worker(
        queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
        max_tasks=None, worker_id="bench", excluded_queue_names=[],
    )  # fmt: skip
    results = list(DBTaskResult.objects.ready())
    assert len(results) == 1, f"{len(results)} tasks queued"
    start = time.perf_counter()
    results[0].claim("bench")
    worker.run_task(results[0])
    return time.perf_counter() - start


def show_job(job, wall: float) -> None:
    from ducha.web.sampling_job_views import steps_in_words

    job.refresh_from_db()
    print(f"  {job.get_kind_display()} #{job.pk}: {job.status}, {job.message}")
    for what, seconds in steps_in_words(job):
        print(f"    {seconds:7.2f} s  {what}")
    print(
        f"    {wall:7.2f} s  the task, end to end (status, steps, change log included); peak RSS {peak_mib():,.0f} MiB"
    )


def main() -> None:
    args = parse_args()
    if not args.reuse:
        copy_source(args.source, args.db)
    bench_pages.configure(args.db)
    from django.core.management import call_command
    from django.test import Client
    from django.utils import translation

    from ducha.imports.models import JobStatus, SamplingJob
    from ducha.ledger.models import Project

    call_command("migrate", verbosity=0)
    translation.activate("zh-hans")
    campaign, users = bench_pages.bench_users()
    clients = {}
    for name, user in users.items():
        clients[name] = Client()
        clients[name].force_login(user)
    office = clients["bench-office"]
    population = Project.objects.filter(campaign=campaign, self_inspected=True, sampled=False).count()
    print(f"database {args.db} ({campaign}): {population:,} projects self-inspected, not yet sampled")

    form = {"covers": "all", "proportion": args.proportion, "minimum": args.minimum, "weighting": "none",
            "seed": args.seed}  # fmt: skip
    start = time.perf_counter()
    posted = office.post("/sampling/", form)
    asked = time.perf_counter() - start
    assert posted.status_code == 302 and "/sampling/jobs/" in posted["Location"], posted.status_code
    job = SamplingJob.objects.order_by("-pk").first()
    print(f"\nthe draw form posted, the job queued: {asked * 1000:.0f} ms")
    show_job(job, run_queued_task())
    assert job.status == JobStatus.DONE, job.message
    draw = job.draw

    print(f"\npages (median of {args.runs}, max)")
    pages = [
        ("draw's page, office", office, f"/sampling/{draw.pk}/"),
        ("draw's page, page 20 of the sample", office, f"/sampling/{draw.pk}/?page=20"),
        ("job's page, office", office, f"/sampling/jobs/{job.pk}/"),
        ("sampling index, office", office, "/sampling/"),
    ]
    for label, client, url in pages:
        t = bench_pages.timed(client, url, args.runs)
        flag = "" if t["median"] < 0.2 else "  over 200 ms"
        print(f"  {label:40} {t['median'] * 1000:7.1f} ms {t['max'] * 1000:7.1f} ms{flag}", flush=True)

    print("\nthe draw's check, as a job")
    checked = office.post(f"/sampling/{draw.pk}/check/")
    assert checked.status_code == 302, checked.status_code
    show_job(SamplingJob.objects.order_by("-pk").first(), run_queued_task())
    draw.refresh_from_db()
    print(f"  recorded on the draw: checked {draw.checked_at:%H:%M:%S}, holds {draw.holds}")


if __name__ == "__main__":
    main()
