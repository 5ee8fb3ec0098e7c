"""Server time of the busiest pages on the benchmark campaign (1,000,000 projects,
200,000 problems): the problem list (filtered, paginated), a problem's page, the
three dashboards and the supervision work's pages. Target: median under 300 ms on SQLite
on this machine.

Needs the database bench_stats.py builds (default var/bench/bench.sqlite3):

    .venv/bin/python bench/bench_stats.py            # once: builds and times the statistics
    .venv/bin/python bench/bench_pages.py            # then: times the pages

Each page is requested through Django's test client in this process (full middleware,
view, queries, template; no network), `--runs` times after one warm-up; the median is
what counts. Dashboards are timed warm (statistics cached for the current change-log
head, as every request between two changes sees them) and cold (cache emptied before each
request, as the first request after a change sees them).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_PASSWORD = "bench-pages-pw"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=ROOT / "var" / "bench" / "bench.sqlite3")
    parser.add_argument("--runs", type=int, default=15)
    return parser.parse_args()


def configure(db: Path) -> None:
    if not db.exists():
        sys.exit(f"{db} does not exist: run bench/bench_stats.py first")
    os.environ["DUCHA_DATABASE_URL"] = f"sqlite:///{db}"
    os.environ["DUCHA_VAR_DIR"] = str(db.parent)
    os.environ["DUCHA_ALLOWED_HOSTS"] = "testserver"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ducha.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def bench_users():
    """An office user, a member of the first group and the reporter of its busiest unit,
    created once through the actions."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from ducha.core.access import RoleKind
    from ducha.core.actions import do_create_object
    from ducha.ledger.models import Problem
    from ducha.org.actions import system_actor
    from ducha.org.models import Assignment, Role, SupervisionGroup, active_campaign

    campaign = active_campaign()
    group = SupervisionGroup.objects.filter(campaign=campaign).order_by("pk").first()
    assigned = Assignment.objects.filter(group=group).values("unit_id")
    busiest = (
        Problem.objects.filter(campaign=campaign, unit_id__in=assigned)
        .values("unit_id").annotate(n=Count("id")).order_by("-n").first()
    )  # fmt: skip
    specs = {
        "bench-office": {"kind": RoleKind.OFFICE},
        "bench-group": {"kind": RoleKind.GROUP_MEMBER, "group": group},
        "bench-unit": {"kind": RoleKind.UNIT_REPORTER, "unit_id": busiest["unit_id"]},
    }
    users = {}
    system = system_actor()
    for name, role in specs.items():
        user, created = get_user_model().objects.get_or_create(username=name)
        if created:
            user.set_password(BENCH_PASSWORD)
            user.save()
            do_create_object(Role, actor=system, data={"user": user, **role})
        users[name] = user
    return campaign, users


def bench_supervision(campaign, users) -> None:
    """The supervision work of a campaign run, once, through the actions: every assigned
    unit's weekly report each week (every seventh late, the busiest unit's last four missing),
    each group's report, two phone contacts per unit and week, a reminder letter per group
    and month to its units. The dashboards' supervision figures and the lagging ranking read them."""
    import datetime as dt

    from django.db import transaction

    from ducha.org.actions import system_actor
    from ducha.org.models import Assignment
    from ducha.supervision.models import Contact, UnitWeeklyReport
    from ducha.supervision.models.weekly import ReportingSchedule
    from ducha.supervision.weeks import reporting_weeks

    if UnitWeeklyReport.objects.filter(campaign=campaign).exists():
        return
    system = system_actor()
    weeks = reporting_weeks(ReportingSchedule.for_campaign(campaign), until=campaign.as_of())
    assigned = list(Assignment.objects.filter(campaign=campaign, unit__parent__isnull=True).select_related("group"))
    lagging = users["bench-unit"].role.unit_id
    late = dt.timedelta(hours=30)
    reports, contacts = [], []
    for i, a in enumerate(assigned):
        for j, w in enumerate(weeks):
            if not (a.unit_id == lagging and j >= len(weeks) - 4):
                at = w.unit_due + (late if (i + j) % 7 == 0 else -dt.timedelta(hours=2))
                reports.append(
                    UnitWeeklyReport(
                        campaign=campaign,
                        unit_id=a.unit_id,
                        group=a.group,
                        week_starts=w.starts,
                        submitted_at=at,
                        narrative="本周进展",
                    )
                )
            contacts += [Contact(campaign=campaign, group=a.group, unit_id=a.unit_id, kind="phone",
                                 contacted_on=w.starts + dt.timedelta(days=d), supervisor="督导员",
                                 content="电话了解进展") for d in (0, 2)]  # fmt: skip
    with transaction.atomic():  # all or nothing: a second run finds it done
        _create_supervision(campaign, system, weeks, assigned, reports, contacts)


