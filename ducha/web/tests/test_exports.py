"""Ledger exports: every disposition ledger exports every field a user enters (readable
values, Chinese headers, the user's scope only); a list longer than EXPORT_INLINE_ROWS is
exported by a background job (its page, its progress, its file, who sees it, how it
fails) while a shorter one still streams in the request; the project and problem lists
link to the import page.

Jobs go through the real database backend and the worker's own `run_task` (helpers.run_jobs)."""

import datetime as dt
import io
import stat

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.text import capfirst

from ducha.core.actions import do_bulk_create_objects
from ducha.core.models import ChangeLogEntry
from ducha.imports.exports import headers_of
from ducha.imports.models import ExportJob, JobStatus
from ducha.ledger.models import ClueTransfer, ExposedCase, FiledCase, PolicyDocument, Training
from ducha.web.tests.conftest import DISPOSITIONS, label, places_of
from ducha.web.tests.helpers import page, read_xlsx, run_jobs, text

# The fields Ducha sets itself: never in an export.
INTERNAL = {"id", "campaign", "created_at", "updated_at"}
MODELS = {
    "clue-transfers": ClueTransfer,
    "filed-cases": FiledCase,
    "exposed-cases": ExposedCase,
    "documents": PolicyDocument,
    "trainings": Training,
}


@pytest.fixture(autouse=True)
def _var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"


def full_record(site, ledger: str):
    """A record of the ledger in 呼和浩特市 with every field filled, a text that would run
    as a formula among them."""
    common = {
        "campaign": site.campaign,
        "unit": site.units["150100"],
        "domain": site.problems["hohhot"].domain,
    }
    link = {**common, "problem": site.problems["hohhot"]}
    day, later = dt.date(2024, 5, 21), dt.date(2024, 6, 3)
    obj = {
        "clue-transfers": lambda: ClueTransfer(
            **link,
            authority="police",
            transferred_on=day,
            summary="=HYPERLINK(1)",
            feedback="已反馈",
            feedback_on=later,
        ),
        "filed-cases": lambda: FiledCase(
            **link, filed_on=day, filed_by="公安局", case_number="立-2024-9", summary="=立案摘要"
        ),
        "exposed-cases": lambda: ExposedCase(**link, title="=曝光标题", exposed_on=day, channel="内蒙古日报"),
        "documents": lambda: PolicyDocument(
            **common, title="=制度标题", doc_number="内政办发〔2024〕9号", action="revised", issued_on=day
        ),
        "trainings": lambda: Training(**common, title="=培训标题", held_on=day, attendees=123),
    }[ledger]()
    do_bulk_create_objects([obj], actor=site.system)
    return obj


def expected_row(obj) -> dict[str, object]:
    """What each field of `obj` exports as, by its Chinese header, written out by hand."""
    day = lambda d: dt.datetime.combine(d, dt.time())  # noqa: E731  (openpyxl reads date cells as datetimes)
    with translation.override("zh-hans"):
        values = {"unit": "呼和浩特市", "domain": obj.domain.name}
        if hasattr(obj, "problem"):
            values["problem"] = "Q-hohhot"
        if isinstance(obj, ClueTransfer):
            values |= {"authority": obj.get_authority_display(), "transferred_on": day(obj.transferred_on)}
            values |= {"summary": "=HYPERLINK(1)", "feedback": "已反馈", "feedback_on": day(obj.feedback_on)}
        elif isinstance(obj, FiledCase):
            values |= {"filed_on": day(obj.filed_on), "filed_by": "公安局", "case_number": "立-2024-9"}
            values |= {"summary": "=立案摘要"}
        elif isinstance(obj, ExposedCase):
            values |= {"title": "=曝光标题", "exposed_on": day(obj.exposed_on), "channel": "内蒙古日报"}
        elif isinstance(obj, PolicyDocument):
            values |= {"title": "=制度标题", "doc_number": "内政办发〔2024〕9号", "action": obj.get_action_display()}
            values |= {"issued_on": day(obj.issued_on)}
        else:
            values |= {"title": "=培训标题", "held_on": day(obj.held_on), "attendees": 123}
        return {capfirst(str(obj._meta.get_field(name).verbose_name)): value for name, value in values.items()}


def workbook_rows(content: bytes) -> list[list]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return [list(row) for row in book.active.iter_rows(values_only=True)]


