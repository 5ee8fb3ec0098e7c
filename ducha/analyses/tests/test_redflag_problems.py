"""Red flags → problems in one step: category and item by indicator, the project linked
when known, the flag's bid rows as an .xlsx (opened), one change-log batch, not twice; a
flag naming no unit, or a unit outside the user's scope, refused with nothing written."""

import io

import openpyxl

from ducha.analyses.models import RedFlag
from ducha.analyses.redflag_turning import do_create_problems_from_flags
from ducha.analyses.tests import redflag_sources
from ducha.analyses.tests.test_redflag_runs import run
from ducha.core.models import ChangeLogEntry
from ducha.ledger.evidence import evidence_path
from ducha.ledger.models import Evidence, Problem, Project
from ducha.org.models import Unit


def test_flags_become_problems_with_their_bid_rows_as_evidence(small):
    lot = min(s for code, s in redflag_sources.synthetic().truth if code == "CN-NOT-TENDERED")
    project = small.projects["hohhot"]
    Project.objects.filter(pk=project.pk).update(number=lot.split("/")[0])
    user = small.users["office"]
    done = run(small, user)
    flags = RedFlag.objects.filter(run=done)
    not_tendered = flags.get(indicator="CN-NOT-TENDERED", subject=lot)
    device = flags.filter(indicator="CN-SAME-DEVICE").exclude(unit=None)[0]
    expert = flags.filter(indicator="CN-EXPERT-BIAS")[0]
    assert expert.unit is None
    turned = do_create_problems_from_flags([not_tendered, device, expert], actor=user)
    assert len(turned.created) == 2 and [f.pk for f, _r in turned.refused] == [expert.pk]
    made = {f.indicator: p for f, p in turned.created}
    d1, b1 = made["CN-NOT-TENDERED"], made["CN-SAME-DEVICE"]
    assert (d1.category.code, d1.item.code, d1.project_id, d1.domain_id) == ("D", "D1", project.pk, project.domain_id)
    assert (b1.category.code, b1.item.code, b1.project_id, b1.domain.code) == ("B", "B1", None, "engineering")
    for flag, problem in turned.created:
        problem.refresh_from_db()
        flag.refresh_from_db()
        assert flag.problem == problem and problem.unit == flag.unit and problem.discovery_method == "analytics"
        assert problem.number == f"HQYJ-{done.pk}-{flag.pk}" and problem.description.startswith("红旗预警发现")
        evidence = Evidence.objects.get(problem=problem)
        book = openpyxl.load_workbook(io.BytesIO(evidence_path(evidence.sha256).read_bytes()))
        read = list(book.worksheets[0].iter_rows(values_only=True))
        assert read[0][:3] == ("行号", "项目编号", "标段") and [r[0] for r in read[1:]] == flag.rows
        uscc = read[0].index("投标人统一社会信用代码")
        assert {r[uscc] for r in read[1:]} == {v["投标人统一社会信用代码"] for v in flag.row_values}
    logged = ChangeLogEntry.objects.filter(object_type__in=["ledger.problem", "ledger.evidence", "analyses.redflag"])
    assert len({e.batch for e in logged.order_by("-pk")[:6]}) == 1  # 2 problems, 2 evidence, 2 links
    again = do_create_problems_from_flags([not_tendered, device], actor=user)
    assert not again.created and len(again.refused) == 2
    assert Problem.objects.filter(discovery_method="analytics").count() == 2
    # The office may name the unit for a flag naming none.
    baotou = Unit.objects.get(code="150200")
    named = do_create_problems_from_flags([expert], actor=user, units={expert.pk: baotou})
    assert named.created[0][1].unit == baotou and named.created[0][1].item.code == "B5"


def test_out_of_scope_is_refused_and_nothing_written(small):
    user = small.users["group_a"]
    done = run(small, user)
    loose = RedFlag.objects.filter(run=done, unit=None, indicator="CN-WINNER-CONCENTRATION")[0]
    before = Problem.objects.count()
    baotou = Unit.objects.get(code="150200")  # group B's
    turned = do_create_problems_from_flags([loose], actor=user, units={loose.pk: baotou})
    assert not turned.created and "包头市" in turned.refused[0][1]
    turned = do_create_problems_from_flags([loose], actor=user)
    assert not turned.created and turned.refused[0][1]
    # Another group's flag is not the user's to turn: nothing is said of it, nothing written.
    assert not do_create_problems_from_flags([loose], actor=small.users["group_b"], units={loose.pk: baotou}).created
    assert Problem.objects.count() == before and not Evidence.objects.filter(problem__discovery_method="analytics")