def _create_supervision(campaign, system, weeks, assigned, reports, contacts) -> None:
    import datetime as dt

    from ducha.core.actions import do_bulk_create_objects
    from ducha.org.models import SupervisionGroup
    from ducha.supervision.models import GroupWeeklyReport, Letter, LetterRecipient

    do_bulk_create_objects(reports, actor=system)
    in_run = [c for c in contacts if campaign.starts_on <= c.contacted_on <= campaign.as_of()]
    do_bulk_create_objects(in_run, actor=system)
    groups = list(SupervisionGroup.objects.filter(campaign=campaign))
    do_bulk_create_objects(
        [GroupWeeklyReport(campaign=campaign, group=g, week_starts=w.starts, submitted_at=w.group_due,
                           narrative="本组本周进展") for g in groups for w in weeks],
        actor=system,
    )  # fmt: skip
    letters = [Letter(campaign=campaign, group=g, kind="reminder", title=f"提醒函 {w.ends:%Y-%m}", points="加快整改",
                      issued_on=w.ends, respond_by=w.ends + dt.timedelta(days=10), issued_by=system)
               for g in groups for w in weeks[1::4] if w.ends <= campaign.as_of()]  # fmt: skip
    do_bulk_create_objects(letters, actor=system)
    letters = list(Letter.objects.filter(campaign=campaign))
    do_bulk_create_objects(
        [LetterRecipient(letter=letter, unit_id=a.unit_id) for letter in letters for a in assigned
         if a.group_id == letter.group_id],
        actor=system,
    )  # fmt: skip


def timed(client, url: str, runs: int, before=None) -> dict:
    client.get(url)  # warm-up
    samples = []
    for _ in range(runs):
        if before:
            before()
        start = time.perf_counter()
        response = client.get(url)
        samples.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    return {"median": statistics.median(samples), "max": max(samples)}


def main() -> None:
    args = parse_args()
    configure(args.db)
    from django.core.cache import cache
    from django.test import Client

    from ducha.core.access import restrict
    from ducha.ledger.models import Problem

    campaign, users = bench_users()
    bench_supervision(campaign, users)
    clients = {}
    for name, user in users.items():
        clients[name] = Client()
        clients[name].force_login(user)
    office = clients["bench-office"]
    problem = restrict(Problem.objects.filter(campaign=campaign), users["bench-unit"]).order_by("pk").first()
    group = users["bench-group"].role.group.code
    search_url = f"/problems/?group={group}&overdue=true&q=工程&sort=-deadline"
    pages = [
        ("problem list, filtered, page 3", office, "/problems/?domain=engineering&state=open&page=3", None),
        ("problem list, filters + search, sorted", office, search_url, None),
        ("problem list, unit reporter", clients["bench-unit"], "/problems/?status=signed_off&page=2", None),
        ("problem detail", office, f"/problems/{problem.pk}/", None),
        ("problem detail, unit reporter", clients["bench-unit"], f"/problems/{problem.pk}/", None),
        ("dashboard office, warm", office, "/", None),
        ("dashboard group, warm", clients["bench-group"], "/", None),
        ("dashboard unit, warm", clients["bench-unit"], "/", None),
        ("dashboard office, cold (cache emptied)", office, "/", cache.clear),
        ("dashboard group, cold (cache emptied)", clients["bench-group"], "/", cache.clear),
        ("dashboard unit, cold (cache emptied)", clients["bench-unit"], "/", cache.clear),
        ("weekly report submission page, unit", clients["bench-unit"], "/unit-weekly-reports/add/", None),
        ("missing weekly reports, office", office, "/weekly-reports/missing/", None),
        ("unit weekly reports, late", office, "/unit-weekly-reports/?timeliness=late", None),
        ("unit weekly reports, group member", clients["bench-group"], "/unit-weekly-reports/", None),
        ("contacts, phone, of a group (office)", office, f"/contacts/?group={group}&kind=phone", None),
        ("contact compliance, group member", clients["bench-group"], "/contact-compliance/", None),
        ("letter responses overdue (office)", office, "/letter-recipients/?overdue=true", None),
        ("complaints (office)", office, "/complaints/", None),
    ]  # fmt: skip
    print(f"database {args.db}  ({campaign})  runs per page: {args.runs}\n")
    print(f"{'page':48} {'median':>9} {'max':>9}")
    for label, client, url, before in pages:
        t = timed(client, url, args.runs, before)
        flag = "" if t["median"] < 0.3 else "  over 300 ms"
        print(f"{label:48} {t['median'] * 1000:7.1f}ms {t['max'] * 1000:7.1f}ms{flag}", flush=True)


if __name__ == "__main__":
    main()
