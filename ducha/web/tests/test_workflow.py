"""The rectification workflow in the problem page: the buttons a role gets, refusal of
anything else even when posted by hand, HTMX posts answered with the panel in place,
plain posts redirected, evidence uploaded through the transition form (checked for type
and size) and downloaded only within the scope."""

import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from ducha.core.models import ChangeLogEntry
from ducha.ledger.actions import do_bulk_transition_problems
from ducha.ledger.evidence import EvidenceUpload, check_upload
from ducha.ledger.models import Evidence, Problem, RectificationStep
from ducha.ledger.rectification import TRANSITIONS, find_transition
from ducha.web.tests.conftest import ROLES, VISIBLE
from ducha.web.tests.helpers import PDF, assert_no_inline_code, by_testid, page, text

SIDE = {"office": "office", "group_a": "group", "league_a": "unit", "county_a": "unit", "viewer": None}
BUTTONS = {
    "found": {"unit": {"start"}, "group": {"dismiss"}, "office": {"start", "dismiss"}},
    "rectifying": {"unit": {"complete"}, "group": {"dismiss"}, "office": {"complete", "dismiss"}},
    "rectified": {"unit": set(), "group": {"sign_off", "reject"}, "office": {"sign_off", "reject"}},
    "signed_off": {"unit": set(), "group": set(), "office": set()},
    "dismissed": {"unit": set(), "group": set(), "office": set()},
}


def zh(message) -> str:
    with translation.override("zh-hans"):
        return str(translation.gettext(message))


