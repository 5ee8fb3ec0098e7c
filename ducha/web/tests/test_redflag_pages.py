"""The red-flag pages: upload a small generated platform file → the job (run as the
worker runs it) → counts per indicator, downloads, flags with filters and their bid rows →
chosen flags turned into problems; who sees what (a unit nothing, another group 404); a
bad settings file refused at its field; a file without the layout's columns fails and says why."""

import csv
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ducha.analyses.models import RedFlag, RedFlagRun
from ducha.analyses.tests import redflag_sources
from ducha.imports.models import JobStatus
from ducha.ledger.models import Problem, Project
from ducha.web.tests.helpers import by_testid, page, run_jobs, text


@pytest.fixture(autouse=True)
def _var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"


def post(client, bids=None, settings_text=None):
    name, content = bids or redflag_sources.bids_csv()
    data = {"bids": SimpleUploadedFile(name, content)}
    if settings_text is not None:
        data["settings_file"] = SimpleUploadedFile("settings.ini", settings_text.encode())
    return client.post(reverse("redflag-new"), data)


def test_upload_job_flags_filters_downloads_and_turning(site, login):
    lot = min(s for code, s in redflag_sources.synthetic().truth if code == "CN-NOT-TENDERED")
    Project.objects.filter(pk=site.projects["hohhot"].pk).update(number=lot.split("/")[0])
    client = login("group_a")
    response = post(client)
    run = RedFlagRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("redflag-run", args=[run.pk])
    waiting = page(client.get(reverse("redflag-run", args=[run.pk])))
    assert 'hx-trigger="every 1s"' in waiting and 'data-testid="flags"' not in waiting
    assert run_jobs() == 1
    run.refresh_from_db()
    assert run.status == JobStatus.DONE and run.group == site.groups["A"], run.message
    shown = client.get(reverse("redflag-run", args=[run.pk]))
    for code, n in run.summary["flags"].items():
        assert text(by_testid(shown, f"n-{code}")) == str(n)
    assert text(by_testid(shown, "count")) == str(RedFlag.objects.filter(run=run).count())
    flag = RedFlag.objects.get(run=run, subject=lot)
    url = reverse("redflag-run", args=[run.pk])
    filtered = page(client.get(url, {"indicator": "CN-NOT-TENDERED", "domain": "engineering"}))
    assert text(by_testid(client.get(url, {"indicator": "CN-NOT-TENDERED", "domain": "engineering"}), "count")) == "1"
    row = filtered[filtered.index(f'data-testid="flag-{flag.pk}"') :]
    assert lot in row and f'data-testid="rows-{flag.pk}"' in row and flag.row_values[0]["投标人"] in row
    cover = RedFlag.objects.filter(run=run, indicator="CN-COVER-BIDDER")[0]
    by_bidder = client.get(url, {"indicator": "CN-COVER-BIDDER", "bidder": cover.bidder})
    assert text(by_testid(by_bidder, "count")) == "1" and f'data-testid="flag-{cover.pk}"' in page(by_bidder)
    book = openpyxl.load_workbook(io.BytesIO(b"".join(client.get(
        reverse("redflag-download", args=[run.pk, "flags.xlsx"])).streaming_content)))  # fmt: skip
    assert book.active.max_row == RedFlag.objects.filter(run=run).count() + 1
    listed = list(csv.reader(io.StringIO(b"".join(client.get(
        reverse("redflag-download", args=[run.pk, "flags.csv"])).streaming_content).decode("utf-8-sig"))))  # fmt: skip
    assert listed[0][:5] == ["indicator", "scope", "id", "value", "explanation"]
    turned = client.post(reverse("redflag-turn", args=[run.pk]), {"flag": [flag.pk]}, follow=True)
    flag.refresh_from_db()
    problem = Problem.objects.get(pk=flag.problem_id)
    assert problem.item.code == "D1" and problem.project_id == flag.project_id and "1" in text(turned)
    assert by_testid(client.get(reverse("redflag-run", args=[run.pk]), {"indicator": "CN-NOT-TENDERED"}),
                     f"problem-{flag.pk}")  # fmt: skip


def test_who_sees_runs(site, login):
    post(login("group_a"))
    run = RedFlagRun.objects.get()
    run_jobs()
    url = reverse("redflag-run", args=[run.pk])
    assert login("office").get(url).status_code == 200 and login("viewer").get(url).status_code == 200
    assert login("group_b").get(url).status_code == 404
    assert login("league_a").get(reverse("redflags")).status_code == 403
    assert post(login("viewer")).status_code == 403 and post(login("league_a")).status_code == 403
    assert "Red flags" in page(login("group_a").get(reverse("redflags"))) or "红旗" in page(
        login("group_a").get(reverse("redflags"))
    )
    turned = login("viewer").post(reverse("redflag-turn", args=[run.pk]), {"flag": [RedFlag.objects.first().pk]})
    assert turned.status_code == 403 and not Problem.objects.filter(discovery_method="analytics").exists()


def test_bad_settings_refused_at_its_field_and_bad_file_fails_the_run(site, login):
    client = login("office")
    refused = post(client, settings_text="[CN-SAME-DEVICE]\nmax_ip_bidders = many\n")
    assert refused.status_code == 400 and "max_ip_bidders" in page(refused) and not RedFlagRun.objects.exists()
    post(client, bids=("平台.csv", "项目编号,标段,投标人,投标报价\nX,1,某公司,100\n".encode()))
    run_jobs()
    run = RedFlagRun.objects.get()
    assert run.status == JobStatus.FAILED and "招标人" in text(client.get(reverse("redflag-run", args=[run.pk])))
    assert not RedFlag.objects.exists()
