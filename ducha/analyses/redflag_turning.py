"""What a red flag becomes as a problem (one step, through analyses/actions.turn_into_problems):
category B (围串标、围猎评审专家方面) with the item its indicator is, or D1 (应招未招、
规避招标) for splitting and not tendering; the project's domain when the flag names a
project, else engineering construction (the tendering law's platform data); discovered by
data analysis; its bid rows attached as an .xlsx; numbered HQYJ-<run>-<flag> (红旗预警)."""

import io
from collections.abc import Mapping, Sequence

from ducha.analyses.actions import Turned, Turning, turn_into_problems
from ducha.analyses.findings import ROW_HEADER
from ducha.analyses.models import RedFlag, RedFlagRun
from ducha.analytics.redflags.collusion import ALL as INDICATORS
from ducha.analytics.redflags.platform import HEADERS
from ducha.core.access import Actor
from ducha.ledger.choices import DiscoveryMethod
from ducha.ledger.evidence import EvidenceUpload
from ducha.ledger.models import Problem, ProblemItem
from ducha.org.choices import DomainCode
from ducha.org.models import Domain, Unit
from ducha.reports.xlsx import save_sheets

ITEMS = {
    "CN-SAME-DEVICE": "B1",
    "CN-SAME-ACCOUNT": "B1",
    "CN-SAME-CONTACT": "B1",
    "CN-PRICE-PATTERN": "B1",
    "CN-COVER-BIDDER": "B1",
    "CN-WINNER-CONCENTRATION": "B2",
    "CN-EXPERT-BIAS": "B5",
    "CN-SPLIT": "D1",
    "CN-NOT-TENDERED": "D1",
    # Cardinal's: prices and losing bidders as collusion; a sole or late winner and
    # disqualifications as the buyer's; a short period as restricting suppliers; a supplier
    # of everything as borrowed qualifications
    "R003": "C1",
    "R018": "B2",
    "R024": "B1",
    "R025": "B1",
    "R028": "B1",
    "R030": "B2",
    "R035": "B2",
    "R036": "B2",
    "R038": "B2",
    "R048": "B3",
    "R058": "B1",
}


def description(flag: RedFlag) -> str:
    """红旗预警发现投标文件同机制作或同IP上传（CN-SAME-DEVICE）：<explanation>。依据：…。来源：平台数据第3、7行。"""
    indicator = INDICATORS.get(flag.indicator)
    name = f"{indicator.name_zh}（{flag.indicator}）" if indicator else flag.indicator
    text = f"红旗预警发现{name}：{flag.explanation.rstrip('。')}。"
    if indicator is not None and indicator.basis:
        text += f"依据：{indicator.basis.rstrip('。')}。"
    where = "OCDS数据" if flag.run.source == RedFlagRun.Source.OCDS else "平台数据"
    return text + (f"来源：{where}第{'、'.join(map(str, flag.rows))}行。" if flag.rows else "")


def evidence_workbook(flag: RedFlag, number: str) -> EvidenceUpload:
    """The flag's bid rows as read, under the platform layout's headers (any other column the file had after)."""
    headers = [ROW_HEADER, *HEADERS]
    headers += sorted({h for row in flag.row_values for h in row} - set(headers))
    rows = [[row.get(h) for h in headers] for row in flag.row_values]
    file = io.BytesIO()
    save_sheets(file, [("红旗预警证据行", headers, rows)])
    return EvidenceUpload(f"{number}-红旗预警证据行.xlsx", file.getvalue())


def do_create_problems_from_flags(
    flags: Sequence[RedFlag], *, actor: Actor, units: Mapping[int, Unit] | None = None
) -> Turned:
    """Each chosen flag not yet turned becomes a problem of its unit (or the unit `units`
    names for it), linked to its project when known; refusals as turn_into_problems says."""
    items = {i.code: i for i in ProblemItem.objects.filter(code__in=set(ITEMS.values())).select_related("category")}
    engineering = Domain.objects.get(code=DomainCode.ENGINEERING)

    def problem(flag: RedFlag, unit: Unit) -> Problem:
        campaign = flag.run.campaign
        item = items[ITEMS[flag.indicator]]
        project = flag.project if flag.project is not None and flag.project.unit_id == unit.pk else None
        return Problem(
            campaign=campaign,
            unit=unit,
            county=project.county if project is not None else None,
            project=project,
            domain_id=project.domain_id if project is not None else engineering.pk,
            category=item.category,
            item=item,
            description=description(flag),
            discovery_method=DiscoveryMethod.ANALYTICS,
            found_on=campaign.as_of(),
        )

    chosen = RedFlag.objects.filter(pk__in=[f.pk for f in flags]).select_related("run__campaign", "unit", "project")
    turning = Turning(lambda f: f"HQYJ-{f.run_id}-", problem, evidence_workbook)
    return turn_into_problems(chosen, actor=actor, turning=turning, units=units or {})
