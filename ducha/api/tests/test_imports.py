"""Imports through the API: a posted workbook → the same background check as the upload
page (run by the worker's own run_task) → its state, counters and preview → confirm → the
real import applied through the same job; refusals as problem details; who sees which job.
The export jobs are read as the exports page has them."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import QueryDict

from ducha.core.models import ChangeLogEntry
from ducha.core.registry import ledger
from ducha.imports.actions import update_job_progress
from ducha.imports.models import ExportJob, ImportJob, JobStatus
from ducha.imports.tests import books
from ducha.ledger.models import Project
from ducha.org.tokens import do_create_token
from ducha.web.export_jobs import start_export_job
from ducha.web.tests.helpers import run_jobs
from ducha.web.tests.test_uploads import MB, MultipartBody, post_stream

GOOD = [
    books.project(项目编号="GC-API-1"),
    books.project(项目编号="GC-API-2", 项目名称="某某桥梁工程"),
    books.project(项目编号="P-hohhot", 项目名称="改过名字的项目"),
]


@pytest.fixture(autouse=True)
def _var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"


def post_file(client, content: bytes, name="项目台账.xlsx", kind="projects"):
    return client.upload(f"imports/{kind}/", {"file": SimpleUploadedFile(name, content)})


def test_post_check_preview_confirm_applied(small, api):
    client = api("league_a")
    started = post_file(client, books.xlsx(GOOD))
    assert started.status_code == 202, started.content
    job = ImportJob.objects.get()
    assert started["Location"] == f"/api/v1/imports/{job.pk}/"
    body = started.json()
    assert body["status"] == "queued" and body["dry_run"] and body["unit"] == "150100" and body["preview"] is None

    assert run_jobs() == 1
    body = client.get(f"imports/{job.pk}/").json()
    assert body["status"] == "done" and body["may_confirm"] and body["confirmed"] is None
    assert body["progress"] | {"percent": 0} == {
        "rows_total": 3, "rows_read": 3, "rows_validated": 3, "rows_applied": 0, "percent": 0,
    }  # fmt: skip
    assert body["preview"]["counts"] == {"added": 2, "changed": 1, "unchanged": 0, "refused": 0}
    assert body["preview"]["changed"][0]["number"] == "P-hohhot" and body["result"]["status"] == "dry_run"
    assert not Project.objects.filter(number="GC-API-1").exists()  # a check writes no ledger

    confirmed = client.post(f"imports/{job.pk}/confirm/", {})
    assert confirmed.status_code == 202, confirmed.content
    real = ImportJob.objects.get(source=job)
    assert confirmed["Location"] == f"/api/v1/imports/{real.pk}/" and confirmed.json()["source"] == job.pk
    again = client.post(f"imports/{job.pk}/confirm/", {})  # once: the first job again
    assert again.status_code == 200 and again.json()["id"] == real.pk and ImportJob.objects.count() == 2
    assert run_jobs() == 1
    body = client.get(f"imports/{real.pk}/").json()
    assert body["status"] == "done" and body["progress"]["rows_applied"] == 3 and not body["may_confirm"]
    assert body["result"] | {"id": 0, "imported_at": None} == {
        "id": 0, "status": "applied", "added": 2, "changed": 1, "unchanged": 0, "refused": 0, "imported_at": None,
    }  # fmt: skip
    assert Project.objects.get(number="P-hohhot", unit__code="150100").name == "改过名字的项目"
    assert client.get(f"imports/{job.pk}/").json()["confirmed"] == real.pk
    listed = client.get("imports/").json()
    assert listed["count"] == 2 and [j["id"] for j in listed["results"]] == [real.pk, job.pk]
    logged = ChangeLogEntry.objects.filter(object_type="imports.importjob")
    assert sorted(logged.values_list("action", flat=True)) == ["create", "create", "update", "update"]


def test_refused_rows_their_messages_and_the_error_workbook(small, api):
    client = api("league_a")
    bad = [books.project(项目编号="GC-API-1", **{"交易金额（万元）": "12,3a"}), books.project(项目编号="GC-API-2")]
    job_id = post_file(client, books.xlsx(bad)).json()["id"]
    run_jobs()
    body = client.get(f"imports/{job_id}/").json()
    assert body["preview"]["errors_total"] == 1 and body["preview"]["counts"]["refused"] == 1
    error = body["preview"]["errors"][0]
    assert error["value"] == "12,3a" and error["column"] == "交易金额（万元）" and error["reason"]
    assert body["error_report"] and not body["may_confirm"]
    download = client.get(f"imports/{job_id}/errors.xlsx")
    assert download.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert "12,3a" in {str(c) for row in book.active.iter_rows(values_only=True) for c in row}
    refused = client.post(f"imports/{job_id}/confirm/", {})
    assert refused.status_code == 403 and refused["Content-Type"] == "application/problem+json"
    assert refused.json()["detail"] == "此检查结果不能确认导入。"  # the page's own message
    assert ImportJob.objects.count() == 1


def test_a_clean_check_has_no_error_workbook(small, api):
    client = api("league_a")
    job_id = post_file(client, books.xlsx(GOOD)).json()["id"]
    run_jobs()
    assert client.get(f"imports/{job_id}/errors.xlsx").status_code == 404


@pytest.mark.parametrize("user", ["viewer", "norole"])
def test_a_viewer_or_no_role_may_not_post(small, api, user):
    response = post_file(api(user), books.xlsx(GOOD))
    assert response.status_code == 403 and response.json()["status"] == 403
    assert not ImportJob.objects.exists()


def test_a_file_refused_at_its_field(small, api):
    response = post_file(api("league_a"), b"not a workbook", name="台账.txt")
    assert response.status_code == 422 and "file" in response.json()["errors"]
    assert api("league_a").upload("imports/projects/", {}).status_code == 422
    assert api("league_a").upload("imports/cases/", {"file": SimpleUploadedFile("a.xlsx", b"x")}).status_code == 404
    assert not ImportJob.objects.exists()


def test_who_sees_which_job(small, api):
    a = post_file(api("league_a"), books.xlsx(GOOD)).json()["id"]
    b = post_file(api("league_b"), books.xlsx([books.project(所属盟市="包头市")]), name="包头.xlsx").json()["id"]
    league_b = api("league_b")
    for path in (f"imports/{a}/", f"imports/{a}/errors.xlsx"):
        assert league_b.get(path).status_code == 404
    assert league_b.post(f"imports/{a}/confirm/", {}).status_code == 404
    assert [j["id"] for j in league_b.get("imports/").json()["results"]] == [b]
    office = api("office")
    assert {j["id"] for j in office.get("imports/").json()["results"]} == {a, b}
    assert office.get(f"imports/{b}/").status_code == 200
    assert api("norole").get(f"imports/{a}/").status_code == 404
    run_jobs()
    # The office sees a unit's check but does not confirm it for the unit.
    refused = office.post(f"imports/{a}/confirm/", {})
    assert refused.status_code == 403 and ImportJob.objects.count() == 2


def test_the_import_templates(small, api):
    response = api("league_a").get("imports/templates/problems.xlsx")
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert api("norole").get("imports/templates/problems.xlsx").status_code == 403
    assert api("league_a").get("imports/templates/cases.xlsx").status_code == 422


def test_export_jobs_are_their_users_and_the_offices(small, api):
    job = start_export_job(actor=small.users["league_a"], the_ledger=ledger("problems"), export="xlsx",
                           query=QueryDict("q=道路"))  # fmt: skip
    mine = api("league_a")
    assert mine.get(f"exports/{job.pk}/").json()["status"] == "queued"
    assert mine.get(f"exports/{job.pk}/download").status_code == 404  # not written yet
    run_jobs()
    body = mine.get(f"exports/{job.pk}/").json()
    assert body["status"] == "done" and body["query"] == "q=%E9%81%93%E8%B7%AF" and body["ledger"] == "problems"
    download = mine.get(f"exports/{job.pk}/download")
    assert download.status_code == 200 and b"".join(download.streaming_content)[:2] == b"PK"
    assert [j["id"] for j in mine.get("exports/").json()["results"]] == [job.pk]
    assert api("office").get(f"exports/{job.pk}/").status_code == 200
    for user in ("league_b", "group_a", "viewer"):
        assert api(user).get(f"exports/{job.pk}/").status_code == 404
        assert api(user).get(f"exports/{job.pk}/download").status_code == 404
        assert api(user).get("exports/").json()["count"] == 0
    assert ExportJob.objects.count() == 1


def bearer(small, name: str) -> str:
    return f"Bearer {do_create_token(small.users[name], actor=small.system)[1]}"


def test_a_file_is_refused_before_it_is_read(small, client, settings):
    """A user who may not import, or a body over the cap: refused with not one byte read."""
    body = MultipartBody({}, "项目台账.xlsx", 2 * MB)
    refused = post_stream(client, "/api/v1/imports/projects/", body, HTTP_AUTHORIZATION=bearer(small, "viewer"))
    assert refused.status_code == 403 and body.position == 0
    settings.REQUEST_MAX_BYTES = MB
    body = MultipartBody({}, "项目台账.xlsx", 2 * MB)
    too_large = post_stream(client, "/api/v1/imports/projects/", body, HTTP_AUTHORIZATION=bearer(small, "league_a"))
    assert too_large.status_code == 413 and body.position == 0
    assert too_large["Content-Type"] == "application/problem+json" and too_large.json()["status"] == 413
    assert not ImportJob.objects.exists()


def test_the_counters_are_live_while_the_job_runs(small, api):
    client = api("league_a")
    job = ImportJob.objects.get(pk=post_file(client, books.xlsx(GOOD)).json()["id"])
    update_job_progress(job, status=JobStatus.RUNNING)
    update_job_progress(job, rows_total=1000, rows_read=1000, rows_validated=500)
    ImportJob.objects.filter(pk=job.pk).update(rows_validated=0)  # what the import's transaction hides
    progress = client.get(f"imports/{job.pk}/").json()["progress"]
    assert progress == {"rows_total": 1000, "rows_read": 1000, "rows_validated": 500, "rows_applied": 0, "percent": 50}
