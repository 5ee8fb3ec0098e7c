"""Load test: 50 users at once on the 1,000,000-project campaign, against a running server.

    bench/bench_pg.sh start                                   # the campaign's PostgreSQL (bench_stats.py loads it)
    .venv/bin/python bench/bench_load.py setup                # users, passwords, tokens, workbooks
    DUCHA_DATABASE_URL=$(bench/bench_pg.sh url) DUCHA_VAR_DIR=var/bench/pg-var ducha serve --port 8765
    .venv/bin/python bench/bench_load.py run --users 50 --seconds 300

`setup` (Django, against the benchmark database) makes the users once through the actions:
the office, a member of each group, the reporters of eight busy units, with a password and
an API token each, and writes what the users will touch (var/bench/load/plan.json: their
problems, projects, workbooks). `run` needs no Django: threads speaking HTTP/1.1 to the server
on loopback (http.client), one per user, each signing in through the sign-in page and then, for
the whole run, picking actions of its role at random with a pause between them (think time),
as people do: page views (dashboards, lists with filters and search, details), API reads,
workflow steps (a unit starts rectifying a problem through its page; an API update with
If-Match), and an import (a 20-row problem workbook uploaded on the import page, checked by
the worker, confirmed and applied, its page polled). Every request's time is kept: per kind
p50/p95/p99, errors (any unexpected status), requests per second. Why threads and not locust:
on two cores shared with the server and PostgreSQL, one light process with exact percentiles
over every sample and no extra event loop; see bench/README.md ("Load").
"""

import argparse
import datetime as dt
import http.client
import json
import os
import random
import re
import sys
import threading
import time
import urllib.parse
import uuid
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench" / "load"
PASSWORD = "bench-load-pw-2024"
IMPORT_ROWS = 20
TARGET_P95_S = 0.5


# -- setup (Django)


