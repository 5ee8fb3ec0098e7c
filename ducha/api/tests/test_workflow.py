"""The workflow through the API: the steps a user may take now (as the problem page offers
them), each taken through the page's action with If-Match, the rule's message when
refused, the change log written; deadline extensions asked for and decided; a lost update
refused (412) with nothing of it written."""

import datetime as dt

from django.utils import timezone

from ducha.core.models import ChangeLogEntry
from ducha.ledger.actions import Move, do_bulk_transition_problems
from ducha.ledger.choices import ProblemStatus as S
from ducha.ledger.evidence import EvidenceUpload
from ducha.ledger.models import DeadlineExtension, Evidence, Problem, RectificationStep
from ducha.testing import PDF, zh

START = {"measures": "约谈中标单位，重新评标"}


def put(small, key: str, status: str) -> Problem:
    """Bring a problem to a status as an import does, with what its steps need."""
    problem = small.problems[key]
    needs = {"reason": "导入", "measures": "导入的整改措施", "opinion": "同意销号"}
    evidence = [EvidenceUpload("导入.pdf", PDF)]
    move = Move(problem, status, timezone.now(), completed_on=problem.found_on, evidence=evidence, **needs)
    do_bulk_transition_problems([move], actor=small.system)
    return Problem.objects.get(pk=problem.pk)


def logged(obj) -> list[str]:
    rows = ChangeLogEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
    return list(rows.order_by("seq").values_list("action", flat=True))


def test_the_steps_offered_are_the_pages(small, api):
    problem = small.problems["hohhot"]
    unit = api("league_a").get(f"problems/{problem.pk}/transitions/")
    assert unit.status_code == 200
    assert unit.json() == {
        "status": "found",
        "results": [
            {"target": "rectifying", "verb": "start", "label": zh("Start rectification"), "needs": ["measures"]}
        ],
    }
    assert unit["ETag"] == api("league_a").get(f"problems/{problem.pk}/")["ETag"]
    assert [t["verb"] for t in api("group_a").get(f"problems/{problem.pk}/transitions/").json()["results"]] == [
        "dismiss"
    ]
    assert api("viewer").get(f"problems/{problem.pk}/transitions/").json()["results"] == []
    assert api("league_b").get(f"problems/{problem.pk}/transitions/").status_code == 404
    signed_off = put(small, "fgw", "signed_off")
    offered = api("group_a").get(f"problems/{signed_off.pk}/transitions/").json()
    assert offered == {"status": "signed_off", "results": []}  # a look-back reopening is not offered


def test_a_step_through_the_action_with_the_etag(small, api):
    problem = small.problems["hohhot"]
    client = api("league_a")
    etag = client.get(f"problems/{problem.pk}/")["ETag"]
    path = f"problems/{problem.pk}/transitions/rectifying/"
    assert client.post(path, START).status_code == 428
    response = client.post(path, START, **{"If-Match": etag})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["measures"], body["unit"]) == ("rectifying", START["measures"], "150100")
    assert response["ETag"] != etag and response["ETag"] == client.get(f"problems/{problem.pk}/")["ETag"]
    assert logged(problem)[-1] == "transition"
    step = RectificationStep.objects.get(problem=problem)
    assert (step.to_status, step.measures, step.actor) == ("rectifying", START["measures"], small.users["league_a"])


