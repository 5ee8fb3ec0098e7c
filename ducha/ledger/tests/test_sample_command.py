"""`ducha sample`: a draw from the command line, and a draw checked by drawing it again."""

import io
import json

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from ducha.ledger.management.commands.sample import proportion
from ducha.ledger.models import Inspection, SampleDraw


def _sample(*args: str) -> str:
    out = io.StringIO()
    call_command("sample", *args, stdout=out)
    return out.getvalue()


def test_a_group_draws_for_its_group_and_the_draw_checks_out(small):
    out = json.loads(_sample("--as", "group_a", "--group", "A", "--proportion", "100%", "--seed", "s-1", "--json"))
    draw = SampleDraw.objects.get(pk=out["draw"])
    assert out["seed"] == draw.seed == "s-1" and draw.group == small.groups["A"]
    assert sorted(p["project"] for p in out["sample"]) == ["P-fgw", "P-hohhot", "P-xincheng"]
    assert {u["unit"] for u in out["units"]} == {"150100", "fgw"}
    assert json.loads(_sample("--check", str(draw.pk), "--json")) == {"draw": draw.pk, "seed": "s-1", "identical": True}


def test_without_a_seed_one_is_made_and_printed(small):
    out = _sample("--as", "office", "--unit", "150200", "--proportion", "0.5", "--minimum", "1")
    draw = SampleDraw.objects.get()
    assert draw.seed in out and "1" in out and draw.drawn == 1


def test_a_moved_population_is_reported_on_check(small):
    _sample("--as", "office", "--proportion", "0.5", "--seed", "s-2")
    draw = SampleDraw.objects.get()
    Inspection.objects.filter(draw=draw).update(draw=None)  # (the recorded sample tampered with)
    with pytest.raises(CommandError, match="不同"):
        _sample("--check", str(draw.pk))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as", "league_a", "--unit", "150100", "--proportion", "0.5"], "无权"),
        (["--as", "group_a", "--group", "B", "--proportion", "0.5"], "无权"),
        (["--as", "nobody", "--proportion", "0.5"], "nobody"),
        (["--as", "office", "--unit", "999999", "--proportion", "0.5"], "999999"),
        (["--as", "office", "--proportion", "0"], "比例"),
        (["--as", "office"], "--proportion"),
        (["--check", "424242"], "424242"),
    ],
)
def test_refusals_name_the_reason_and_write_nothing(small, args, message):
    with pytest.raises(CommandError, match=message):
        _sample(*args)
    assert not SampleDraw.objects.exists()


def test_the_proportion_reads_as_a_share_or_a_percent():
    assert [proportion(t) for t in ("0.1", "10%", "10", "1", "12.5%")] == [
        proportion("0.10"), proportion("0.1"), proportion("0.1"), 1, proportion("0.125")
    ]  # fmt: skip
    with pytest.raises(ValueError):
        proportion("十")


def test_the_command_runs_the_system_checks_as_the_console_script_does(small):
    """(`ducha sample` runs Django's checks first: nothing of the command may stand in their way.)"""
    with pytest.raises(CommandError, match="424242"):
        call_command("sample", "--check", "424242", skip_checks=False)


def test_the_draw_and_the_check_show_their_steps_on_standard_error(small):
    err = io.StringIO()
    args = ("--as", "office", "--proportion", "100%", "--seed", "s-3", "--progress", "always")
    call_command("sample", *args, stdout=io.StringIO(), stderr=err)
    draw = SampleDraw.objects.get()
    lines = err.getvalue().split("\r")
    # One line redrawn in place: a third of the bar per step, each with what it counted.
    assert [line[:36] for line in lines[1:]] == [
        "[##########--------------------]  33",
        "[####################----------]  67",
        "[##############################] 100",
    ]
    assert f"{draw.population}" in lines[1] and f"{draw.drawn}" in lines[3]
    err = io.StringIO()
    call_command("sample", "--check", str(draw.pk), "--progress", "always", stdout=io.StringIO(), stderr=err)
    # A check from here records nothing: the population read, the sample drawn again.
    assert [line[:36] for line in err.getvalue().split("\r")[1:]] == [
        "[###############---------------]  50",
        "[##############################] 100",
    ]
    quiet = io.StringIO()  # not a terminal: no bar unless asked
    call_command("sample", "--check", str(draw.pk), stdout=io.StringIO(), stderr=quiet)
    assert quiet.getvalue() == ""


def test_a_large_sample_is_recorded_in_parts_of_one_batch_telling_how_far_it_got(small, monkeypatch):
    from ducha.core.models import ChangeLogEntry
    from ducha.ledger import sampling

    monkeypatch.setattr(sampling, "RECORD_CHUNK", 2)  # (10,000 in earnest: the small campaign has a few projects)
    err = io.StringIO()
    args = ("--as", "office", "--proportion", "100%", "--seed", "s-4", "--progress", "always")
    call_command("sample", *args, stdout=io.StringIO(), stderr=err)
    draw = SampleDraw.objects.get()
    assert draw.drawn >= 5 and Inspection.objects.filter(draw=draw).count() == draw.drawn
    lines = err.getvalue().split("\r")[1:]
    with translation.override(settings.LANGUAGE_CODE):  # (the command speaks the server's language)
        so_far = translation.gettext("Recording sampling inspections: %(count)s so far").split("%(count)s")[0]
    recording = [line for line in lines if so_far in line]
    assert len(recording) == (draw.drawn - 1) // 2  # after each part but the last
    shares = [int(line.split("]")[1].split("%")[0]) for line in lines]
    assert shares == sorted(shares) and shares[-1] == 100 and 67 < shares[2] < 100
    # One change-log batch: the draw, its inspections, the projects' flags.
    batch = ChangeLogEntry.objects.get(object_type="ledger.sampledraw", object_id=str(draw.pk)).batch
    logged = ChangeLogEntry.objects.filter(batch=batch)
    assert logged.filter(object_type="ledger.inspection").count() == draw.drawn
