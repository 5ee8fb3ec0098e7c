"""A red-flag run end to end below the web: a stored platform bid file → the job → flags
written in one change-log batch with their bid rows as read, project and unit; who may run
and who sees the runs; a file or settings the engine refuses fail the run with nothing written."""

import pytest

from ducha.analyses.models import RedFlag, RedFlagRun
from ducha.analyses.redflag_actions import do_start_redflag_run, may_run_redflags
from ducha.analyses.redflag_jobs import execute_redflag_run
from ducha.analyses.tests import redflag_sources
from ducha.core.access import AccessDenied, restrict
from ducha.core.models import ChangeLogEntry
from ducha.imports.jobs import store_upload
from ducha.imports.models import JobStatus
from ducha.ledger.models import Project


def run(small, user, bids=None, settings_text="") -> RedFlagRun:
    name, content = bids or redflag_sources.bids_csv()
    job = do_start_redflag_run(
        small.campaign, actor=user, bids=(name, store_upload(name, [content])), settings_text=settings_text
    )
    RedFlagRun.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    job.refresh_from_db()
    return execute_redflag_run(job, user)


def test_who_may_run_red_flags(small):
    for name in ("office", "group_a", "group_b"):
        assert may_run_redflags(small.users[name])
    for name in ("viewer", "league_a", "county_a", "dept_a", "norole"):
        assert not may_run_redflags(small.users[name])
        with pytest.raises(AccessDenied):
            run(small, small.users[name])


def test_a_run_writes_its_flags_in_one_batch(small):
    flagged_lot = next(s for code, s in sorted(redflag_sources.synthetic().truth) if code == "CN-NOT-TENDERED")
    number = flagged_lot.split("/")[0]
    project = small.projects["hohhot"]
    Project.objects.filter(pk=project.pk).update(number=number)  # the platform's number, as a unit would type it
    done = run(small, small.users["group_a"])
    assert done.status == JobStatus.DONE and done.steps_done == 3 and done.percent == 100, done.message
    assert done.group == small.groups["A"] and done.summary["rows"] == redflag_sources.synthetic().rows.num_rows
    flags = RedFlag.objects.filter(run=done)
    assert done.summary["flags"] == {code: flags.filter(indicator=code).count() for code in done.summary["flags"]}
    assert len(done.summary["flags"]) == 9
    planted = redflag_sources.synthetic().truth
    assert planted <= set(flags.values_list("indicator", "subject"))
    batches = set(ChangeLogEntry.objects.filter(object_type="analyses.redflag").values_list("batch", flat=True))
    assert len(batches) == 1
    lot = flags.get(indicator="CN-NOT-TENDERED", subject=flagged_lot)
    assert lot.project_id == project.pk and lot.unit == project.unit and lot.lot == flagged_lot and lot.buyer
    assert [r["行号"] for r in lot.row_values] == lot.rows and lot.row_values[0]["项目编号"] == number
    assert "应招未招" in lot.explanation or lot.explanation.startswith("标段")
    cover = flags.filter(indicator="CN-COVER-BIDDER")[0]
    assert cover.bidder == cover.subject and cover.scope_kind == "bidder" and len(cover.row_values) >= 6
    split = flags.filter(indicator="CN-SPLIT")[0]
    assert split.buyer == split.subject and split.project is None
    # Group A sees only its units: a buyer of 包头市 is named in words, its unit left out.
    units = set(flags.exclude(unit=None).values_list("unit__code", flat=True))
    assert units == {"150100"}
    assert flags.filter(unit=None, buyer__startswith="包头市").exists()
    assert (done.folder / "flags.csv").exists() and (done.folder / "flags.xlsx").exists()


def test_who_sees_a_run(small):
    done = run(small, small.users["group_a"])
    for name, sees in (("office", True), ("viewer", True), ("group_a", True), ("group_b", False),
                       ("league_a", False), ("norole", False)):  # fmt: skip
        user = small.users[name]
        assert restrict(RedFlagRun.objects.all(), user).filter(pk=done.pk).exists() == sees, name
        assert restrict(RedFlag.objects.filter(run=done), user).exists() == sees, name


def test_the_office_sees_every_unit(small):
    done = run(small, small.users["office"])
    assert done.group is None
    units = set(RedFlag.objects.filter(run=done).exclude(unit=None).values_list("unit__code", flat=True))
    assert {"150100", "150200"} <= units


@pytest.mark.parametrize(
    ("bids", "settings_text", "said"),
    [
        (("平台投标数据.xlsx", b"not a workbook at all"), "", "平台投标数据.xlsx"),
        (("平台.csv", "项目编号,标段,投标人,投标报价\nX,1,某公司,100\n".encode()), "", "招标人"),
        (None, "[CN-SAME-DEVICE]\nmax_ip_bidders = many\n", "max_ip_bidders"),
    ],
)
def test_a_refused_file_or_settings_fail_the_run_with_nothing_written(small, bids, settings_text, said):
    failed = run(small, small.users["office"], bids, settings_text)
    assert failed.status == JobStatus.FAILED and said in failed.message, failed.message
    assert not RedFlag.objects.exists()


def test_the_runs_duckdb_spills_under_the_servers_folder_not_the_working_directory(small, settings, tmp_path,
                                                                                  monkeypatch):  # fmt: skip
    settings.ANALYTICS_SPILL_DIR = tmp_path / "spill"
    monkeypatch.chdir(tmp_path)
    done = run(small, small.users["office"])
    assert done.status == JobStatus.DONE, done.message
    assert (tmp_path / "spill").is_dir() and list((tmp_path / "spill").iterdir()) == []  # its folder, removed
    assert not (tmp_path / ".tmp").exists()
