"""The web's ledger imports: upload → a dry-run job in the background → its preview →
confirm → the real import's job → applied; a failing job applies nothing and says why;
who may upload and who sees which job; the progress fragment.

Jobs go through the real database backend: a test runs what was queued with the worker's
own `run_task` (the worker's loop would sleep and close connections; not in a test)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ducha.core.models import ChangeLogEntry
from ducha.imports.jobs import start_import_job, store_upload
from ducha.imports.models import ImportJob, ImportRecord, JobStatus
from ducha.imports.tests import books
from ducha.ledger.models import Project
from ducha.web.tests.helpers import run_jobs


@pytest.fixture(autouse=True)
def _var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"


def upload(client, content: bytes, name="项目台账.xlsx", kind="projects"):
    return client.post(reverse("imports"), {"kind": kind, "file": SimpleUploadedFile(name, content)})


GOOD = [
    books.project(项目编号="GC-WEB-1"),
    books.project(项目编号="GC-WEB-2", 项目名称="某某桥梁工程"),
    books.project(项目编号="P-hohhot", 项目名称="改过名字的项目"),
]


def test_upload_check_preview_confirm_applied(site, login):
    client = login("league_a")
    response = upload(client, books.xlsx(GOOD))
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("imports-job", args=[job.pk])
    assert job.status == JobStatus.QUEUED and job.dry_run and job.unit.code == "150100"
    page = client.get(reverse("imports-job", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in page and 'data-testid="outcome"' not in page

    assert run_jobs() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.rows_total == job.rows_read == job.rows_validated == 3
    assert not Project.objects.filter(number="GC-WEB-1").exists()  # a dry run writes no ledger
    page = client.get(reverse("imports-job", args=[job.pk])).content.decode()
    assert 'data-testid="added">2<' in page and 'data-testid="changed">1<' in page
    assert "P-hohhot" in page and 'data-testid="confirm"' in page and "hx-trigger" not in page

    response = client.post(reverse("imports-job-confirm", args=[job.pk]))
    real = ImportJob.objects.get(source=job)
    assert response["Location"] == reverse("imports-job", args=[real.pk]) and not real.dry_run
    assert client.post(reverse("imports-job-confirm", args=[job.pk]))["Location"] == response["Location"]  # once
    assert run_jobs() == 1
    real.refresh_from_db()
    assert real.status == JobStatus.DONE and real.rows_applied == 3
    assert real.record.status == "applied" and real.record.added == 2 and real.record.changed == 1
    assert Project.objects.get(number="P-hohhot", unit__code="150100").name == "改过名字的项目"
    assert Project.objects.filter(number__startswith="GC-WEB-").count() == 2
    page = client.get(reverse("imports-job", args=[real.pk])).content.decode()
    assert reverse("projects-list") in page and 'data-testid="confirm"' not in page
    # Creation and final status of each job are in the change log; the counters are not.
    logged = ChangeLogEntry.objects.filter(object_type="imports.importjob")
    assert sorted(logged.values_list("action", flat=True)) == ["create", "create", "update", "update"]


def test_a_file_with_errors_shows_them_and_cannot_be_confirmed(site, login):
    client = login("league_a")
    bad = [books.project(项目编号="GC-WEB-1", **{"交易金额（万元）": "12,3a"}), books.project(项目编号="GC-WEB-2")]
    upload(client, books.xlsx(bad))
    run_jobs()
    job = ImportJob.objects.get()
    assert job.status == JobStatus.DONE and job.preview["errors_total"] == 1
    page = client.get(reverse("imports-job", args=[job.pk])).content.decode()
    assert "12,3a" in page and "交易金额（万元）" in page and 'data-testid="confirm"' not in page
    download = client.get(reverse("imports-job-errors", args=[job.pk]))
    assert download.status_code == 200 and download["Cache-Control"] == "no-store"
    assert b"".join(download.streaming_content)[:2] == b"PK"
    # A crafted confirmation is refused: nothing queued.
    assert client.post(reverse("imports-job-confirm", args=[job.pk])).status_code == 403
    assert ImportJob.objects.count() == 1


def test_a_failing_job_applies_nothing_and_says_why(site, login):
    league = site.users["league_a"]
    bad = [books.project(项目编号="GC-WEB-1"), books.project(项目编号="GC-WEB-2", 交易领域="不存在的领域")]
    content = books.xlsx(bad)
    sha = store_upload("项目台账.xlsx", [content])
    job = start_import_job(actor=league, kind="projects", file_name="项目台账.xlsx", sha256=sha, dry_run=False)
    run_jobs()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.finished_at is not None
    assert not Project.objects.filter(number__startswith="GC-WEB-").exists()
    assert job.record.status == "refused"
    page = login("league_a").get(reverse("imports-job", args=[job.pk])).content.decode()
    assert "不存在的领域" in page and job.message in page and job.preview["errors_total"] == 1


def test_a_job_whose_file_is_gone_fails_and_says_why(site):
    job = start_import_job(
        actor=site.users["league_a"], kind="projects", file_name="x.xlsx", sha256="0" * 64, dry_run=True
    )
    run_jobs()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.message
    assert not ImportRecord.objects.exists()


def test_the_progress_fragment_returns_the_counters(site, login):
    client = login("league_a")
    upload(client, books.xlsx(GOOD))
    job = ImportJob.objects.get()
    url = reverse("imports-job-progress", args=[job.pk])
    fragment = client.get(url, HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 1s"' in fragment.content.decode() and "HX-Refresh" not in fragment
    ImportJob.objects.filter(pk=job.pk).update(rows_total=1000, rows_read=1000, rows_validated=500)
    fragment = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "1000" in fragment and "500" in fragment and 'value="50"' in fragment
    run_jobs()
    done = client.get(url, HTTP_HX_REQUEST="true")
    assert done["HX-Refresh"] == "true" and "hx-trigger" not in done.content.decode()


@pytest.mark.parametrize("user", ["viewer", "norole"])
def test_a_viewer_or_no_role_may_not_upload(site, login, user):
    client = login(user)
    assert client.get(reverse("imports")).status_code == 403
    assert upload(client, books.xlsx(GOOD)).status_code == 403
    assert not ImportJob.objects.exists()


def test_a_unit_sees_its_own_jobs_only(site, login):
    upload(login("league_a"), books.xlsx(GOOD))
    upload(login("league_b"), books.xlsx([books.project(所属盟市="包头市")]), name="包头.xlsx")
    a = ImportJob.objects.get(user=site.users["league_a"])
    b = ImportJob.objects.get(user=site.users["league_b"])
    league_b = login("league_b")
    for name in ("imports-job", "imports-job-progress", "imports-job-errors"):
        assert league_b.get(reverse(name, args=[a.pk])).status_code == 404
    assert league_b.post(reverse("imports-job-confirm", args=[a.pk])).status_code == 404
    listing = league_b.get(reverse("imports")).content.decode()
    assert "包头.xlsx" in listing and "项目台账.xlsx" not in listing
    office = login("office").get(reverse("imports")).content.decode()
    assert "包头.xlsx" in office and "项目台账.xlsx" in office
    assert login("office").get(reverse("imports-job", args=[b.pk])).status_code == 200
    # The office sees a unit's check but does not confirm it for the unit.
    run_jobs()
    assert login("office").post(reverse("imports-job-confirm", args=[a.pk])).status_code == 403


def test_the_cli_import_keeps_working(site, tmp_path):
    from django.core.management import call_command

    path = tmp_path / "项目台账.xlsx"
    path.write_bytes(books.xlsx([books.project(项目编号="GC-CLI-1")]))
    call_command("import", "projects", str(path), "--as", "league_a")
    assert Project.objects.filter(number="GC-CLI-1").exists()
    assert not ImportJob.objects.exists()
