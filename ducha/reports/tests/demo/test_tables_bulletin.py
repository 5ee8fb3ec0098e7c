"""The demo campaign's statistical tables and a weekly bulletin, written by `ducha report`
and read back: the natural-resources group's subtotal is the seed's figures, every total
the sum of its rows and the statistics' own; the bulletin of 2024-W36 carries each
group's figures as of that Sunday and their change since the Sunday before, and names the
units built to lag. The demo is built once for this package (conftest.py)."""

import datetime as dt
import io

import openpyxl
from python_calamine import CalamineWorkbook

from ducha.ledger.models import ExposedCase, Problem
from ducha.reports.tables import COUNTS, FIGURES, FIRST_DATA_ROW, SUPERVISION_COUNTS

SUNDAY, BEFORE = dt.date(2024, 9, 8), dt.date(2024, 9, 1)  # 2024-W36 and the Sunday before it
# The seed's 自然资源交易项目督导检查组: 自查9651、抽查4058、1105个问题、四大类178、六类市场主体897、
# 1104个已整改、移交线索6条、曝光17个、立案12件、文件160份.
SEED_NATURAL_RESOURCES = {
    "projects_self_inspected": 9651,
    "projects_sampled": 4058,
    "problems": 1105,
    "problems_four_categories": 178,
    "problems_market_entity": 897,
    "problems_rectified": 1104,
    "clue_transfers": 6,
    "exposed_cases": 17,
    "filed_cases": 12,
    "documents": 160,
}


def figures(row: list, lead: int) -> dict:
    return {f.key: row[lead + i] for i, f in enumerate(FIGURES)}


def test_the_tables_hold_the_seed_figures_and_add_up(demo, db):
    book = CalamineWorkbook.from_filelike(io.BytesIO(demo["tables"]))
    units = book.get_sheet_by_name("按单位").to_python()[FIRST_DATA_ROW - 1 :]
    groups = {g["name"]: g for g in demo["stats"]["by_group"]}
    subtotals = [r for r in units if r[1] == "小计"]
    assert len(subtotals) == 4
    for subtotal in subtotals:
        own = [r for r in units if r[0] == subtotal[0] and r[1] != "小计"]
        assert len(own) == 8  # 3 盟市 + 5 厅局
        for key in COUNTS:
            assert figures(subtotal, 3)[key] == sum(figures(r, 3)[key] for r in own) == groups[subtotal[0]][key]
    natural = next(r for r in subtotals if r[0] == "自然资源交易项目督导检查组")
    assert {k: figures(natural, 3)[k] for k in SEED_NATURAL_RESOURCES} == SEED_NATURAL_RESOURCES
    [total] = [r for r in units if r[0] == "合计"]
    for key in COUNTS:
        assert figures(total, 3)[key] == sum(figures(r, 3)[key] for r in subtotals) == demo["stats"]["total"][key]
    # By domain: the total also holds the records of no trading domain (the sheet's note says
    # so): the demo's 30 problems found outside any project and one exposed case of no domain.
    domains = book.get_sheet_by_name("按交易领域").to_python()[FIRST_DATA_ROW - 1 :]
    end = next(i for i, r in enumerate(domains) if r[0] == "合计")
    outside = {"problems": Problem.objects.filter(domain__isnull=True).count(),
               "exposed_cases": ExposedCase.objects.filter(domain__isnull=True).count()}  # fmt: skip
    assert outside == {"problems": 30, "exposed_cases": 1}
    for key in COUNTS:
        beyond = figures(domains[end], 2)[key] - sum(figures(r, 2)[key] for r in domains[:end])
        assert beyond == outside.get(key, beyond) and 0 <= beyond <= outside["problems"], key
        if key.startswith("projects"):  # every project has its domain
            assert beyond == 0, key
    assert domains[end + 2][0].startswith("注：未归入交易领域的记录")
    # 督导工作: the seed's 工程建设 group (4 work plans, 3 rounds, 提醒函3份) and 自然资源 group
    # (提示函、通报等10份, 4个举报材料); every figure the sum of the groups'.
    work = book.get_sheet_by_name("督导工作").to_python()[FIRST_DATA_ROW - 1 : FIRST_DATA_ROW + 4]
    by_name = {r[0]: dict(zip(SUPERVISION_COUNTS, r[1:], strict=False)) for r in work}
    engineering, natural = by_name["工程建设项目督导检查组"], by_name["自然资源交易项目督导检查组"]
    assert (engineering["work_plans"], engineering["site_rounds"], engineering["letters"]) == (4, 3, 3)
    assert (natural["letters"], natural["complaints_received"]) == (10, 4)
    for key in SUPERVISION_COUNTS:
        assert (
            by_name["合计"][key] == sum(by_name[g][key] for g in groups) == demo["stats"]["total"]["supervision"][key]
        )
    workbook = openpyxl.load_workbook(io.BytesIO(demo["tables"]))
    assert not [c for ws in workbook.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"]


def test_the_bulletin_of_a_week_carries_that_weeks_figures_and_their_change(demo, db):
    document = demo["bulletin"]
    overall = document.tables[0]
    keys = ("projects_self_inspected", "projects_sampled", "problems", "problems_rectified", "problems_signed_off")
    now = {g["name"]: g for g in demo["now"]["by_group"]}
    before = {g["name"]: g for g in demo["before"]["by_group"]}
    rows = {row.cells[0].text: row for row in overall.rows[1:]}
    assert set(rows) == set(now) | {"合计"}
    changed = 0
    for name, g in now.items():
        for i, key in enumerate(keys, 1):
            value, change = rows[name].cells[i].text.split("\n")
            delta = g[key] - before[name][key]
            assert (int(value), int(change)) == (g[key], delta), (name, key)
            changed += delta != 0
    assert changed  # the week moved something: the change is not always 0
    # The demo's statistics now differ from that Sunday's: the bulletin is the week's, not today's.
    assert demo["stats"]["total"]["problems_signed_off"] != demo["now"]["total"]["problems_signed_off"]
    texts = [p.text for p in document.paragraphs]
    assert texts[1] == "第9周（2024年9月2日至9月8日）"
    lagging = texts[texts.index("三、进展滞后单位") + 1 : texts.index("四、周调度报送情况")]
    named = {text.split("（")[0] for text in lagging}
    assert demo["lagging_names"] <= named
