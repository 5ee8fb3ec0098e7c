"""A comparison run end to end below the web: three stored files → the job → findings
written in one change-log batch with their units and source rows; a file that is not a
workbook fails the run with nothing written; chosen findings → problems (item by rule,
evidence workbook opened, one batch, not twice, refused out of scope with nothing written)."""

import io

import openpyxl
import pytest
from django.contrib.auth import get_user_model

from ducha.analyses.actions import do_create_problems_from_findings, do_start_comparison, may_compare
from ducha.analyses.jobs import execute_comparison
from ducha.analyses.models import Comparison, ComparisonFinding
from ducha.analyses.tests import sources
from ducha.analytics.reconcile import ReconcileSettings
from ducha.core.access import AccessDenied
from ducha.core.models import ChangeLogEntry
from ducha.imports.jobs import store_upload
from ducha.imports.models import JobStatus
from ducha.ledger.evidence import evidence_path
from ducha.ledger.models import Evidence, Problem
from ducha.org.models import Unit


@pytest.fixture
def group_s(small):
    return sources.add_state_property_group(small, get_user_model())


def start(small, user, files=None) -> Comparison:
    stored = {k: (name, store_upload(name, [content])) for k, (name, content) in (files or sources.files()).items()}
    return do_start_comparison(small.campaign, actor=user, files=stored, settings=ReconcileSettings())


def run(small, user, files=None) -> Comparison:
    job = start(small, user, files)
    Comparison.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    job.refresh_from_db()
    return execute_comparison(job, user)


def test_who_may_compare(small, group_s):
    assert may_compare(small.users["office"]) and may_compare(small.users["group_s"])
    for name in ("viewer", "group_a", "league_a", "norole"):
        assert not may_compare(small.users[name])
        with pytest.raises(AccessDenied):
            start(small, small.users[name])


def test_a_run_writes_its_findings_in_one_batch(small, group_s):
    done = run(small, small.users["group_s"])
    assert done.status == JobStatus.DONE and done.group == group_s and done.steps_done == 3 and done.percent == 100
    found = ComparisonFinding.objects.filter(comparison=done)
    truth = {f: sum(c.finding == f for c in sources.synthetic().cases) for f in done.summary["findings"]}
    assert done.summary["findings"] == {k: found.filter(finding=k).count() for k in truth}
    assert found.filter(finding="应进未进").count() >= 2 and found.filter(finding="低价成交").count() >= 2
    batches = set(
        ChangeLogEntry.objects.filter(object_type="analyses.comparisonfinding").values_list("batch", flat=True)
    )
    assert len(batches) == 1
    # The group sees only its units: a finding elsewhere names its unit in words only.
    units = set(found.exclude(unit=None).values_list("unit__code", flat=True))
    assert units and units <= set(sources.GROUP_UNITS)
    elsewhere = list(found.filter(unit=None).values_list("unit_named", flat=True))
    assert elsewhere and all(named and "公司" not in named for named in elsewhere)  # 赤峰市 …, not the reporter
    low = found.filter(finding="低价成交").first()
    row = low.source_values["exchange"][0]
    assert row["行号"] == low.exchange_rows[0] and row["标的企业名称"] and "成交金额（万元）" in row
    assert low.rule == "below_appraisal"


def test_a_file_that_is_not_a_workbook_fails_the_run(small, group_s):
    files = sources.files() | {"exchange": ("交易所.xlsx", b"not a workbook at all")}
    failed = run(small, small.users["office"], files)
    assert failed.status == JobStatus.FAILED and "交易所.xlsx" in failed.message
    assert not ComparisonFinding.objects.exists()


def test_findings_become_problems_with_their_rows_as_evidence(small, group_s):
    user = small.users["office"]
    done = run(small, user)
    found = ComparisonFinding.objects.filter(comparison=done).exclude(unit=None)
    chosen = [found.filter(rule="not_on_exchange").first(), found.filter(rule="below_appraisal").first()]
    misreported = found.filter(finding="自报不实").first()
    turned = do_create_problems_from_findings([*chosen, misreported], actor=user)
    assert not turned.refused and len(turned.created) == 3
    problems = {f.rule: p for f, p in turned.created}
    assert problems["not_on_exchange"].item.code == "S01" and problems["below_appraisal"].item.code == "S05"
    assert problems[misreported.rule].item is None and problems[misreported.rule].category.code == "S"
    for finding, problem in turned.created:
        problem.refresh_from_db()
        assert problem.domain.code == "state_property" and problem.discovery_method == "analytics"
        assert problem.unit == finding.unit and problem.found_on == small.campaign.as_of()
        assert problem.description.startswith(f"三方比对发现{finding.finding}：{finding.enterprise_name}")
        finding.refresh_from_db()
        assert finding.problem == problem
        evidence = Evidence.objects.get(problem=problem)
        book = openpyxl.load_workbook(io.BytesIO(evidence_path(evidence.sha256).read_bytes()))
        assert book.sheetnames == ["产权交易所成交记录", "市场监管股东变更登记", "企业自报交易情况"]
        for sheet, kind in zip(book.worksheets, ("exchange", "registry", "self_reports"), strict=True):
            read = list(sheet.iter_rows(values_only=True))
            assert read[0][:2] == ("行号", next(iter(sources.HEADERS[kind])))
            assert [r[0] for r in read[1:]] == getattr(finding, sources_rows(kind))
    logged = ChangeLogEntry.objects.filter(
        object_type__in=["ledger.problem", "ledger.evidence", "analyses.comparisonfinding"]
    )
    newest = logged.order_by("-pk")[:9]
    assert len({e.batch for e in newest}) == 1  # 3 problems, 3 evidence, 3 links
    again = do_create_problems_from_findings(chosen, actor=user)
    assert (
        not again.created
        and len(again.refused) == 2
        and Problem.objects.filter(discovery_method="analytics").count() == 3
    )


def sources_rows(kind: str) -> str:
    return {"exchange": "exchange_rows", "registry": "registry_rows", "self_reports": "self_rows"}[kind]


def test_out_of_scope_or_no_unit_is_refused_and_nothing_written(small, group_s):
    user = small.users["group_s"]
    done = run(small, user)
    loose = ComparisonFinding.objects.filter(comparison=done, unit=None).first()
    before = Problem.objects.count()
    turned = do_create_problems_from_findings([loose], actor=user)
    assert not turned.created and "unit" in turned.refused[0][1].lower() or "单位" in turned.refused[0][1]
    baotou = Unit.objects.get(code="150200")  # group B's, not the state-property group's
    turned = do_create_problems_from_findings([loose], actor=user, units={loose.pk: baotou})
    assert not turned.created and "包头市" in turned.refused[0][1]
    assert Problem.objects.count() == before and not Evidence.objects.filter(problem__discovery_method="analytics")
    # The office may name any unit.
    office = do_create_problems_from_findings([loose], actor=small.users["office"], units={loose.pk: baotou})
    assert office.created[0][1].unit == baotou
