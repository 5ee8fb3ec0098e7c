"""The three-way comparison's pages: upload the three synthetic sources → the job (run as
the worker runs it) → summary, downloads, findings with filters → chosen findings turned
into problems; who sees and may do what; a bad file refused at its field; a run whose
file is not a workbook fails and says why."""

import csv
import io
import json

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ducha.analyses.models import Comparison, ComparisonFinding
from ducha.analyses.tests import sources
from ducha.imports.models import JobStatus
from ducha.ledger.models import Problem, ProblemItem
from ducha.web.tests.helpers import by_testid, form_fields, page, run_jobs, text


@pytest.fixture(autouse=True)
def _var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"


@pytest.fixture
def group_s(site):
    return sources.add_state_property_group(site, get_user_model())


def post_files(client, files=None, **fields):
    files = files or sources.files()
    data = {kind: SimpleUploadedFile(name, content) for kind, (name, content) in files.items()}
    return client.post(reverse("comparison-new"), {**data, "window_days": 180, "price_floor": 90, **fields})


def ran(client, files=None) -> Comparison:
    response = post_files(client, files)
    run = Comparison.objects.latest("pk")
    assert response.status_code == 302 and response["Location"] == reverse("comparison", args=[run.pk])
    assert run_jobs() == 1
    run.refresh_from_db()
    return run


def test_upload_job_findings_filters_downloads(group_s, login):
    client = login("group_s")
    post_files(client)
    run = Comparison.objects.get()
    assert run.group == group_s and run.status == JobStatus.QUEUED
    waiting = page(client.get(reverse("comparison", args=[run.pk])))
    assert 'hx-trigger="every 1s"' in waiting and 'data-testid="findings"' not in waiting
    assert run_jobs() == 1
    run.refresh_from_db()
    assert run.status == JobStatus.DONE, run.message
    shown = client.get(reverse("comparison", args=[run.pk]))
    findings = ComparisonFinding.objects.filter(comparison=run)
    for name, n in run.summary["findings"].items():
        assert by_testid(shown, f"n-{name}") == str(n)
    assert by_testid(shown, "count") == str(findings.count()) and "hx-trigger" not in page(shown)

    def count(**query) -> int:
        return int(by_testid(client.get(reverse("comparison", args=[run.pk]), query), "count"))

    assert count(finding="低价成交") == findings.filter(finding="低价成交").count() > 0
    assert count(unit="150900") == findings.filter(unit__code="150900").count() > 0
    low = findings.filter(finding="低价成交").first()
    assert count(q=low.enterprise_name) >= 1 and count(q="没有这个企业") == 0
    assert count(turned="yes") == 0 and count(turned="no") == findings.count()

    book = openpyxl.load_workbook(
        io.BytesIO(client.get(reverse("comparison-download", args=[run.pk, "findings.xlsx"])).getvalue())
    )
    assert book.sheetnames == ["发现", "待复核", "错误"] and book["发现"].max_row == findings.count() + 1
    csv_rows = list(
        csv.reader(
            io.StringIO(
                client.get(reverse("comparison-download", args=[run.pk, "findings.csv"])).getvalue().decode("utf-8-sig")
            )
        )
    )
    assert csv_rows[0][0] == "发现类型" and len(csv_rows) == findings.count() + 1
    summary = json.loads(client.get(reverse("comparison-download", args=[run.pk, "summary.json"])).getvalue())
    assert summary == run.summary
    assert client.get(reverse("comparison-download", args=[run.pk, "other.txt"])).status_code == 404


def test_turn_two_findings_into_problems(group_s, login):
    client = login("group_s")
    run = ran(client)
    mine = ComparisonFinding.objects.filter(comparison=run).exclude(unit=None)
    low, misreported = mine.filter(rule="below_appraisal").first(), mine.filter(finding="自报不实").first()
    loose = ComparisonFinding.objects.filter(comparison=run, unit=None).first()
    item = ProblemItem.objects.get(code="S07")
    response = client.post(reverse("comparison-turn", args=[run.pk]),
                           {"finding": [low.pk, misreported.pk, loose.pk], "item": item.pk}, follow=True)  # fmt: skip
    said = text(response)
    assert "已" in said or "created" in said
    low.refresh_from_db()
    misreported.refresh_from_db()
    assert low.problem.item.code == "S05" and misreported.problem.item.code == "S07"
    assert reverse("problems-detail", args=[low.problem_id]) in page(response)
    assert loose.enterprise_name in said  # refused: it names no unit
    loose.refresh_from_db()
    assert loose.problem is None
    # The problem is the unit's as every problem: the unit sees it, not the finding.
    league = Problem.objects.get(pk=low.problem_id).unit
    assert league.code in sources.GROUP_UNITS
    again = client.post(reverse("comparison-turn", args=[run.pk]), {"finding": [low.pk]}, follow=True)
    assert low.enterprise_name in text(again) and Problem.objects.filter(discovery_method="analytics").count() == 2


