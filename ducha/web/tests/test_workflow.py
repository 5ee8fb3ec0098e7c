"""The rectification workflow in the problem page: the steps a role gets, each as a form
asking for what it needs (measures, opinion, reason, date, files; required ones marked),
errors in Chinese at their fields, refusal of anything else even when posted by hand,
HTMX posts answered with the whole page current (status, fields, steps, history), plain
posts redirected, evidence uploaded through the step's form (checked for type and size)
and downloaded only within the scope."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import formats, timezone, translation

from ducha.core.models import ChangeLogEntry
from ducha.ledger.actions import Move, do_bulk_transition_problems
from ducha.ledger.evidence import EvidenceUpload, check_upload
from ducha.ledger.models import Evidence, Problem, RectificationStep
from ducha.ledger.rectification import TRANSITIONS, StepInput, check_requirements, find_transition
from ducha.testing import zh
from ducha.web.tests.conftest import ROLES, VISIBLE
from ducha.web.tests.helpers import PDF, assert_no_inline_code, by_testid, page, text

PAGE_TRANSITIONS = [t for t in TRANSITIONS if not t.look_back]  # (a reopening is a look-back's)

SIDE = {"office": "office", "group_a": "group", "league_a": "unit", "county_a": "unit", "viewer": None}
BUTTONS = {
    "found": {"unit": {"start"}, "group": {"dismiss"}, "office": {"start", "dismiss"}},
    "rectifying": {"unit": {"complete"}, "group": {"dismiss"}, "office": {"complete", "dismiss"}},
    "rectified": {"unit": set(), "group": {"sign_off", "reject"}, "office": {"sign_off", "reject"}},
    "signed_off": {"unit": set(), "group": set(), "office": set()},
    "dismissed": {"unit": set(), "group": set(), "office": set()},
}


def pdf(name: str = "整改报告.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def put(site, key: str, status: str) -> Problem:
    """Bring a problem to a status the way an import does (no role rules), with what
    its steps need."""
    problem = site.problems[key]
    if status != "found":
        needs = {"reason": "导入", "measures": "导入的整改措施", "opinion": "同意销号"}
        evidence = [EvidenceUpload("导入.pdf", PDF)]
        move = Move(problem, status, timezone.now(), completed_on=problem.found_on, evidence=evidence, **needs)
        do_bulk_transition_problems([move], actor=site.system)
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
    if transition.needs_measures:
        data["measures"] = "重新组织招标，约谈代理机构"
    if transition.needs_opinion:
        data["opinion"] = "整改到位，同意销号"
    if transition.needs_completion_date:
        data["completed_on"] = "2024-06-20"
    if transition.needs_evidence:
        data["evidence"] = pdf()
    return data


@pytest.mark.parametrize("transition", PAGE_TRANSITIONS, ids=lambda t: f"{t.source}-{t.target}")
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
    htmx = client.post(transition_url(problem, "signed_off"), HTTP_HX_REQUEST="true")

    with translation.override("zh-hans"), pytest.raises(ValidationError) as refusal:
        find_transition("found", "signed_off")
    for response in (plain, htmx):
        assert response.status_code == 200  # the page again, with the refusal in its panel
        alert = re.search(r'<p class="error" role="alert">(.*?)</p>', page(response), re.S)
        assert alert and " ".join(refusal.value.messages) in text(alert.group(1))
        assert buttons(response) == {"start", "dismiss"}  # what the office may do now
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
# Each step's form: what it needs, required fields marked, errors at the fields.


def step_form(response, verb: str) -> str:
    match = re.search(rf'<form [^>]*data-testid="form-{verb}"[^>]*>(.*?)</form>', page(response), re.S)
    assert match, f"no form for {verb}"
    return match.group(1)


def form_inputs(form_html: str) -> dict[str, bool]:
    """The fields a form posts (name → whether it is required), the CSRF token left out."""
    inputs = {}
    for tag in re.findall(r"<(?:input|textarea|select)\b[^>]*>", form_html):
        name = re.search(r'name="([^"]+)"', tag).group(1)
        if name != "csrfmiddlewaretoken":
            inputs[name] = bool(re.search(r"\srequired\b", tag))
    return inputs


def marked_required(form_html: str) -> set[str]:
    """The fields whose label carries the required mark."""
    return set(re.findall(r'<label for="[a-z_]+-([a-z_]+)">[^<]*<span class="required"', form_html))


NEEDS = {"reason": "needs_reason", "measures": "needs_measures", "opinion": "needs_opinion",
         "completed_on": "needs_completion_date", "evidence": "needs_evidence"}  # fmt: skip


@pytest.mark.parametrize("transition", PAGE_TRANSITIONS, ids=lambda t: f"{t.source}-{t.target}")
def test_each_step_asks_for_what_it_needs_and_marks_it_required(site, login, transition):
    problem = put(site, "hohhot", transition.source)

    response = login("office").get(reverse("problems-detail", args=[problem.pk]))

    form = step_form(response, transition.verb)
    needed = {name for name, flag in NEEDS.items() if getattr(transition, flag)}
    assert form_inputs(form) == dict.fromkeys(needed, True)
    assert marked_required(form) == needed
    assert 'hx-target="main"' in re.search(
        rf'<form [^>]*data-testid="form-{transition.verb}"[^>]*>', page(response)
    ).group(0)
    if transition.needs_measures:
        assert re.search(r'<textarea name="measures"[^>]*required', form)  # a textarea, not one line
        assert zh("rectification measures") in text(form)


def test_starting_without_measures_is_refused_at_the_field(site, login):
    problem = site.problems["hohhot"]

    for extra in ({}, {"HTTP_HX_REQUEST": "true"}):
        response = login("league_a").post(transition_url(problem, "rectifying"), {"measures": "   "}, **extra)

        assert response.status_code == 200
        assert by_testid(response, "error-measures") == zh("This field is required.")
        assert 'class="field invalid"' in step_form(response, "start")
    assert unchanged_state(problem) == ("found", None, 0, 0)


def test_signing_off_needs_an_opinion_and_the_steps_show_it(site, login):
    problem = put(site, "fgw", "rectified")
    client = login("group_a")

    without = client.post(transition_url(problem, "signed_off"), {"opinion": ""}, HTTP_HX_REQUEST="true")
    assert by_testid(without, "error-opinion") == zh("This field is required.")
    assert Problem.objects.get(pk=problem.pk).status == "rectified"

    response = client.post(transition_url(problem, "signed_off"), {"opinion": "整改到位，同意销号"})
    assert response.status_code == 302
    detail = client.get(response["Location"])
    assert by_testid(detail, "status") == zh("Signed off")
    assert by_testid(detail, "step-opinion") == "整改到位，同意销号"
    assert RectificationStep.objects.get(problem=problem, to_status="signed_off").opinion == "整改到位，同意销号"


def test_a_completion_date_after_today_is_refused_at_its_field(site, login):
    problem = put(site, "hohhot", "rectifying")
    tomorrow = timezone.localdate() + dt.timedelta(days=1)

    response = login("league_a").post(
        transition_url(problem, "rectified"), {"completed_on": tomorrow.isoformat(), "evidence": [pdf()]},
        HTTP_HX_REQUEST="true",
    )  # fmt: skip

    assert response.status_code == 200
    transition = find_transition("rectifying", "rectified")
    step = StepInput(evidence_count=1, completed_on=tomorrow)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refusal:  # the action's own words
        check_requirements(transition, step, found_on=problem.found_on, as_of=timezone.localdate())
    assert by_testid(response, "error-completed_on") == refusal.value.message_dict["completed_on"][0]
    assert 'value="' + tomorrow.isoformat() + '"' in step_form(response, "complete")  # kept for correcting
    assert unchanged_state(problem) == ("rectifying", None, 1, 0)


def test_the_steps_show_measures_and_reasons(site, login):
    problem = site.problems["hohhot"]
    client = login("league_a")
    client.post(transition_url(problem, "rectifying"), {"measures": "约谈代理机构，重新招标"})
    login("group_a").post(transition_url(problem, "dismissed"), {"reason": "经核实不属实"})

    detail = client.get(reverse("problems-detail", args=[problem.pk]))

    assert by_testid(detail, "step-measures") == "约谈代理机构，重新招标"
    assert by_testid(detail, "step-reason") == "经核实不属实"


# ---------------------------------------------------------------------------
# HTMX and plain posts.


def main_region(response) -> str:
    match = re.search(r"<main>(.*)</main>", page(response), re.S)
    assert match, "no main region"
    return match.group(1)


def field_value(response, label: str) -> str:
    fields = dict(re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", page(response), re.S))
    return text(fields[zh(label)])


def history_rows(response) -> int:
    table = re.search(r'<table class="grid history">.*?<tbody>(.*?)</tbody>', page(response), re.S).group(1)
    return len(re.findall(r"<tr\b", table))


def test_an_htmx_post_returns_the_whole_page_current(site, login):
    problem = site.problems["hohhot"]
    client = login("league_a")
    before = client.get(reverse("problems-detail", args=[problem.pk]))
    assert field_value(before, "rectification measures") == ""

    response = client.post(transition_url(problem, "rectifying"), {"measures": "约谈代理机构"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    html = main_region(response)  # what the forms' hx-select takes from the answer
    assert_no_inline_code(page(response))
    assert by_testid(response, "status") == zh("Rectifying")
    assert buttons(response) == {"complete"}
    assert field_value(response, "status") == zh("Rectifying")
    assert field_value(response, "rectification measures") == "约谈代理机构"
    assert by_testid(response, "step-measures") == "约谈代理机构"
    assert zh("Done.") in text(html)
    assert history_rows(response) > history_rows(before)
    assert "约谈代理机构" in text(re.search(r'<table class="grid history">(.*?)</table>', html, re.S).group(1))
    assert Problem.objects.get(pk=problem.pk).status == "rectifying"


def test_an_htmx_step_brings_rectified_on_and_the_evidence(site, login):
    problem = put(site, "hohhot", "rectifying")

    response = complete_with_evidence(login("league_a"), problem, pdf(), htmx=True)

    assert response.status_code == 200
    with translation.override("zh-hans"):  # 2024-06-20, or 2024年6月20日
        assert field_value(response, "rectified on") in {"2024-06-20", formats.date_format(dt.date(2024, 6, 20))}
    assert "整改报告.pdf" in by_testid(response, "evidence")
    assert by_testid(response, "status") == zh("Rectified")


def test_an_htmx_post_with_an_error_shows_it_at_the_field(site, login):
    problem = put(site, "hohhot", "rectifying")

    response = login("league_a").post(
        transition_url(problem, "rectified"), {"completed_on": "2024-06-20"}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200  # htmx swaps only 2xx answers
    assert by_testid(response, "error-evidence") == zh("Attach at least one evidence file.")
    assert buttons(response) == {"complete"}
    assert unchanged_state(problem) == ("rectifying", None, 1, 0)


def test_a_plain_post_redirects_to_the_problem_page(site, login):
    problem = site.problems["hohhot"]
    client = login("league_a")

    response = client.post(transition_url(problem, "rectifying"), {"measures": "重新组织招标"})

    assert response.status_code == 302 and response["Location"] == reverse("problems-detail", args=[problem.pk])
    detail = client.get(response["Location"])
    assert zh("Done.") in text(detail)
    assert by_testid(detail, "status") == zh("Rectifying")
    steps = text(re.search(r'<ol class="steps"[^>]*>(.*?)</ol>', page(detail), re.S).group(1))
    assert "league_a" in steps and zh("To be rectified") in steps and "重新组织招标" in steps


def test_a_rejection_needs_a_reason_and_shows_it(site, login):
    problem = put(site, "fgw", "rectified")
    client = login("group_a")

    without = client.post(transition_url(problem, "rectifying"), {"reason": "  "}, HTTP_HX_REQUEST="true")
    assert by_testid(without, "error-reason") == zh("This field is required.")
    assert Problem.objects.get(pk=problem.pk).status == "rectified"

    with_reason = client.post(
        transition_url(problem, "rectifying"), {"reason": "佐证材料不完整"}, HTTP_HX_REQUEST="true"
    )
    assert Problem.objects.get(pk=problem.pk).status == "rectifying"
    assert by_testid(with_reason, "step-reason") == "佐证材料不完整"


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

    assert response.status_code == 200  # the page again, the refusal at the files
    shown = by_testid(response, "error-evidence")
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