def setup(args: argparse.Namespace) -> None:
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    os.environ["DUCHA_DATABASE_URL"] = args.database_url
    os.environ["DUCHA_VAR_DIR"] = str(args.var_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ducha.settings")
    import django

    django.setup()
    from bench_pages import bench_supervision, bench_users
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from ducha.core.access import RoleKind, restrict
    from ducha.core.actions import do_create_object
    from ducha.ledger.choices import ProblemStatus
    from ducha.ledger.models import Problem, Project
    from ducha.org.actions import system_actor
    from ducha.org.models import Assignment, Role, SupervisionGroup
    from ducha.org.tokens import do_create_token

    campaign, pages_users = bench_users()
    bench_supervision(campaign, pages_users)
    system = system_actor()
    specs: dict[str, dict] = {"bench-office": {"kind": RoleKind.OFFICE}}
    for group in SupervisionGroup.objects.filter(campaign=campaign).order_by("pk"):
        specs[f"load-group-{group.code}"] = {"kind": RoleKind.GROUP_MEMBER, "group": group}
        assigned = Assignment.objects.filter(group=group, unit__kind="league").values("unit_id")
        busiest = (
            Problem.objects.filter(campaign=campaign, unit_id__in=assigned)
            .values("unit_id", "unit__code").annotate(n=Count("id")).order_by("-n")[:2]
        )  # fmt: skip
        for row in busiest:
            specs[f"load-unit-{row['unit__code']}"] = {"kind": RoleKind.UNIT_REPORTER, "unit_id": row["unit_id"]}
    rng = random.Random(12)
    tag = dt.datetime.now().strftime("%m%d%H%M")
    OUT.mkdir(parents=True, exist_ok=True)
    plan: dict = {"campaign": campaign.code, "users": {}}
    for name, role in specs.items():
        user, created = get_user_model().objects.get_or_create(username=name)
        if created:
            do_create_object(Role, actor=system, data={"user": user, **role})
        user.set_password(PASSWORD)  # the page's sign-in, every run
        user.save(update_fields=["password"])
        _token, secret = do_create_token(user, actor=system, name="load test", days=1)
        problems = restrict(Problem.objects.filter(campaign=campaign), user)
        projects = restrict(Project.objects.filter(campaign=campaign), user)
        entry = {
            "role": str(role["kind"]),
            "token": secret,
            "problems": _sample_ids(problems, rng, 300),
            "projects": _sample_ids(projects, rng, 300),
        }
        if role["kind"] == RoleKind.GROUP_MEMBER:
            entry["group"] = role["group"].code
        if role["kind"] == RoleKind.UNIT_REPORTER:
            # Disjoint sets: a found problem is started once; rectifying ones are edited (If-Match).
            entry["found"] = _sample_ids(problems.filter(status=ProblemStatus.FOUND), rng, 400)
            entry["rectifying"] = _sample_ids(problems.filter(status=ProblemStatus.RECTIFYING), rng, 200)
            unit = user.role.unit
            entry["workbooks"] = [
                str(_workbook(OUT / f"{name}-{tag}-{i}.xlsx", unit.name, f"LD{tag}-{i:02d}", rng)) for i in range(12)
            ]
        plan["users"][name] = entry
        print(f"{name}: {len(entry['problems'])} problems, {len(entry['projects'])} projects", flush=True)
    (OUT / "plan.json").write_text(json.dumps(plan, ensure_ascii=False, indent=1))
    print(f"wrote {OUT / 'plan.json'}")


def _sample_ids(qs, rng: random.Random, n: int) -> list[int]:
    """Up to n ids spread over the user's records (not the first n of an index)."""
    ids = list(qs.order_by().values_list("pk", flat=True)[:50_000])
    return rng.sample(ids, min(n, len(ids)))


def _workbook(path: Path, unit_name: str, prefix: str, rng: random.Random) -> Path:
    """A unit's small problem ledger in the import layout: new problems of the unit itself."""
    from openpyxl import Workbook

    from ducha.imports.layouts import PROBLEM_COLUMNS

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("问题台账")
    ws.append([c.header for c in PROBLEM_COLUMNS])
    fields = [c.key for c in PROBLEM_COLUMNS]
    for n in range(1, IMPORT_ROWS + 1):
        found = dt.date(2024, 6, 1) + dt.timedelta(days=rng.randint(0, 60))
        row = {
            "seq": n,
            "number": f"{prefix}-{n:03d}",
            "unit": unit_name,
            "description": f"{unit_name}：负载测试导入的问题，第{n}条",
            "discovery_method": "自查",
            "found_on": found.isoformat(),
            "deadline": (found + dt.timedelta(days=60)).isoformat(),
            "status": "待整改",
            "clue": "否",
            "filed": "否",
            "exposed": "否",
            "responsible": "负载测试",
        }
        ws.append([row.get(f, "") for f in fields])
    wb.save(path)
    return path


# -- run (no Django: HTTP only)


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.samples: list[tuple[float, str, float, str | None]] = []  # (ended at, kind, seconds, error)

    def add(self, kind: str, seconds: float, error: str | None) -> None:
        with self.lock:
            self.samples.append((time.time(), kind, seconds, error))


class Refused(Exception):
    pass


class Session:
    """One user's HTTP/1.1 connection with its cookies (session, CSRF)."""

    def __init__(self, host: str, port: int, stats: Stats):
        self.host, self.port, self.stats = host, port, stats
        self.conn = http.client.HTTPConnection(host, port, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(self, kind: str, method: str, path: str, body: bytes | None = None, headers: dict | None = None,
                expect: tuple[int, ...] = (200,)) -> tuple[int, dict, bytes]:  # fmt: skip
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        started = time.perf_counter()
        error = None
        status, got, data = 0, {}, b""
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                status, got = response.status, {k.lower(): v for k, v in response.getheaders()}
                for value in response.headers.get_all("Set-Cookie") or []:
                    name, _, rest = value.partition("=")
                    self.cookies[name.strip()] = rest.split(";", 1)[0]
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as e:
                # a keep-alive connection the server closed between two requests: reconnect once
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
                if attempt == 2:
                    error = f"{type(e).__name__}"
            except OSError as e:
                error = f"{type(e).__name__}: {e}"
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
                break
        elapsed = time.perf_counter() - started
        if error is None and status not in expect:
            error = f"{status} {method} {path}"
        self.stats.add(kind, elapsed, error)
        if error:
            raise Refused(error)
        return status, got, data

    def csrf(self) -> str:
        return self.cookies.get("csrftoken", "")

    def login(self, username: str) -> None:
        _s, _h, page = self.request("sign-in page", "GET", "/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        csrf = token.group(1).decode() if token else ""
        form = {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": csrf}
        self.post_form("sign-in", "/login/", form, expect=(302,))

    def post_form(self, kind: str, path: str, form: dict, expect=(302,)) -> tuple[int, dict, bytes]:
        body = urllib.parse.urlencode({**form, "csrfmiddlewaretoken": self.csrf()}).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded", "X-CSRFToken": self.csrf()}
        return self.request(kind, "POST", path, body, headers, expect)

    def post_file(self, kind: str, path: str, fields: dict, name: str, content: bytes, expect=(302,)):
        boundary = uuid.uuid4().hex
        parts = []
        for key, value in {**fields, "csrfmiddlewaretoken": self.csrf()}.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode())
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n".encode()
        )
        body = b"".join(parts) + content + f"\r\n--{boundary}--\r\n".encode()
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}", "X-CSRFToken": self.csrf()}
        return self.request(kind, "POST", path, body, headers, expect)

    def api(self, kind: str, method: str, path: str, token: str, body: dict | None = None, headers=None, expect=(200,)):
        h = {"Authorization": f"Bearer {token}", "Accept": "application/json", **(headers or {})}
        data = None
        if body is not None:
            data = json.dumps(body, ensure_ascii=False).encode()
            h["Content-Type"] = "application/json"
        return self.request(kind, method, f"/api/v1/{path}", data, h, expect)


class User:
    """One simulated user: its role's actions, weighted, with think time between them."""

    def __init__(self, name: str, entry: dict, session: Session, rng: random.Random, args):
        self.name, self.entry, self.s, self.rng, self.args = name, entry, session, rng, args
        self.token = entry["token"]
        role = entry["role"]
        common = [
            (self.dashboard, 2),
            (self.problem_list, 3),
            (self.problem_search, 1),
            (self.project_list, 2),
            (self.problem_detail, 3),
            (self.project_detail, 1),
            (self.api_problem_list, 2),
            (self.api_problem_detail, 2),
            (self.api_project_list, 1),
        ]
        if role == "unit_reporter":
            common += [(self.workflow_start, 1), (self.api_update, 1)]
        self.actions = [a for a, _w in common]
        self.weights = [w for _a, w in common]

    def pick(self, key: str) -> int:
        return self.rng.choice(self.entry[key])

    def run(self, until: float) -> None:
        self.s.login(self.name)
        importer = self.entry.get("workbooks") and self.args.importers > 0
        next_import = time.time() + self.rng.uniform(5, 60) if importer else float("inf")
        while time.time() < until:
            try:
                if time.time() >= next_import and self.entry["workbooks"]:
                    self.import_workbook(until)
                    next_import = time.time() + self.args.import_every
                else:
                    self.rng.choices(self.actions, self.weights)[0]()
            except Refused:
                pass  # counted; the user goes on
            time.sleep(self.rng.uniform(*self.args.think))

    # pages
    def dashboard(self):
        self.s.request("page: dashboard", "GET", "/")

    def problem_list(self):
        filters = self.rng.choice(
            ["domain=engineering&state=open", "status=signed_off", "state=open&overdue=true", "domain=procurement"]
        )
        if "group" in self.entry:
            filters += f"&group={self.entry['group']}"
        self.s.request("page: problem list, filtered", "GET", f"/problems/?{filters}&page={self.rng.randint(1, 5)}")

    def problem_search(self):
        q = urllib.parse.quote(self.rng.choice(["工程", "采购", "围标", "整改"]))
        self.s.request("page: problem list, search + sort", "GET", f"/problems/?q={q}&state=open&sort=-deadline")

    def project_list(self):
        filters = self.rng.choice(["domain=procurement", "domain=engineering&sampled=true", "q=%E5%AD%A6%E6%A0%A1"])
        self.s.request("page: project list, filtered", "GET", f"/projects/?{filters}&page={self.rng.randint(1, 5)}")

    def problem_detail(self):
        self.s.request("page: problem detail", "GET", f"/problems/{self.pick('problems')}/")

    def project_detail(self):
        self.s.request("page: project detail", "GET", f"/projects/{self.pick('projects')}/")

    # API reads
    def api_problem_list(self):
        page = self.rng.randint(1, 5)
        self.s.api("api: problem list", "GET", f"problems/?state=open&page={page}&page_size=50", self.token)

    def api_problem_detail(self):
        self.s.api("api: problem detail", "GET", f"problems/{self.pick('problems')}/", self.token)

    def api_project_list(self):
        page = self.rng.randint(1, 5)
        self.s.api("api: project list", "GET", f"projects/?domain=engineering&page={page}", self.token)

    # workflow steps and writes
    def workflow_start(self):
        """The unit starts rectifying a found problem on its page (measures required)."""
        if not self.entry["found"]:
            return self.problem_detail()
        pk = self.entry["found"].pop()
        self.s.request("page: problem detail", "GET", f"/problems/{pk}/")
        form = {"measures": "负载测试：制定整改方案，明确责任人和完成时限。"}
        self.s.post_form("write: workflow step (page)", f"/problems/{pk}/to/rectifying/", form)

    def api_update(self):
        """Read a problem's ETag, then update it with If-Match (the lost-update guard)."""
        pk = self.pick("rectifying")
        _s, headers, _b = self.s.api("api: problem detail", "GET", f"problems/{pk}/", self.token)
        body = {"responsible": f"负载测试{self.rng.randint(1, 999)}"}
        self.s.api("write: api update (If-Match)", "PATCH", f"problems/{pk}/", self.token, body,
                   {"If-Match": headers.get("etag", "")})  # fmt: skip

    def import_workbook(self, until: float):
        """Upload, let the worker check it, confirm, let it apply; the job's page polled each second."""
        path = Path(self.entry["workbooks"].pop())
        _s, headers, _b = self.s.post_file(
            "write: import upload", "/imports/", {"kind": "problems"}, path.name, path.read_bytes()
        )
        job = headers["location"].rstrip("/").rsplit("/", 1)[-1]
        started = time.perf_counter()
        if self.wait_job(job, until) != "done":
            self.s.stats.add("import: checked and applied", time.perf_counter() - started, f"dry run {job} failed")
            return
        _s, headers, _b = self.s.post_form("write: import confirm", f"/imports/{job}/confirm/", {})
        real = headers["location"].rstrip("/").rsplit("/", 1)[-1]
        status = self.wait_job(real, until)
        error = None if status == "done" else f"import {real} {status}"
        self.s.stats.add("import: checked and applied", time.perf_counter() - started, error)

    def wait_job(self, job: str, until: float) -> str:
        while time.time() < until + 60:
            _s, _h, body = self.s.request("page: import job progress", "GET", f"/imports/{job}/progress/")
            status = re.search(rb'class="job-(\w+)" data-testid="job-status"', body)
            if status and status.group(1) in (b"done", b"failed"):
                return status.group(1).decode()
            time.sleep(1)
        return "timeout"


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of sorted values."""
    if not sorted_values:
        return 0.0
    rank = max(1, -(-len(sorted_values) * p // 100))
    return sorted_values[int(rank) - 1]


def run(args: argparse.Namespace) -> None:
    plan = json.loads((OUT / "plan.json").read_text())
    names = list(plan["users"])
    rng = random.Random(args.seed)
    stats = Stats()
    # Users: the office and group members by the share of the accounts, the rest unit reporters.
    roster = [names[i % len(names)] for i in range(args.users)]
    # The users sign in one by one over the ramp (a sign-in hashes the password: ~0.5 s of a
    # core), then all of them work for `seconds`: that window is what is measured.
    started = time.time()
    measured_from = started + args.ramp
    until = measured_from + args.seconds
    threads = []
    importers = [n for n in names if plan["users"][n].get("workbooks")][: args.importers]
    for i, name in enumerate(roster):
        entry = dict(plan["users"][name])
        entry["found"] = list(entry.get("found", []))[i :: max(1, roster.count(name))]
        entry["workbooks"] = list(entry.get("workbooks", [])) if name in importers and roster.index(name) == i else []
        user = User(name, entry, Session(args.host, args.port, stats), random.Random(rng.random()), args)
        t = threading.Thread(target=user.run, args=(until,), daemon=True)
        t.start()
        threads.append(t)
        time.sleep(args.ramp / max(1, args.users))
    for t in threads:
        t.join(timeout=args.seconds + args.ramp + 180)
    print(f"sign-ins during the {args.ramp:.0f} s ramp:")
    report(stats, 0, time.time(), args, save=False, kinds=("sign-in", "sign-in page"))
    report(stats, measured_from, until, args)


def report(stats: Stats, start: float, end: float, args, save: bool = True, kinds: tuple = ()) -> None:
    """Per kind of request: count, errors, p50/p95/p99 of what ended between start and end
    (an import's flow is counted whole when it ended in the window; not one request)."""
    times: dict[str, list[float]] = defaultdict(list)
    errors_of: dict[str, list[str]] = defaultdict(list)
    for at, kind, seconds, error in stats.samples:
        if start <= at <= end + (120 if kind.startswith("import") else 0) and (not kinds or kind in kinds):
            times[kind].append(seconds)
            if error:
                errors_of[kind].append(error)
    wall = min(end, time.time()) - start if save else 1.0
    rows = []
    every: list[float] = []
    for kind in sorted(times):
        values = sorted(times[kind])
        if kind != "import: checked and applied":  # a whole flow of several requests, not one request
            every += values
        rows.append((kind, len(values), len(errors_of[kind]), *(percentile(values, p) for p in (50, 95, 99))))
    every.sort()
    errors = sum(len(e) for e in errors_of.values())
    requests_n = len(every)
    rows.append(("all requests", requests_n, errors, *(percentile(every, p) for p in (50, 95, 99))))
    if save:
        print(f"\n{args.users} users, {wall:.0f} s measured, think time {args.think[0]}–{args.think[1]} s; "
              f"{requests_n / wall:.1f} requests/s; errors {errors}")  # fmt: skip
    print(f"{'kind':40} {'n':>7} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for kind, n, e, p50, p95, p99 in rows:
        print(f"{kind:40} {n:7d} {e:6d} {p50 * 1000:8.0f} {p95 * 1000:8.0f} {p99 * 1000:8.0f}")
    for kind, errs in errors_of.items():
        for e in errs[:5]:
            print(f"  error ({kind}): {e}")
    if not save:
        return
    p95 = percentile(every, 95)
    print(f"\np95 of all requests {p95 * 1000:.0f} ms: {'met' if p95 < TARGET_P95_S else 'MISSED'} (target 500 ms)")
    result = {
        "users": args.users, "seconds": wall, "think": args.think, "requests_per_s": requests_n / wall,
        "errors": {k: v for k, v in errors_of.items() if v},
        "kinds": {r[0]: dict(zip(("n", "errors", "p50", "p95", "p99"), r[1:], strict=True)) for r in rows},
        "load_average": os.getloadavg(),
    }  # fmt: skip
    out = OUT / f"result-{dt.datetime.now():%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1))
    print(f"wrote {out}")


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("setup")
    s.add_argument("--database-url", default="postgres://postgres@127.0.0.1:55471/ducha")
    s.add_argument("--var-dir", type=Path, default=ROOT / "var" / "bench" / "pg-var")
    r = sub.add_parser("run")
    r.add_argument("--host", default="127.0.0.1")
    r.add_argument("--port", type=int, default=8765)
    r.add_argument("--users", type=int, default=50)
    r.add_argument("--seconds", type=int, default=300)
    r.add_argument("--ramp", type=float, default=60.0, help="seconds over which the users sign in (not measured)")
    r.add_argument("--think", type=float, nargs=2, default=(2.0, 8.0), help="pause between actions (uniform, s)")
    r.add_argument("--importers", type=int, default=2, help="unit reporters that import a workbook now and then")
    r.add_argument("--import-every", type=float, default=60.0, help="seconds between one importer's imports")
    r.add_argument("--seed", type=int, default=1)
    return parser.parse_args(argv)


if __name__ == "__main__":
    arguments = parse_args()
    setup(arguments) if arguments.command == "setup" else run(arguments)
