"""Draws and checks as background jobs: the form queues a job, the worker draws and tells
its steps, the job's page follows them and links the draw; a draw refused when the job
runs records nothing and says why; jobs are scoped like the draws; a check is a job whose
result the draw keeps, in the change log."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from ducha.core.actions import do_update_object
from ducha.core.models import ChangeLogEntry
from ducha.imports.models import JobStatus, SamplingJob
from ducha.imports.sampling_jobs import CHECKED
from ducha.ledger.models import Inspection, Project, SampleDraw
from ducha.ledger.sampling import DRAWN, POPULATION, RECORDED
from ducha.org.models import Assignment
from ducha.web.tests.helpers import by_testid, page, run_jobs, text


def _jobs_listed(response) -> str:
    """The index's table of sampling jobs, as text ("" when there is none)."""
    match = re.search(r'data-testid="jobs">(.*?)</table>', page(response), re.S)
    return text(match.group(1)) if match else ""


def _queue(client, **fields) -> SamplingJob:
    data = {"covers": "all", "proportion": "50", "minimum": "1", "weighting": "none", "seed": "作业-1"} | fields
    response = client.post(reverse("sampling"), data)
    assert response.status_code == 302, text(response)
    match = re.fullmatch(r"/sampling/jobs/(\d+)/", response["Location"])
    assert match, response["Location"]
    return SamplingJob.objects.get(pk=int(match.group(1)))


def test_the_form_queues_a_job_the_worker_draws_and_the_page_follows(site, login):
    client = login("office", HTTP_ACCEPT_LANGUAGE="zh-hans")
    job = _queue(client)
    # Queued: nothing drawn yet; the page polls its progress.
    assert job.status == JobStatus.QUEUED and job.user == site.users["office"]
    assert not SampleDraw.objects.exists() and not Inspection.objects.filter(kind="sample").exists()
    waiting = client.get(reverse("sampling-job", args=[job.pk]))
    assert 'hx-trigger="every 1s"' in page(waiting) and 'data-testid="outcome"' not in page(waiting)
    assert client.get(reverse("sampling-job-progress", args=[job.pk])).status_code == 200

    assert run_jobs() == 1
    job.refresh_from_db()
    assert (job.status, job.percent, job.steps_done) == (JobStatus.DONE, 100, 3), job.message
    draw = job.draw
    recorded = Inspection.objects.filter(draw=draw, kind="sample")
    self_inspected = Project.objects.filter(campaign=site.campaign, self_inspected=True).count()
    # Each step told with what it counted: the population, the sample, the inspections.
    assert [(s["step"], s["count"]) for s in job.steps] == [
        (POPULATION, self_inspected),
        (DRAWN, draw.drawn),
        (RECORDED, draw.drawn),
    ]
    assert draw.population == len(draw.population_ids) == self_inspected
    assert recorded.count() == draw.drawn > 0 and draw.seed == "作业-1" and draw.drawn_by == site.users["office"]
    assert all(p.sampled for p in Project.objects.filter(inspections__draw=draw))
    with translation.override("zh-hans"):
        expected = gettext("Drawn: %(n)d of %(total)d projects.") % {"n": draw.drawn, "total": draw.population}
    assert job.message == expected
    done = client.get(reverse("sampling-job", args=[job.pk]))
    assert by_testid(done, "message") == expected and "hx-trigger" not in page(done)
    assert f'href="{reverse("sampling-draw", args=[draw.pk])}"' in page(done)
    assert len(re.findall(r"<li>", page(done).split('data-testid="steps"')[1].split("</ol>")[0])) == 3
    # The job's creation and end, in the change log.
    logged = ChangeLogEntry.objects.filter(object_type="imports.samplingjob", object_id=str(job.pk))
    assert list(logged.values_list("action", flat=True)) == ["create", "update"]
    # The index lists the job with its draw.
    assert f"#{job.pk}" in _jobs_listed(client.get(reverse("sampling")))


def test_a_draw_refused_when_the_job_runs_records_nothing_and_says_why(site, login):
    client = login("group_a", HTTP_ACCEPT_LANGUAGE="zh-hans")
    job = _queue(client, covers=f"u{site.units['fgw'].pk}", proportion="100")
    # Before the worker runs it, 发改委 passes to group B: group A may not draw there any more.
    assignment = Assignment.objects.get(campaign=site.campaign, unit=site.units["fgw"])
    do_update_object(assignment, actor=site.system, changes={"group": site.groups["B"]})
    assert run_jobs() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.draw is None
    with translation.override("zh-hans"):
        reason = gettext("%(name)s may not draw a sample there.") % {"name": "group_a"}
        assert job.message == gettext("Refused, nothing was recorded: %(reason)s") % {"reason": reason}
    assert "无权" in job.message  # the reason, in Chinese
    assert not SampleDraw.objects.exists() and not Inspection.objects.filter(kind="sample").exists()
    assert not Project.objects.filter(campaign=site.campaign, sampled=True).exists()
    # The office still sees the job (group A no longer does: 发改委 is not its unit).
    failed = login("office", HTTP_ACCEPT_LANGUAGE="zh-hans").get(reverse("sampling-job", args=[job.pk]))
    assert 'class="result-problems" data-testid="message"' in page(failed) and "无权" in text(failed)
    assert 'data-testid="to-draw"' not in page(failed)