def test_refusals_name_the_rule_and_write_nothing(small, api):
    problem = small.problems["hohhot"]
    unit, group, viewer, other_unit = api("league_a"), api("group_a"), api("viewer"), api("league_b")
    etag = unit.get(f"problems/{problem.pk}/")["ETag"]
    before = ChangeLogEntry.objects.count()

    missing = unit.post(f"problems/{problem.pk}/transitions/rectifying/", {}, **{"If-Match": etag})
    assert missing.status_code == 422
    assert missing["Content-Type"] == "application/problem+json"
    assert missing.json()["errors"] == {"measures": [zh("The rectification measures are required.")]}

    no_such_step = group.post(f"problems/{problem.pk}/transitions/signed_off/", {}, **{"If-Match": etag})
    assert no_such_step.status_code == 409
    assert no_such_step.json()["detail"] == zh(
        "A problem cannot go from “%(source)s” to “%(target)s”.",
        source=zh(S.FOUND.label),
        target=zh(S.SIGNED_OFF.label),
    )
    not_this_role = unit.post(f"problems/{problem.pk}/transitions/dismissed/", {"reason": "x"}, **{"If-Match": etag})
    assert not_this_role.status_code == 403
    viewing = viewer.post(f"problems/{problem.pk}/transitions/rectifying/", START, **{"If-Match": etag})
    assert viewing.status_code == 403
    nonsense = unit.post(f"problems/{problem.pk}/transitions/nonsense/", START, **{"If-Match": etag})
    assert nonsense.status_code == 422 and "path.target" in nonsense.json()["errors"]  # (the schema lists the statuses)
    theirs = other_unit.post(f"problems/{problem.pk}/transitions/rectifying/", START, **{"If-Match": etag})
    assert theirs.status_code == 404
    assert ChangeLogEntry.objects.count() == before

    signed_off = put(small, "fgw", "signed_off")
    before = ChangeLogEntry.objects.count()
    tag = group.get(f"problems/{signed_off.pk}/")["ETag"]
    reopen = group.post(f"problems/{signed_off.pk}/transitions/rectifying/", {"reason": "回头看"}, **{"If-Match": tag})
    assert reopen.status_code == 409
    assert reopen.json()["detail"] == zh("A signed-off problem is reopened only by a look-back round.")
    assert ChangeLogEntry.objects.count() == before
    assert Problem.objects.get(pk=problem.pk).status == "found"
    assert Problem.objects.get(pk=signed_off.pk).status == "signed_off"


def test_report_rectified_with_files_sent_before(small, api):
    problem = put(small, "hohhot", "rectifying")
    unit = api("league_a")
    sent = unit.client.post(
        f"/api/v1/problems/{problem.pk}/evidence/", {"files": [_pdf("整改报告.pdf")]}, headers=unit.headers
    )
    assert sent.status_code == 201, sent.content
    [file] = sent.json()
    assert (file["original_name"], file["problem"], file["step"]) == ("整改报告.pdf", problem.number, None)
    etag = unit.get(f"problems/{problem.pk}/")["ETag"]
    path = f"problems/{problem.pk}/transitions/rectified/"
    # A file of another problem (or none waiting) is no evidence of this one.
    other = put(small, "xincheng", "rectified").evidence.get()
    wrong = unit.post(path, {"completed_on": "2024-06-10", "evidence": [other.pk]}, **{"If-Match": etag})
    assert wrong.status_code == 422
    assert wrong.json()["errors"] == {
        "evidence": [zh("Evidence %(ids)s: no file of this problem waiting for a step has this id.", ids=other.pk)]
    }
    without = unit.post(path, {"completed_on": "2024-06-10"}, **{"If-Match": etag})
    assert without.json()["errors"] == {"evidence": [zh("Attach at least one evidence file.")]}
    done = unit.post(path, {"completed_on": "2024-06-10", "evidence": [file["id"]]}, **{"If-Match": etag})
    assert done.status_code == 200, done.content
    assert (done.json()["status"], done.json()["rectified_on"]) == ("rectified", "2024-06-10")
    step = RectificationStep.objects.get(problem=problem, to_status="rectified", superseded_at=None)
    evidence = Evidence.objects.get(pk=file["id"])
    assert evidence.step == step
    assert logged(evidence) == ["create", "update"]
    assert ChangeLogEntry.objects.filter(
        object_type="ledger.evidence", object_id=str(evidence.pk), action="update"
    ).get().after == {"step": step.pk}


def test_lost_update_the_second_step_is_refused_and_not_written(small, api):
    problem = small.problems["hohhot"]
    first, second = api("league_a"), api("office")
    etag = first.get(f"problems/{problem.pk}/transitions/")["ETag"]
    assert second.get(f"problems/{problem.pk}/")["ETag"] == etag
    won = first.post(f"problems/{problem.pk}/transitions/rectifying/", START, **{"If-Match": etag})
    assert won.status_code == 200
    logged_rows, steps = ChangeLogEntry.objects.count(), RectificationStep.objects.count()
    late = second.post(f"problems/{problem.pk}/transitions/dismissed/", {"reason": "不属实"}, **{"If-Match": etag})
    assert late.status_code == 412
    assert late["Content-Type"] == "application/problem+json"
    assert ChangeLogEntry.objects.count() == logged_rows
    assert RectificationStep.objects.count() == steps
    assert Problem.objects.get(pk=problem.pk).status == "rectifying"