def pdf(name: str = "整改报告.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def put(site, key: str, status: str) -> Problem:
    """Bring a problem to a status the way an import does (no role rules)."""
    problem = site.problems[key]
    if status != "found":
        do_bulk_transition_problems(
            [(problem, status, timezone.now(), problem.found_on)], actor=site.system, reason="导入"
        )
    return Problem.objects.get(pk=problem.pk)


def buttons(response) -> set[str]:
    return set(re.findall(r'data-testid="do-([a-z_]+)"', page(response)))


def unchanged_state(problem: Problem) -> tuple:
    problem = Problem.objects.get(pk=problem.pk)
    return problem.status, problem.rectified_on, problem.steps.count(), problem.evidence.count()


def transition_url(problem: Problem, target: str) -> str:
    return reverse("problems-transition", args=[problem.pk, target])


# ---------------------------------------------------------------------------
# The buttons.


@pytest.mark.parametrize("status", list(BUTTONS))
@pytest.mark.parametrize("role", ROLES)
def test_the_page_offers_the_steps_the_role_may_take(site, login, role, status):
    problem = put(site, "xincheng", status)

    response = login(role).get(reverse("problems-detail", args=[problem.pk]))

    if "xincheng" not in VISIBLE[role]:
        assert response.status_code == 404
        return
    assert_no_inline_code(page(response))
    side = SIDE[role]
    assert buttons(response) == (BUTTONS[status][side] if side else set())
    if not buttons(response):
        assert zh("Nothing for you to do here now.") in text(response)
    for target in re.findall(r'action="/problems/\d+/to/([a-z_]+)/"', page(response)):
        assert f'hx-post="{transition_url(problem, target)}"' in page(response)  # htmx and plain post alike


# ---------------------------------------------------------------------------
# Every legal step, tried by every role.


def data_for(transition) -> dict:
    data = {}
    if transition.needs_reason:
        data["reason"] = "复核不通过，整改不到位"
    if transition.needs_completion_date:
        data["completed_on"] = "2024-06-20"
    if transition.needs_evidence:
        data["evidence"] = pdf()
    return data


@pytest.mark.parametrize("transition", TRANSITIONS, ids=lambda t: f"{t.source}-{t.target}")
@pytest.mark.parametrize("role", ROLES)
def test_a_step_is_taken_only_by_the_roles_allowed(site, login, role, transition):
    problem = put(site, "xincheng", transition.source)
    before, log = unchanged_state(problem), ChangeLogEntry.objects.count()

    response = login(role).post(transition_url(problem, transition.target), data_for(transition))

    side = SIDE.get(role)
    if "xincheng" not in VISIBLE[role]:
        assert response.status_code == 404
    elif side and transition.verb in BUTTONS[transition.source][side]:
        assert response.status_code == 302
        assert Problem.objects.get(pk=problem.pk).status == transition.target
        assert ChangeLogEntry.objects.count() > log
        return
    else:
        assert response.status_code == 403
    assert unchanged_state(problem) == before
    assert ChangeLogEntry.objects.count() == log


def test_a_step_the_workflow_does_not_have_is_refused_with_a_message(site, login):
    problem = site.problems["hohhot"]
    client = login("office")

    plain = client.post(transition_url(problem, "signed_off"))
    followed = client.get(plain["Location"])
    htmx = client.post(transition_url(problem, "signed_off"), HTTP_HX_REQUEST="true")

    assert plain.status_code == 302
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refusal:
        find_transition("found", "signed_off")
    for response in (followed, htmx):
        assert 'class="error"' in page(response)
        assert " ".join(refusal.value.messages) in text(response)
    assert unchanged_state(problem) == ("found", None, 0, 0)


def test_an_unknown_target_is_not_found(site, login):
    response = login("office").post(transition_url(site.problems["hohhot"], "bogus"))
    assert response.status_code == 404


def test_a_get_on_a_step_changes_nothing(site, login):
    problem = site.problems["hohhot"]
    response = login("league_a").get(transition_url(problem, "rectifying"))

    assert response.status_code == 302 and response["Location"] == reverse("problems-detail", args=[problem.pk])
    assert unchanged_state(problem) == ("found", None, 0, 0)


# ---------------------------------------------------------------------------
# HTMX and plain posts.


def test_an_htmx_post_returns_the_panel_in_place(site, login):
    problem = site.problems["hohhot"]

    response = login("league_a").post(transition_url(problem, "rectifying"), HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert response.templates[0].name == "ledger/_rectification.html"
    html = page(response)
    assert "<html" not in html and "<nav" not in html  # a fragment, not a page
    assert 'id="workflow"' in html
    assert by_testid(response, "status") == zh("Rectifying")
    assert buttons(response) == {"complete"}
    assert_no_inline_code(html)
    assert Problem.objects.get(pk=problem.pk).status == "rectifying"


def test_an_htmx_post_with_an_error_shows_it_in_the_panel(site, login):
    problem = put(site, "hohhot", "rectifying")

    response = login("league_a").post(
        transition_url(problem, "rectified"), {"completed_on": "2024-06-20"}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200  # htmx swaps only 2xx answers
    alert = re.search(r'<p class="error" role="alert">(.*?)</p>', page(response), re.S)
    assert alert and zh("Attach at least one evidence file.") in text(alert.group(1))
    assert buttons(response) == {"complete"}
    assert unchanged_state(problem) == ("rectifying", None, 1, 0)


def test_a_plain_post_redirects_to_the_problem_page(site, login):
    problem = site.problems["hohhot"]
    client = login("league_a")

    response = client.post(transition_url(problem, "rectifying"))

    assert response.status_code == 302 and response["Location"] == reverse("problems-detail", args=[problem.pk])
    detail = client.get(response["Location"])
    assert zh("Done.") in text(detail)
    assert by_testid(detail, "status") == zh("Rectifying")
    steps = text(re.search(r'<ol class="steps">(.*?)</ol>', page(detail), re.S).group(1))
    assert "league_a" in steps and zh("To be rectified") in steps


def test_a_rejection_needs_a_reason_and_shows_it(site, login):
    problem = put(site, "fgw", "rectified")
    client = login("group_a")

    without = client.post(transition_url(problem, "rectifying"), {"reason": "  "}, HTTP_HX_REQUEST="true")
    assert zh("A reason is required.") in text(without)
    assert Problem.objects.get(pk=problem.pk).status == "rectified"

    with_reason = client.post(
        transition_url(problem, "rectifying"), {"reason": "佐证材料不完整"}, HTTP_HX_REQUEST="true"
    )
    assert Problem.objects.get(pk=problem.pk).status == "rectifying"
    assert "佐证材料不完整" in text(with_reason)


# ---------------------------------------------------------------------------
# Evidence.


def complete_with_evidence(client, problem, *files, htmx=False):
    extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(transition_url(problem, "rectified"), {"completed_on": "2024-06-20", "evidence": list(files)},
                       **extra)  # fmt: skip


def test_evidence_uploaded_with_the_step_is_listed_and_downloads(site, login):
    problem = put(site, "hohhot", "rectifying")
    client = login("league_a")

    response = complete_with_evidence(client, problem, pdf(), pdf("现场照片说明.pdf", PDF + b"%page2\n"))

    assert response.status_code == 302
    problem.refresh_from_db()
    assert (problem.status, str(problem.rectified_on)) == ("rectified", "2024-06-20")
    files = list(problem.evidence.order_by("pk"))
    assert [e.original_name for e in files] == ["整改报告.pdf", "现场照片说明.pdf"]
    assert {e.step_id for e in files} == {problem.steps.get(to_status="rectified").pk}
    detail = page(client.get(reverse("problems-detail", args=[problem.pk])))
    for evidence in files:
        assert f'href="{reverse("evidence-download", args=[evidence.pk])}">{evidence.original_name}</a>' in detail

    download = client.get(reverse("evidence-download", args=[files[0].pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%E6%95%B4%E6%94%B9%E6%8A%A5%E5%91%8A.pdf" in download["Content-Disposition"]


def test_evidence_uploaded_through_htmx_appears_in_the_panel(site, login):
    problem = put(site, "xincheng", "rectifying")

    response = complete_with_evidence(login("county_a"), problem, pdf(), htmx=True)

    evidence = Problem.objects.get(pk=problem.pk).evidence.get()
    assert response.status_code == 200
    assert f'href="{reverse("evidence-download", args=[evidence.pk])}"' in page(response)
    assert by_testid(response, "status") == zh("Rectified")


@pytest.mark.parametrize("role", ROLES)
def test_evidence_downloads_only_within_the_scope(site, login, role):
    problem = put(site, "xincheng", "rectifying")
    complete_with_evidence(login("county_a"), problem, pdf())
    evidence = Evidence.objects.get(problem=problem)

    response = login(role).get(reverse("evidence-download", args=[evidence.pk]))

    if "xincheng" in VISIBLE[role]:
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
    else:
        assert response.status_code == 404


def test_evidence_of_another_unit_is_not_found_even_by_its_id(site, login):
    problem = put(site, "baotou", "rectifying")
    complete_with_evidence(login("league_b"), problem, pdf())
    evidence = Evidence.objects.get(problem=problem)

    assert login("league_a").get(reverse("evidence-download", args=[evidence.pk])).status_code == 404
    assert login("league_a").get(reverse("evidence-download", args=[evidence.pk + 1000])).status_code == 404
    assert login("group_b").get(reverse("evidence-download", args=[evidence.pk])).status_code == 200


def expected_error(name: str, content: bytes) -> str:
    with translation.override("zh-hans"):
        try:
            check_upload(EvidenceUpload(name, content))
        except ValidationError as error:
            return re.sub(r"\s+", " ", " ".join(error.messages))  # as text() shows it
    raise AssertionError("the upload passes the checks")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("整改报告.exe", b"MZ\x90\x00\x03\x00\x00\x00"),  # a type not allowed
        ("整改报告.pdf", b"MZ\x90\x00\x03\x00\x00\x00"),  # a renamed program
        ("照片.png", PDF),  # a PDF named as a picture
        ("超大.pdf", PDF + b"0" * 2048),  # over the limit (set to 1 KiB here)
        ("无扩展名", PDF),
    ],
)
@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_a_refused_upload_gives_a_clear_message_and_changes_nothing(site, login, settings, name, content, htmx):
    settings.EVIDENCE_MAX_BYTES = 1024
    problem = put(site, "hohhot", "rectifying")
    client = login("league_a")
    before = unchanged_state(problem)

    response = complete_with_evidence(client, problem, pdf(), SimpleUploadedFile(name, content), htmx=htmx)

    shown = text(response) if htmx else text(client.get(response["Location"]))
    message = expected_error(name, content)
    assert name in message
    assert message in shown
    assert unchanged_state(problem) == before
    assert not [p for p in Path(settings.EVIDENCE_ROOT).rglob("*") if p.is_file()]  # not even the good file


def test_an_empty_file_is_refused(site, login):
    problem = put(site, "hohhot", "rectifying")
    response = complete_with_evidence(login("league_a"), problem, SimpleUploadedFile("空.pdf", b""), htmx=True)

    assert "所提交的是空文件" in text(response)  # Django's own message
    assert unchanged_state(problem)[0] == "rectifying"
    assert not RectificationStep.objects.filter(problem=problem, to_status="rectified").exists()