@pytest.mark.parametrize(
    ("covers", "seen_by"),
    [
        ("g:A", {"office", "viewer", "group_a"}),
        ("u:150100", {"office", "viewer", "group_a", "league_a"}),
        ("u:150102", {"office", "viewer", "group_a", "league_a", "county_a"}),
        ("all", {"office", "viewer"}),
    ],
)
def test_jobs_are_scoped_like_their_draws(site, login, covers, seen_by):
    kind, _, code = covers.partition(":")
    value = {"g": lambda: f"g{site.groups[code].pk}", "u": lambda: f"u{site.units[code].pk}"}.get(kind, lambda: "all")
    job = _queue(login("office"), covers=value())
    run_jobs()
    job.refresh_from_db()
    for name in ("office", "viewer", "group_a", "group_b", "league_a", "county_a", "dept_a", "league_b"):
        client = login(name)
        status = 200 if name in seen_by else 404
        assert client.get(reverse("sampling-job", args=[job.pk])).status_code == status, name
        assert client.get(reverse("sampling-job-progress", args=[job.pk])).status_code == status, name
        assert (f"#{job.pk}" in _jobs_listed(client.get(reverse("sampling")))) == (name in seen_by), name
    assert login("norole").get(reverse("sampling-job", args=[job.pk])).status_code == 404


def test_a_check_is_a_job_recorded_on_the_draw_by_who_may_change_it(site, login):
    _queue(login("office"), covers=f"u{site.units['150100'].pk}")
    run_jobs()
    draw = SampleDraw.objects.get()
    # A unit reporter sees the draw but is offered no check and may not start one.
    league = login("league_a")
    assert 'data-testid="run-check"' not in page(league.get(reverse("sampling-draw", args=[draw.pk])))
    assert league.post(reverse("sampling-check", args=[draw.pk])).status_code == 403
    assert login("group_b").post(reverse("sampling-check", args=[draw.pk])).status_code == 404
    assert SamplingJob.objects.count() == 1

    client = login("group_a")
    shown = client.get(reverse("sampling-draw", args=[draw.pk]))
    assert 'data-testid="run-check"' in page(shown) and 'class="muted" data-testid="check"' in page(shown)
    started = client.post(reverse("sampling-check", args=[draw.pk]))
    check = SamplingJob.objects.get(kind="check")
    assert started["Location"] == reverse("sampling-job", args=[check.pk]) and check.draw == draw
    # While it waits, the draw's page links the running check instead of offering another.
    waiting = page(client.get(reverse("sampling-draw", args=[draw.pk])))
    assert 'data-testid="checking"' in waiting and 'data-testid="run-check"' not in waiting
    assert run_jobs() == 1
    check.refresh_from_db()
    draw.refresh_from_db()
    assert check.status == JobStatus.DONE and [s["step"] for s in check.steps] == [POPULATION, DRAWN, RECORDED]
    assert draw.holds is True and draw.checked_at is not None
    logged = ChangeLogEntry.objects.filter(object_type="ledger.sampledraw", object_id=str(draw.pk), action="update")
    assert logged.get().after == {"checked_at": logged.get().after["checked_at"], "holds": True}
    assert logged.get().actor == site.users["group_a"]
    with translation.override("zh-hans"):
        said = gettext(CHECKED[True])
    assert by_testid(client.get(reverse("sampling-draw", args=[draw.pk])), "check").startswith(said)
    assert check.message == said


def test_a_check_of_a_tampered_sample_is_recorded_as_not_holding(site, login):
    _queue(login("office"), covers=f"u{site.units['150200'].pk}", proportion="100")
    run_jobs()
    draw = SampleDraw.objects.get()
    Inspection.objects.filter(draw=draw).update(draw=None)  # (the recorded sample tampered with)
    login("office").post(reverse("sampling-check", args=[draw.pk]))
    run_jobs()
    draw.refresh_from_db()
    assert draw.holds is False
    shown = page(login("office").get(reverse("sampling-draw", args=[draw.pk])))
    assert '<p class="error" data-testid="check">' in shown
    with translation.override("zh-hans"):
        assert SamplingJob.objects.get(kind="check").message == gettext(CHECKED[False])