@pytest.mark.parametrize("ledger", DISPOSITIONS)
def test_a_disposition_ledger_exports_every_field_in_the_users_scope(site, login, ledger):
    obj = full_record(site, ledger)
    response = login("league_a").get(reverse(f"{ledger}-list"), {"export": "xlsx"})

    header, *rows = read_xlsx(response)
    model = MODELS[ledger]
    with translation.override("zh-hans"):
        fields = [f for f in model._meta.concrete_fields if f.name not in INTERNAL]
        assert header == [capfirst(str(f.verbose_name)) for f in fields]  # every entered field, in order
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in h) for h in header)  # Chinese headers
    expected = expected_row(obj)
    assert set(expected) == set(header)
    known = [dict(zip(header, row, strict=True)) for row in rows if expected[header[-1]] == row[-1]]
    assert known == [expected]  # readable values: unit name, problem number, the choice's words, dates, numbers
    # Only the rows in the user's scope: 呼和浩特市's own record and the new one.
    cells = " ".join(str(v) for row in rows for v in row)
    assert {p for p in places_of(ledger) if label(ledger, p) in cells} == {"hohhot"}
    assert len(rows) == 2


def test_the_formula_looking_text_is_a_text_cell(site, login):
    full_record(site, "clue-transfers")
    response = login("office").get(reverse("clue-transfers-list"), {"export": "xlsx", "q": "HYPERLINK"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cell = next(c for c in sheet[2] if c.value == "=HYPERLINK(1)")
    assert cell.data_type == "s" and cell.quotePrefix


def test_a_small_export_still_streams_in_the_request(site, login, settings):
    settings.EXPORT_INLINE_ROWS = 4  # the office sees exactly 4 trainings
    response = login("office").get(reverse("trainings-list"), {"export": "xlsx"})
    header, *rows = read_xlsx(response)
    assert len(rows) == 4 and not ExportJob.objects.exists()


def test_a_large_export_is_a_job_that_writes_the_scoped_list(site, login, settings):
    settings.EXPORT_INLINE_ROWS = 1
    client = login("group_a")  # sees hohhot, xincheng, fgw
    response = client.get(reverse("problems-list"), {"export": "xlsx", "sort": "number", "page": "2"})
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("exports-job", args=[job.pk])
    assert (job.ledger, job.export, job.query, job.status) == ("problems", "xlsx", "sort=number", JobStatus.QUEUED)
    assert job.user == site.users["group_a"] and job.file_name == "problems.xlsx" and job.rows_total == 3
    waiting = client.get(response["Location"])
    assert 'hx-trigger="every 1s"' in page(waiting) and 'data-testid="download"' not in page(waiting)

    assert run_jobs() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.rows_total == job.rows_written == 3 and job.finished_at
    assert stat.S_IMODE(job.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(job.path.parent.stat().st_mode) == 0o700
    done = client.get(reverse("exports-job", args=[job.pk]))
    assert "hx-trigger" not in page(done) and job.message in text(done)
    download = client.get(reverse("exports-job-download", args=[job.pk]))
    assert download.status_code == 200 and download["Cache-Control"] == "no-store"
    assert "problems.xlsx" in download["Content-Disposition"]
    header, *rows = workbook_rows(download.getvalue())
    settings.EXPORT_INLINE_ROWS = 3
    inline = read_xlsx(login("group_a").get(reverse("problems-list"), {"sort": "number", "export": "xlsx"}))
    assert [header, *rows] == inline  # the same rows as the export in the request
    assert [r[0] for r in rows] == ["Q-fgw", "Q-hohhot", "Q-xincheng"]  # the group's scope, sorted as asked
    # The job's creation and its final status are in the change log; its counters are not.
    logged = ChangeLogEntry.objects.filter(object_type="imports.exportjob", object_id=str(job.pk))
    assert sorted(logged.values_list("action", flat=True)) == ["create", "update"]


def test_the_job_rebuilds_the_list_for_its_user_from_the_saved_query(site, login, settings):
    """The worker filters again, in the user's scope of now, from the query string: a filter
    for a unit outside the scope exports nothing, whatever the job row says."""
    settings.EXPORT_INLINE_ROWS = 0
    client = login("league_a")
    client.get(reverse("projects-list"), {"export": "ledger", "q": "P-"})
    job = ExportJob.objects.get()
    ExportJob.objects.filter(pk=job.pk).update(query="unit=150200")  # 包头市: not league_a's
    run_jobs()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.rows_written == 0
    assert workbook_rows(job.path.read_bytes()) == [headers_of("projects")]  # the header row only


def test_the_import_layout_export_runs_as_a_job_too(site, login, settings):
    settings.EXPORT_INLINE_ROWS = 1
    client = login("league_a")
    response = client.get(reverse("projects-list"), {"export": "ledger"})
    job = ExportJob.objects.get()
    assert response["Location"] == reverse("exports-job", args=[job.pk]) and job.file_name == "projects-ledger.xlsx"
    run_jobs()
    header, *rows = workbook_rows(client.get(reverse("exports-job-download", args=[job.pk])).getvalue())
    assert header == headers_of("projects")
    assert sorted(r[1] for r in rows) == ["P-hohhot", "P-xincheng"]


@pytest.mark.parametrize("other", ["league_b", "group_a", "viewer", "norole"])
def test_another_user_neither_sees_nor_downloads_a_job(site, login, settings, other):
    settings.EXPORT_INLINE_ROWS = 0
    login("league_a").get(reverse("trainings-list"), {"export": "xlsx"})
    job = ExportJob.objects.get()
    run_jobs()
    client = login(other)
    for name in ("exports-job", "exports-job-progress", "exports-job-download"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
    assert "trainings.xlsx" not in page(client.get(reverse("exports")))
    # Its own user and the office see it.
    assert "trainings.xlsx" in page(login("league_a").get(reverse("exports")))
    assert "trainings.xlsx" in page(login("office").get(reverse("exports")))
    assert login("office").get(reverse("exports-job-download", args=[job.pk])).status_code == 200


def test_a_failing_job_ends_failed_and_says_why(site, login, settings):
    settings.EXPORT_INLINE_ROWS = 0
    client = login("league_a")
    client.get(reverse("documents-list"), {"export": "xlsx"})
    job = ExportJob.objects.get()
    settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
    (settings.VAR_DIR / "exports").write_text("a file where the exports' folder should be")
    run_jobs()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.finished_at is not None
    assert "exports" in job.message  # the error names the path it could not write
    shown = client.get(reverse("exports-job", args=[job.pk]))
    assert job.message in text(shown) and 'data-testid="download"' not in page(shown)
    assert client.get(reverse("exports-job-download", args=[job.pk])).status_code == 404
    logged = ChangeLogEntry.objects.filter(object_type="imports.exportjob", action="update").get()
    assert logged.after["status"] == JobStatus.FAILED


def test_the_progress_fragment_counts_the_rows_written(site, login, settings):
    settings.EXPORT_INLINE_ROWS = 0
    client = login("office")
    client.get(reverse("problems-list"), {"export": "xlsx"})
    job = ExportJob.objects.get()
    url = reverse("exports-job-progress", args=[job.pk])
    ExportJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, rows_total=8000, rows_written=2000)
    fragment = client.get(url, HTTP_HX_REQUEST="true")
    assert "HX-Refresh" not in fragment
    assert 'value="25"' in page(fragment) and "2000" in text(fragment) and "8000" in text(fragment)
    ExportJob.objects.filter(pk=job.pk).update(status=JobStatus.QUEUED, rows_total=0, rows_written=0)
    run_jobs()
    done = client.get(url, HTTP_HX_REQUEST="true")
    assert done["HX-Refresh"] == "true" and "hx-trigger" not in page(done)


@pytest.mark.parametrize("ledger", ["projects", "problems"])
def test_the_import_link_on_the_project_and_problem_lists(site, login, ledger):
    for role in ("office", "group_a", "league_a", "county_a"):
        listing = page(login(role).get(reverse(f"{ledger}-list")))
        assert f'href="{reverse("imports")}?kind={ledger}" data-testid="import"' in listing
    for role in ("viewer",):
        assert 'data-testid="import"' not in page(login(role).get(reverse(f"{ledger}-list")))
    assert 'data-testid="import"' not in page(login("office").get(reverse("trainings-list")))
    form = page(login("league_a").get(reverse("imports"), {"kind": ledger}))
    assert f'<option value="{ledger}" selected>' in form
