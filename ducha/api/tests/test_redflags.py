"""Red flags through the API: the platform bid file posted → the same background run as
the page's (run by the worker's own run_task) → counts per indicator, the flags with the
page's filters (indicator, unit, domain, buyer, bidder, turned), a flag with its bid rows,
the outputs → chosen flags turned into problems by the same action; who sees what."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ducha.analyses.models import RedFlag, RedFlagRun
from ducha.analyses.tests import redflag_sources
from ducha.ledger.models import Problem, Project
from ducha.web.tests.helpers import run_jobs


@pytest.fixture(autouse=True)
def _var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"


def post(client, bids=None, settings_text=None):
    name, content = bids or redflag_sources.bids_csv()
    data = {"bids": SimpleUploadedFile(name, content)}
    if settings_text is not None:
        data["settings_file"] = SimpleUploadedFile("settings.ini", settings_text.encode())
    return client.upload("redflags/", data)


@pytest.fixture
def lot(small) -> str:
    """A not-tendered lot of the generated file whose number is a project of 呼和浩特市."""
    lot = min(s for code, s in redflag_sources.synthetic().truth if code == "CN-NOT-TENDERED")
    Project.objects.filter(pk=small.projects["hohhot"].pk).update(number=lot.split("/")[0])
    return lot


def ran(client) -> RedFlagRun:
    response = post(client)
    assert response.status_code == 202, response.content
    run = RedFlagRun.objects.latest("pk")
    assert response["Location"] == f"/api/v1/redflags/{run.pk}/"
    assert client.get(f"redflags/{run.pk}/flags/").json()["count"] == 0  # nothing before the run is done
    assert run_jobs() == 1
    run.refresh_from_db()
    return run


def test_run_flags_filters_detail_files_and_turning(small, api, lot):
    client = api("group_a")
    run = ran(client)
    body = client.get(f"redflags/{run.pk}/").json()
    assert body["status"] == "done" and body["group"] == "A" and body["may_turn"]
    assert {k: v for k, v in body["flags"].items() if v} == run.summary["flags"]
    flags = RedFlag.objects.filter(run=run)

    def listed(**query) -> list[dict]:
        return client.get(f"redflags/{run.pk}/flags/", page_size=200, **query).json()["results"]

    assert len(listed()) == flags.count() > 0
    flag = flags.get(subject=lot)
    one = listed(indicator="CN-NOT-TENDERED", domain="engineering")
    assert [f["id"] for f in one] == [flag.pk] and one[0]["project_number"] == lot.split("/")[0]
    assert one[0]["unit"] == "150100" and one[0]["item"] == "D1" and one[0]["domain"] == "engineering"
    in_hohhot = listed(indicator="CN-NOT-TENDERED", unit="150100")
    assert flag.pk in {f["id"] for f in in_hohhot} and {f["unit"] for f in in_hohhot} == {"150100"}
    assert len(in_hohhot) == flags.filter(indicator="CN-NOT-TENDERED", unit__code="150100").count()
    cover = flags.filter(indicator="CN-COVER-BIDDER")[0]
    assert [f["id"] for f in listed(indicator="CN-COVER-BIDDER", bidder=cover.bidder)] == [cover.pk]
    by_buyer = listed(buyer=flag.buyer)
    assert flag.pk in {f["id"] for f in by_buyer} and all(flag.buyer in f["buyer"] for f in by_buyer)
    assert listed(turned="yes") == [] and listed(indicator="CN-NOTHING") == []
    detail = client.get(f"redflags/{run.pk}/flags/{flag.pk}/").json()
    assert detail["row_values"] == flag.row_values and detail["rows"] == flag.rows and detail["row_values"]
    csv = client.get(f"redflags/{run.pk}/files/flags.csv")
    assert csv.status_code == 200 and b"".join(csv.streaming_content).decode("utf-8-sig").startswith("indicator,")

    turned = client.post(f"redflags/{run.pk}/turn/", {"flags": [flag.pk]})
    assert turned.status_code == 200, turned.content
    flag.refresh_from_db()
    problem = Problem.objects.get(pk=flag.problem_id)
    assert turned.json()["created"] == [
        {"id": flag.pk, "problem": problem.pk, "number": problem.number, "unit": "150100"}
    ]
    assert problem.item.code == "D1" and problem.project_id == flag.project_id
    assert [f["problem"] for f in listed(turned="yes")] == [problem.pk]
    again = client.post(f"redflags/{run.pk}/turn/", {"flags": [flag.pk]}).json()
    assert again["created"] == [] and again["refused"][0]["id"] == flag.pk


def test_who_sees_and_may_do_what(small, api, lot):
    run = ran(api("group_a"))
    flag = RedFlag.objects.filter(run=run).first()
    for name, listed, seen in (
        ("office", 200, 200), ("viewer", 200, 200), ("group_a", 200, 200),
        ("group_b", 200, 404), ("league_a", 403, 404), ("norole", 403, 404),
    ):  # fmt: skip
        client = api(name)
        assert client.get("redflags/").status_code == listed, name
        paths = (f"redflags/{run.pk}/", f"redflags/{run.pk}/flags/", f"redflags/{run.pk}/flags/{flag.pk}/",
                 f"redflags/{run.pk}/files/flags.xlsx")  # fmt: skip
        assert [client.get(p).status_code for p in paths] == [seen] * 4, name
    assert api("viewer").post(f"redflags/{run.pk}/turn/", {"flags": [flag.pk]}).status_code == 403
    assert api("group_b").post(f"redflags/{run.pk}/turn/", {"flags": [flag.pk]}).status_code == 404
    for name in ("viewer", "league_a"):
        assert post(api(name)).status_code == 403, name
    assert RedFlagRun.objects.count() == 1 and not Problem.objects.filter(discovery_method="analytics").exists()


def test_bad_settings_refused_at_its_field(small, api):
    refused = post(api("office"), settings_text="[CN-SAME-DEVICE]\nmax_ip_bidders = many\n")
    assert refused.status_code == 422 and "max_ip_bidders" in refused.json()["errors"]["settings_file"][0]
    assert not RedFlagRun.objects.exists()
    assert api("office").upload("redflags/", {}).status_code == 422
