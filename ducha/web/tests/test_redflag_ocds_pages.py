"""An OCDS JSON Lines file through the red-flag pages: the kind told by the file's name (or
chosen), the same job, the flags listed as the platform's are — Cardinal's and the CN- ones
OCDS can carry — with their evidence rows from the model; a file of neither kind refused."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ducha.analyses.models import RedFlag, RedFlagRun
from ducha.analytics.tests.test_redflag_model import ocds_world
from ducha.imports.models import JobStatus
from ducha.ledger.models import Problem
from ducha.web.tests.helpers import by_testid, page, run_jobs, text


@pytest.fixture(autouse=True)
def _var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"


def post(client, name, content, source=""):
    return client.post(reverse("redflag-new"), {"bids": SimpleUploadedFile(name, content), "source": source})


def test_an_ocds_file_runs_and_lists_its_flags_with_the_models_rows(site, login, tmp_path):
    client = login("office")
    content = ocds_world(tmp_path).read_bytes()
    response = post(client, "releases.jsonl", content)
    run = RedFlagRun.objects.get()
    assert response.status_code == 302 and run.source == RedFlagRun.Source.OCDS
    assert run_jobs() == 1
    run.refresh_from_db()
    assert run.status == JobStatus.DONE and run.summary["rows"] == 11, run.message  # the processes read
    assert {"CN-SPLIT", "CN-NOT-TENDERED", "CN-PRICE-PATTERN", "CN-WINNER-CONCENTRATION"} <= set(run.summary["flags"])
    assert {"CN-SAME-DEVICE", "CN-EXPERT-BIAS"}.isdisjoint(run.summary["flags"])  # OCDS carries no such field
    steps = RedFlag.objects.get(run=run, indicator="CN-PRICE-PATTERN")
    assert steps.subject == "ocds-steps" and steps.rows == [5]  # the line
    # the evidence: the model's bids of that line under the layout's headers
    assert [(r["行号"], r["项目编号"], r["投标人"], r["投标报价"], r["是否中标"]) for r in steps.row_values] == [
        (5, "ocds-steps", "T1公司", "1000000.00", "是"), (5, "ocds-steps", "T2公司", "1010000.00", "否"),
        (5, "ocds-steps", "T3公司", "1020000.00", "否")]  # fmt: skip
    split = RedFlag.objects.get(run=run, indicator="CN-SPLIT")
    assert split.buyer == "B1" and [r["合同金额"] for r in split.row_values] == ["800000.00"] * 3
    shown = client.get(reverse("redflag-run", args=[run.pk]))
    assert text(by_testid(shown, "n-CN-SPLIT")) == "1"
    row = page(shown)[page(shown).index(f'data-testid="flag-{steps.pk}"') :]
    assert "T2公司" in row and f'data-testid="rows-{steps.pk}"' in row
    cardinal = [code for code in run.summary["flags"] if code.startswith("R")]
    for code in cardinal:  # Cardinal's counted beside the platform's when they flag
        assert text(by_testid(shown, f"n-{code}")) == str(run.summary["flags"][code])
    # a flag from OCDS becomes a problem as a platform one does, its source named
    client.post(reverse("redflag-turn", args=[run.pk]), {"flag": [split.pk], "unit": site.units["150100"].pk})
    problem = Problem.objects.get(discovery_method="analytics")
    assert problem.item.code == "D1" and "来源：OCDS数据第1、2、3行" in problem.description


def test_the_kind_chosen_and_files_of_neither_kind_refused(site, login, tmp_path):
    client = login("office")
    refused = post(client, "releases.txt", b'{"ocid": "x"}\n')
    assert refused.status_code == 400 and ".jsonl" in page(refused)
    not_json = post(client, "releases.jsonl", b"ocid,buyer\nx,y\n")
    assert not_json.status_code == 400 and "JSON" in page(not_json)
    csv_as_ocds = post(client, "bids.csv", b"a,b\n", source="ocds")
    assert csv_as_ocds.status_code == 400 and not RedFlagRun.objects.exists()
    chosen = post(client, "releases.json", ocds_world(tmp_path).read_bytes(), source="ocds")
    assert chosen.status_code == 302 and RedFlagRun.objects.get().source == "ocds"