def test_deadline_extension_asked_by_the_unit_decided_by_the_group(small, api):
    problem = small.problems["hohhot"]
    unit, group = api("league_a"), api("group_a")
    ask = {"new_deadline": "2024-08-01", "reason": "需重新招标"}
    assert api("league_b").post(f"problems/{problem.pk}/extensions/", ask).status_code == 404
    assert group.post(f"problems/{problem.pk}/extensions/", ask).status_code == 403
    asked = unit.post(f"problems/{problem.pk}/extensions/", ask)
    assert asked.status_code == 201, asked.content
    extension = DeadlineExtension.objects.get(pk=asked.json()["id"])
    assert (asked.json()["status"], asked.json()["old_deadline"]) == ("requested", "2024-07-01")
    assert logged(extension) == ["create"]
    again = unit.post(f"problems/{problem.pk}/extensions/", ask)
    assert again.status_code == 422
    assert [e["id"] for e in group.get(f"problems/{problem.pk}/extensions/").json()] == [extension.pk]

    etag = group.get(f"problems/{problem.pk}/extensions/{extension.pk}/")["ETag"]
    decide = f"problems/{problem.pk}/extensions/{extension.pk}/decision/"
    assert unit.post(decide, {"decision": "grant"}, **{"If-Match": etag}).status_code == 403
    assert group.post(decide, {"decision": "grant"}).status_code == 428
    refused = group.post(decide, {"decision": "refuse"}, **{"If-Match": etag})
    assert refused.status_code == 422
    assert refused.json()["errors"] == {"decision_note": [zh("Say why the extension is refused.")]}
    granted = group.post(decide, {"decision": "grant", "decision_note": "同意"}, **{"If-Match": etag})
    assert granted.status_code == 200, granted.content
    assert granted.json()["status"] == "granted" and granted["ETag"] != etag
    assert Problem.objects.get(pk=problem.pk).deadline == dt.date(2024, 8, 1)
    assert logged(extension) == ["create", "transition"]
    office = api("office")  # (its token is in the change log)
    before = ChangeLogEntry.objects.count()
    stale = office.post(decide, {"decision": "refuse", "decision_note": "不同意"}, **{"If-Match": etag})
    assert stale.status_code == 412
    assert ChangeLogEntry.objects.count() == before


def _pdf(name: str, content: bytes = PDF):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_report_rectified_with_the_file_in_the_step(small, api):
    problem = put(small, "hohhot", "rectifying")
    unit = api("league_a")
    etag = unit.get(f"problems/{problem.pk}/")["ETag"]
    path = f"/api/v1/problems/{problem.pk}/transitions/rectified/"

    def step(*files, **fields):
        data = {"completed_on": "2024-06-10", **fields, "files": list(files)}
        return unit.client.post(path, data, headers={**unit.headers, "If-Match": etag})

    before = ChangeLogEntry.objects.count()
    refused = step(_pdf("好.pdf"), _pdf("病毒.pdf", b"MZ\x90\x00" + b"\x00" * 100))
    assert refused.status_code == 422
    reason = zh("File %(name)s is not a real %(suffix)s file.", name="病毒.pdf", suffix=".pdf")
    assert refused.json()["errors"] == {"files": [reason]}
    bad_date = step(_pdf("整改报告.pdf"), completed_on="六月十日")
    assert bad_date.status_code == 422 and "completed_on" in bad_date.json()["errors"]
    assert ChangeLogEntry.objects.count() == before and not Evidence.objects.filter(problem=problem).exists()
    done = step(_pdf("整改报告.pdf"))
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "rectified"
    [evidence] = Evidence.objects.filter(problem=problem)
    assert evidence.original_name == "整改报告.pdf" and evidence.step.to_status == "rectified"
    assert logged(evidence) == ["create"]