def test_the_draws_page_lists_the_sample_by_unit_and_number_as_recorded(site, login):
    def listed(user: str, draw: SampleDraw) -> list[str]:
        html = page(login(user).get(reverse("sampling-draw", args=[draw.pk])))
        body = re.search(r'data-testid="sample">.*?<tbody>(.*?)</tbody>', html, re.S).group(1)
        return re.findall(r'<tr><td><a href="[^"]*">([^<]*)</a>', body)

    def in_order(draw: SampleDraw) -> list[str]:
        projects = Project.objects.filter(inspections__draw=draw).select_related("unit")
        return [p.number for p in sorted(projects, key=lambda p: (p.unit.order, p.unit.code, p.number, p.pk))]

    # A group's draw, as its member reads it (the read scoped through the projects).
    _queue(login("group_a"), covers=f"g{site.groups['A'].pk}", proportion="100", seed="顺序")
    run_jobs()
    group_draw = SampleDraw.objects.get()
    assert listed("group_a", group_draw) == in_order(group_draw) == ["P-hohhot", "P-xincheng", "P-fgw"]
    # The rest, campaign-wide, as the office reads it (no project row read) and a viewer.
    _queue(login("office"), proportion="100", seed="顺序")
    run_jobs()
    campaign_wide = SampleDraw.objects.exclude(pk=group_draw.pk).get()
    assert len(in_order(campaign_wide)) == len(site.projects) - 3
    assert listed("office", campaign_wide) == listed("viewer", campaign_wide) == in_order(campaign_wide)


def test_the_percent_counts_the_inspections_recorded_so_far():
    steps = [{"step": POPULATION, "count": 100}, {"step": DRAWN, "count": 10}]
    job = SamplingJob(rows_total=3, steps_done=2, steps=[*steps, {"step": "recording", "count": 5}])
    assert job.percent == 83  # two steps of three, and half the third
    assert SamplingJob(rows_total=3, steps_done=2, steps=steps).percent == 66


def test_a_job_recording_in_parts_ends_with_its_three_steps(site, login, monkeypatch):
    from ducha.ledger import sampling

    monkeypatch.setattr(sampling, "RECORD_CHUNK", 2)
    job = _queue(login("office"), proportion="100")
    run_jobs()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.draw.drawn > 2
    assert [s["step"] for s in job.steps] == [POPULATION, DRAWN, RECORDED] and job.percent == 100
    assert Inspection.objects.filter(draw=job.draw).count() == job.draw.drawn


def test_a_check_refused_when_it_runs_says_why(site, login):
    _queue(login("office"), covers=f"u{site.units['fgw'].pk}", proportion="100")
    run_jobs()
    draw = SampleDraw.objects.get()
    login("group_a", HTTP_ACCEPT_LANGUAGE="zh-hans").post(reverse("sampling-check", args=[draw.pk]))
    # Before the worker runs it, 发改委 passes to group B: group A may not change the draw now.
    assignment = Assignment.objects.get(campaign=site.campaign, unit=site.units["fgw"])
    do_update_object(assignment, actor=site.system, changes={"group": site.groups["B"]})
    assert run_jobs() == 1
    check = SamplingJob.objects.get(kind="check")
    draw.refresh_from_db()
    assert check.status == JobStatus.FAILED and draw.checked_at is None and draw.holds is None
    with translation.override("zh-hans"):
        reason = gettext("%(name)s may not check this draw.") % {"name": "group_a"}
        assert check.message == gettext("Refused, nothing was recorded: %(reason)s") % {"reason": reason}


def test_a_second_draw_waits_for_the_first(site, login):
    first = _queue(login("office"))
    again = login("group_b", HTTP_ACCEPT_LANGUAGE="zh-hans").post(
        reverse("sampling"),
        {"covers": f"g{site.groups['B'].pk}", "proportion": "50", "minimum": "1", "weighting": "none", "seed": "再"},
    )
    assert again.status_code == 400 and SamplingJob.objects.count() == 1
    with translation.override("zh-hans"):
        said = gettext("Another draw is queued or running (job %(n)s): wait until it has finished.") % {"n": first.pk}
    assert by_testid(again, "error-form") == said
    run_jobs()
    _queue(login("group_b"), covers=f"g{site.groups['B'].pk}", seed="再")  # the first done: the second is queued
    # A job left running by a worker that died blocks no draw for ever.
    SamplingJob.objects.update(status=JobStatus.RUNNING, created_at=timezone.now() - dt.timedelta(hours=1))
    _queue(login("office"), seed="三")