def test_who_sees_what(group_s, login):
    run = ran(login("group_s"))
    finding = ComparisonFinding.objects.filter(comparison=run).first()
    urls = [reverse("comparison", args=[run.pk]), reverse("comparison-download", args=[run.pk, "summary.json"])]
    for name, listed, seen in (
        ("office", 200, 200), ("viewer", 200, 200), ("group_s", 200, 200), ("group_a", 200, 404),
        ("league_a", 403, 404), ("norole", 403, 404),
    ):  # fmt: skip
        client = login(name)
        assert client.get(reverse("comparisons")).status_code == listed, name
        assert [client.get(u).status_code for u in urls] == [seen, seen], name
        turned = client.post(reverse("comparison-turn", args=[run.pk]), {"finding": [finding.pk]})
        assert turned.status_code == {"office": 302, "group_s": 302, "viewer": 403}.get(name, 404), name
        may_start = name in ("office", "group_s")
        assert client.get(reverse("comparison-new")).status_code == (200 if may_start else 403), name
        if listed == 200:
            assert ('data-testid="new"' in page(client.get(reverse("comparisons")))) == may_start, name
    assert post_files(login("group_a")).status_code == 403 and Comparison.objects.count() == 1
    nav = f'href="{reverse("comparisons")}"'
    assert nav in page(login("group_s").get("/")) and nav not in page(login("league_a").get("/"))


def test_bad_input_named_at_its_field(group_s, login):
    client = login("group_s")
    defaults = form_fields(client.get(reverse("comparison-new")))
    assert defaults["window_days"] == "180" and defaults["price_floor"] == "90"
    files = sources.files() | {"registry": ("登记.xlsm", b"PK\x03\x04 macro")}
    response = post_files(client, files, window_days=0)
    assert response.status_code == 400 and not Comparison.objects.exists()
    assert "xlsm" in by_testid(response, "error-registry") and by_testid(response, "error-window_days")


def test_a_file_that_is_not_a_workbook_fails_the_run(group_s, login):
    client = login("office")
    csv_pretending = ("交易所.csv", "这不是成交记录\n只是几行字\n".encode())
    run = ran(client, sources.files() | {"exchange": csv_pretending})
    assert run.status == JobStatus.FAILED and not ComparisonFinding.objects.exists()
    shown = client.get(reverse("comparison", args=[run.pk]))
    assert "交易所.csv" in by_testid(shown, "message") and 'data-testid="findings"' not in page(shown)


def test_rows_refused_are_listed_and_the_run_goes_on(group_s, login):
    registry = sources.rows("registry")
    column = list(sources.HEADERS["registry"]).index("变更日期")
    registry[0][column] = "2024-13-45"
    text_csv = io.StringIO()
    csv.writer(text_csv).writerows([list(sources.HEADERS["registry"]), *registry])
    files = sources.files() | {"registry": ("登记.csv", text_csv.getvalue().encode("gb18030"))}
    client = login("group_s")
    run = ran(client, files)
    assert run.status == JobStatus.DONE and run.summary["errors"] == 1
    assert run.refused_rows[0]["row"] == 2 and run.refused_rows[0]["column"] == "变更日期"
    shown = client.get(reverse("comparison", args=[run.pk]))
    assert by_testid(shown, "refused") == "1"
    assert "2024-13-45" in text(shown) and "市场监管股东变更登记" in text(shown)


def test_the_office_runs_its_own(group_s, login):
    run = ran(login("office"))
    assert run.group is None and run.status == JobStatus.DONE
    assert login("office").get(reverse("comparison", args=[run.pk])).status_code == 200
    assert login("group_s").get(reverse("comparison", args=[run.pk])).status_code == 404
    link = f'href="{reverse("comparison", args=[run.pk])}"'
    assert link in page(login("office").get(reverse("comparisons")))
    assert link not in page(login("group_s").get(reverse("comparisons")))
