"""Evidence sent and downloaded through the API (only where the page takes files, checked
by ledger/evidence.py, downloaded only by those who see the problem), and a project's
inspections recorded as its page records them."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from ducha.core.models import ChangeLogEntry
from ducha.ledger.actions import Move, do_bulk_transition_problems
from ducha.ledger.choices import InspectionKind
from ducha.ledger.models import Evidence, Inspection, Problem, Project
from ducha.testing import PDF, zh

EXE = b"MZ\x90\x00" + b"\x00" * 200


def _file(name: str, content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def send(client, problem, *files):
    return client.client.post(
        f"/api/v1/problems/{problem.pk}/evidence/", {"files": list(files)}, headers=client.headers
    )


def rectifying(small, key: str) -> Problem:
    move = Move(small.problems[key], "rectifying", timezone.now(), measures="整改措施")
    do_bulk_transition_problems([move], actor=small.system)
    return Problem.objects.get(pk=small.problems[key].pk)


def test_evidence_only_where_a_step_asks_for_it(small, api):
    unit, group, other, county = api("league_a"), api("group_a"), api("league_b"), api("county_a")
    found = small.problems["hohhot"]
    before = ChangeLogEntry.objects.count()
    refused = send(unit, found, _file("早了.pdf"))
    assert refused.status_code == 403
    assert refused.json()["detail"] == zh(
        "Evidence is sent with a step that asks for it; you may take no such step now."
    )
    problem = rectifying(small, "xincheng")
    before = ChangeLogEntry.objects.count()
    assert send(group, problem, _file("组.pdf")).status_code == 403  # the unit reports rectified, not the group
    assert send(other, problem, _file("别人.pdf")).status_code == 404
    assert ChangeLogEntry.objects.count() == before and not Evidence.objects.filter(problem=problem).exists()
    sent = send(county, problem, _file("报告.pdf"), _file("照片.pdf"))
    assert sent.status_code == 201, sent.content
    assert [e["original_name"] for e in sent.json()] == ["报告.pdf", "照片.pdf"]
    assert ChangeLogEntry.objects.count() == before + 2
    listed = unit.get(f"problems/{problem.pk}/evidence/").json()
    assert [e["id"] for e in listed] == [e["id"] for e in sent.json()]
    assert other.get(f"problems/{problem.pk}/evidence/").status_code == 404


def test_a_refused_file_is_named_with_its_reason_and_nothing_kept(small, api, settings):
    problem = rectifying(small, "hohhot")
    unit = api("league_a")
    before = ChangeLogEntry.objects.count()
    refused = send(unit, problem, _file("好.pdf"), _file("病毒.pdf", EXE))
    assert refused.status_code == 422
    assert refused["Content-Type"] == "application/problem+json"
    reason = zh("File %(name)s is not a real %(suffix)s file.", name="病毒.pdf", suffix=".pdf")
    assert refused.json()["errors"] == {"files": [reason]}
    assert refused.json()["detail"] == reason
    wrong_type = send(unit, problem, _file("脚本.exe", EXE))
    assert wrong_type.status_code == 422 and "脚本.exe" in wrong_type.json()["detail"]
    assert ChangeLogEntry.objects.count() == before
    assert not Evidence.objects.filter(problem=problem).exists()
    assert not any(p.is_file() for p in settings.EVIDENCE_ROOT.rglob("*"))  # not even the good one


def test_download_only_for_those_who_see_the_problem(small, api):
    problem = rectifying(small, "hohhot")
    [sent] = send(api("league_a"), problem, _file("整改报告.pdf")).json()
    for user in ("league_a", "group_a", "office", "viewer"):
        response = api(user).get(f"evidence/{sent['id']}/")
        assert response.status_code == 200, user
        assert b"".join(response.streaming_content) == PDF
        assert "attachment" in response["Content-Disposition"]
    for user in ("league_b", "group_b", "dept_a", "county_a"):
        response = api(user).get(f"evidence/{sent['id']}/")
        assert response.status_code == 404, user
        assert response["Content-Type"] == "application/problem+json"
    assert api("office").get("evidence/999999/").status_code == 404


def test_inspections_as_the_project_page_records_them(small, api):
    project = small.projects["hohhot"]
    unit, group, other, viewer = api("league_a"), api("group_a"), api("league_b"), api("viewer")
    listed = unit.get(f"projects/{project.pk}/inspections/").json()
    assert listed["kinds_allowed"] == ["sample"]  # self-inspected already; verifying is the group's
    assert [i["kind"] for i in listed["results"]] == ["self"]
    assert group.get(f"projects/{project.pk}/inspections/").json()["kinds_allowed"] == ["sample", "verify"]
    path = f"projects/{project.pk}/inspections/"
    sample = {"kind": "sample", "inspected_on": "2024-06-03", "result": "clean", "inspector": "张三"}
    before = ChangeLogEntry.objects.count()
    assert other.post(path, sample).status_code == 404
    assert viewer.post(path, sample).status_code == 403
    assert unit.post(path, {**sample, "kind": "verify"}).status_code == 403
    again = unit.post(path, {**sample, "kind": "self"})
    assert again.status_code == 409
    assert again.json()["detail"] == zh("This inspection has been recorded already.")
    missing = unit.post(path, {**sample, "result": ""})
    assert missing.status_code == 422 and "result" in missing.json()["errors"]
    assert ChangeLogEntry.objects.count() == before
    made = unit.post(path, sample)
    assert made.status_code == 201, made.content
    assert (made.json()["kind"], made.json()["project"], made.json()["inspector"]) == ("sample", "P-hohhot", "张三")
    inspection = Inspection.objects.get(pk=made.json()["id"])
    logged = ChangeLogEntry.objects.filter(seq__gt=0).order_by("-seq")[:2]
    assert {(e.object_type, e.action) for e in logged} == {
        ("ledger.inspection", "create"),
        ("ledger.project", "update"),
    }
    assert Project.objects.get(pk=project.pk).sampled
    assert inspection.kind == InspectionKind.SAMPLE
    verified = group.post(path, {**sample, "kind": "verify", "result": "problems"})
    assert verified.status_code == 201
    assert unit.get(path).json()["kinds_allowed"] == []


def test_no_files_is_a_refused_request(small, api):
    problem = rectifying(small, "hohhot")
    unit = api("league_a")
    response = unit.client.post(f"/api/v1/problems/{problem.pk}/evidence/", {}, headers=unit.headers)
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["files"]
