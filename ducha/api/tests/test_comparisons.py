"""The three-way comparison through the API: the three sources posted → the same
background run as the page's (run by the worker's own run_task) → the run, its findings
with the page's filters, a finding with its source rows, the outputs → chosen findings
turned into problems by the same action; who sees and may do what; refusals as problem details."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from ducha.analyses.models import Comparison, ComparisonFinding
from ducha.analyses.tests import sources
from ducha.core.models import ChangeLogEntry
from ducha.ledger.models import Evidence, Problem
from ducha.web.tests.helpers import run_jobs


@pytest.fixture(autouse=True)
def _var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"


@pytest.fixture
def group_s(small):
    return sources.add_state_property_group(small, get_user_model())


def post_files(client, files=None, **fields):
    files = files or sources.files()
    data = {kind: SimpleUploadedFile(name, content) for kind, (name, content) in files.items()}
    return client.upload("comparisons/", {**data, "window_days": 180, "price_floor": 90, **fields})


def ran(client) -> Comparison:
    response = post_files(client)
    assert response.status_code == 202, response.content
    run = Comparison.objects.latest("pk")
    assert response["Location"] == f"/api/v1/comparisons/{run.pk}/" and response.json()["status"] == "queued"
    assert run_jobs() == 1
    run.refresh_from_db()
    return run


def test_run_findings_filters_detail_and_files(group_s, api):
    client = api("group_s")
    run = ran(client)
    body = client.get(f"comparisons/{run.pk}/").json()
    assert body["status"] == "done" and body["group"] == "S" and body["may_turn"] and body["percent"] == 100
    assert body["findings"] == run.summary["findings"] and body["window_days"] == 180
    findings = ComparisonFinding.objects.filter(comparison=run)

    def count(**query) -> int:
        return client.get(f"comparisons/{run.pk}/findings/", **query).json()["count"]

    assert count() == findings.count() > 0
    assert count(finding="低价成交") == findings.filter(finding="低价成交").count() > 0
    assert count(unit="150900") == findings.filter(unit__code="150900").count() > 0
    low = findings.filter(finding="低价成交").first()
    assert count(q=low.enterprise_name) >= 1 and count(q="没有这个企业") == 0
    assert count(turned="yes") == 0 and count(turned="no") == findings.count()
    assert count(unit="999999") == 0  # a unit its findings do not name lists nothing, as on the page
    paged = client.get(f"comparisons/{run.pk}/findings/", page_size=2, page=2).json()
    assert paged["page"] == 2 and [f["id"] for f in paged["results"]] == list(
        findings.order_by("pk")[2:4].values_list("pk", flat=True)
    )

    detail = client.get(f"comparisons/{run.pk}/findings/{low.pk}/").json()
    assert detail["rule"] == "below_appraisal" and detail["default_item"] == "S05" and detail["problem"] is None
    assert detail["source_values"] == low.source_values and detail["exchange_rows"] == low.exchange_rows
    summary = client.get(f"comparisons/{run.pk}/files/summary.json")
    assert json.loads(b"".join(summary.streaming_content)) == run.summary
    assert client.get(f"comparisons/{run.pk}/files/other.txt").status_code == 422
    assert [r["id"] for r in client.get("comparisons/").json()["results"]] == [run.pk]


def test_turn_findings_into_problems(group_s, api):
    client = api("group_s")
    run = ran(client)
    mine = ComparisonFinding.objects.filter(comparison=run).exclude(unit=None)
    low, misreported = mine.filter(rule="below_appraisal").first(), mine.filter(finding="自报不实").first()
    loose = ComparisonFinding.objects.filter(comparison=run, unit=None).first()
    response = client.post(
        f"comparisons/{run.pk}/turn/", {"findings": [low.pk, misreported.pk, loose.pk], "item": "S07"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    low.refresh_from_db()
    misreported.refresh_from_db()
    assert {c["id"]: c["problem"] for c in body["created"]} == {
        low.pk: low.problem_id,
        misreported.pk: misreported.problem_id,
    }
    assert low.problem.item.code == "S05" and misreported.problem.item.code == "S07"
    assert low.problem.discovery_method == "analytics" and Evidence.objects.filter(problem=low.problem).count() == 1
    assert [r["id"] for r in body["refused"]] == [loose.pk] and body["refused"][0]["reason"]
    assert client.get(f"comparisons/{run.pk}/findings/{low.pk}/").json()["problem_number"] == low.problem.number
    assert ChangeLogEntry.objects.filter(object_type="ledger.problem", object_id=str(low.problem_id)).exists()
    # Once: a finding already turned is refused with its reason, nothing made twice.
    again = client.post(f"comparisons/{run.pk}/turn/", {"findings": [low.pk]}).json()
    assert again["created"] == [] and again["refused"][0]["id"] == low.pk
    assert Problem.objects.filter(discovery_method="analytics").count() == 2
    # The unit for a finding naming none, by its code; a code out of the choices is the form's refusal.
    unit = sources.GROUP_UNITS[0]
    wrong = client.post(f"comparisons/{run.pk}/turn/", {"findings": [loose.pk], "unit": "999999"})
    assert wrong.status_code == 422 and "unit" in wrong.json()["errors"]
    turned = client.post(f"comparisons/{run.pk}/turn/", {"findings": [loose.pk], "unit": unit}).json()
    assert turned["created"][0]["unit"] == unit
    none = client.post(f"comparisons/{run.pk}/turn/", {"findings": []})
    assert none.status_code == 422 and none["Content-Type"] == "application/problem+json"
    wrong_item = client.post(f"comparisons/{run.pk}/turn/", {"findings": [misreported.pk], "item": "A1"})
    assert wrong_item.status_code == 422 and "item" in wrong_item.json()["errors"]


def test_who_sees_and_may_do_what(group_s, api):
    run = ran(api("group_s"))
    finding = ComparisonFinding.objects.filter(comparison=run).exclude(unit=None).first()
    for name, listed, seen, turn in (
        ("office", 200, 200, 200), ("viewer", 200, 200, 403), ("group_s", 200, 200, 200),
        ("group_a", 200, 404, 404), ("league_a", 403, 404, 404), ("norole", 403, 404, 404),
    ):  # fmt: skip
        client = api(name)
        assert client.get("comparisons/").status_code == listed, name
        at = f"comparisons/{run.pk}/"
        paths = (at, f"{at}findings/", f"{at}findings/{finding.pk}/", f"{at}files/summary.json")
        assert [client.get(p).status_code for p in paths] == [seen] * 4, name
        if turn != 200:
            assert client.post(f"comparisons/{run.pk}/turn/", {"findings": [finding.pk]}).status_code == turn, name
    assert api("group_a").get("comparisons/").json()["count"] == 0
    for name in ("group_a", "viewer", "league_a"):
        refused = post_files(api(name))
        assert refused.status_code == 403 and refused.json()["status"] == 403, name
    assert Comparison.objects.count() == 1 and finding.problem_id is None


def test_bad_input_refused_at_its_field(group_s, api):
    files = sources.files() | {"registry": ("登记.xlsm", b"PK\x03\x04 macro")}
    response = post_files(api("group_s"), files, window_days=0)
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"registry", "window_days"} and not Comparison.objects.exists()


def test_a_path_no_route_takes_is_404_problem_details(small, api):
    for path in ("comparisons/0.85/", "imports/abc/", "redflags/1/nothing/", "no-such-collection/"):
        response = api("office").get(path)
        assert response.status_code == 404 and response["Content-Type"] == "application/problem+json", path


def test_an_id_no_database_holds_is_refused_not_a_server_error(small, api):
    huge = 10**25
    assert api("office").get(f"comparisons/{huge}/").status_code == 422
    assert api("office").get(f"imports/{huge}/").status_code == 422
    assert api("office").post("redflags/1/turn/", {"flags": [huge]}).status_code == 422
