"""What a finding becomes as a problem: its item of the state-property list (S01…S14), its
description (in Chinese, the ledger's language), its number and the evidence workbook of
its source rows."""

import io

from django.utils import translation
from django.utils.translation import gettext

from ducha.analyses.comparison import SOURCES
from ducha.analyses.findings import ROW_HEADER, ROWS_FIELD
from ducha.analyses.models import ComparisonFinding
from ducha.analytics.reconcile import RULES
from ducha.ledger.evidence import EvidenceUpload
from ducha.ledger.models import Problem
from ducha.reports.xlsx import save_sheets

STATE_PROPERTY_LIST = "S"  # the catalogue's category of the state-property list
# The item a rule's finding is, where one fits; the self-report mismatches (自报不实) have none.
DEFAULT_ITEMS = {
    "not_on_exchange": "S01",
    "no_appraisal": "S02",
    "appraisal_expired": "S04",
    "below_appraisal": "S05",
    "unregistered": "S14",
}
_SOURCE_SHORT = {"exchange": "交易所", "registry": "登记", "self_reports": "自报"}


def rule_text(finding: ComparisonFinding) -> str:
    """The rule in the active language (the catalogue holds RULES' texts)."""
    return gettext(RULES[finding.rule]) if finding.rule in RULES else finding.rule


def description(finding: ComparisonFinding) -> str:
    """三方比对发现应进未进：鄂尔多斯市东源能源有限公司（9115…）。<rule>。依据：…（登记第3行）。"""
    with translation.override("zh-hans"):
        rule = rule_text(finding).rstrip("。.")
    rows = "，".join(
        f"{_SOURCE_SHORT[kind]}第{'、'.join(map(str, numbers))}行"
        for kind, field in ROWS_FIELD.items()
        if (numbers := getattr(finding, field))
    )
    enterprise = finding.enterprise_name or finding.enterprise
    code = f"（{finding.enterprise}）" if finding.enterprise and finding.enterprise != enterprise else ""
    text = f"三方比对发现{finding.finding}：{enterprise}{code}。{rule}。"
    if finding.evidence:
        text += f"依据：{finding.evidence}。"
    return text + (f"来源：{rows}。" if rows else "")


def problem_number(base: str, taken: set[str]) -> str:
    """SJFX-<run>-<finding> (数据分析), HQYJ-<run>-<flag> (红旗预警), with -2, -3 … if the
    unit has that number already."""
    number, n = base, 1
    while number in taken:
        n += 1
        number = f"{base}-{n}"
    taken.add(number)
    return number


def taken_numbers(unit_ids: set[int], prefix: str) -> set[str]:
    """The numbers of the run's form (its prefix) the units hold already (whoever gave them)."""
    problems = Problem.objects.filter(unit__in=unit_ids, number__startswith=prefix)
    return set(problems.values_list("number", flat=True))


def evidence_workbook(finding: ComparisonFinding, number: str) -> EvidenceUpload:
    """The finding's source rows, one sheet per source with the source's own headers."""
    sheets = []
    for kind, (headers, title) in SOURCES.items():
        columns = [ROW_HEADER, *headers]
        rows = [[row.get(h) for h in columns] for row in finding.source_values.get(kind, [])]
        sheets.append((title, columns, rows))
    file = io.BytesIO()
    save_sheets(file, sheets)
    return EvidenceUpload(f"{number}-三方比对来源行.xlsx", file.getvalue())
