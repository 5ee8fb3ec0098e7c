"""The three-way comparison (三方比对) of the exchange's trading records, the registry's
equity changes and the enterprises' self-reports: which state-owned holdings changed
without the exchange, without an appraisal, below the appraisal, or otherwise than the
enterprise reported (steps 3 and 4; the enterprises are matched by matching.py).

Inputs are Arrow tables with the columns of EXCHANGE, REGISTRY and SELF_REPORTS (the
files' Chinese headers map to them: *_HEADERS), plus `row`, the row's number in its file
(the findings name it). Amounts in 万元, ratios in percent.

Events: a deal (one exchange row), a registry change (the rows of one enterprise on one
day; it concerns a state-owned holding when a 国有 holder's ratio changed), a
self-report (one row). A registry change and a self-report belong to a deal of the same
target enterprise within `window_days` of it (the nearest).
"""

import dataclasses
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from ducha.analytics.enterprises import Regions
from ducha.analytics.matching import MatchSettings, match

EXCHANGE_HEADERS = {
    "项目编号": "deal_no", "交易类型": "kind", "标的企业名称": "target_name",
    "标的企业统一社会信用代码": "target_uscc", "转让方名称": "transferor_name",
    "转让方统一社会信用代码": "transferor_uscc", "受让方名称": "transferee_name",
    "受让方统一社会信用代码": "transferee_uscc", "转让股权比例（%）": "ratio", "成交金额（万元）": "price",
    "评估值（万元）": "appraisal", "评估核准备案号": "appraisal_no", "评估基准日": "appraisal_date",
    "挂牌起始日期": "listed_from", "挂牌截止日期": "listed_to", "成交日期": "deal_date",
    "所属盟市": "league", "监管企业": "supervisor",
}  # fmt: skip
REGISTRY_HEADERS = {
    "企业名称": "name", "统一社会信用代码": "uscc", "登记机关": "authority", "变更日期": "changed_on",
    "变更事项": "change", "股东名称": "holder_name", "股东统一社会信用代码": "holder_uscc",
    "股东性质": "holder_kind", "变更前出资比例（%）": "ratio_before", "变更后出资比例（%）": "ratio_after",
    "变更前认缴出资额（万元）": "capital_before", "变更后认缴出资额（万元）": "capital_after",
}  # fmt: skip
SELF_REPORT_HEADERS = {
    "填报单位": "reporter", "标的企业名称": "target_name", "标的企业统一社会信用代码": "target_uscc",
    "交易类型": "kind", "交易方式": "method", "对方名称": "counterparty_name",
    "对方统一社会信用代码": "counterparty_uscc", "股权比例（%）": "ratio", "金额（万元）": "amount",
    "评估值（万元）": "appraisal", "评估核准备案号": "appraisal_no", "交易日期": "deal_date",
    "批准文件号": "approval_no",
}  # fmt: skip

# The findings, by the names the office uses (the keys of summary.json).
NOT_ON_EXCHANGE = "应进未进"
NOT_APPRAISED = "应评未评"
BELOW_APPRAISAL = "低价成交"
MISREPORTED = "自报不实"
UNREGISTERED = "有交易无登记"
FINDINGS = (NOT_ON_EXCHANGE, NOT_APPRAISED, BELOW_APPRAISAL, MISREPORTED, UNREGISTERED)

EQUITY_KINDS = ("产权转让", "企业增资")  # what changes who holds an enterprise (an asset transfer does not)
EXEMPT_METHODS = ("非公开协议转让", "无偿划转")  # off the exchange, lawful with an approval


@dataclass(frozen=True)
class ReconcileSettings:
    window_days: int = 180  # a registry change or self-report belongs to a deal this close
    appraisal_valid_days: int = 365  # an appraisal is valid a year from its base date
    price_floor: float = 0.9  # below 90 % of the appraisal needs approval
    ratio_tolerance: float = 0.01  # percentage points a self-report may differ by
    amount_tolerance: float = 0.005  # share of the amount a self-report may differ by
    matching: MatchSettings = field(default_factory=MatchSettings)


@dataclass(frozen=True)
class Reconciled:
    findings: (
        pa.Table
    )  # finding, rule, enterprise, enterprise_name, date, exchange_rows, registry_rows, self_rows, evidence
    summary: dict[str, Any]  # {"findings": {name: n}, "tiers": {tier: n}, "review": n}
    links: pa.Table  # matching.match's links, with the mention's source, row and role
    review: pa.Table  # matching.match's review list


@dataclass
class _Finding:
    finding: str
    rule: str
    enterprise: str
    enterprise_name: str
    date: dt.date | None
    exchange_rows: list[int] = field(default_factory=list)
    registry_rows: list[int] = field(default_factory=list)
    self_rows: list[int] = field(default_factory=list)
    evidence: str = ""

    def as_(self, finding: str, rule: str, evidence: str, *, exchange_rows=None, self_rows=None) -> "_Finding":
        """This event as a finding (with the rows of the other sources that belong to it)."""
        return dataclasses.replace(
            self,
            finding=finding,
            rule=rule,
            evidence=evidence,
            exchange_rows=self.exchange_rows if exchange_rows is None else exchange_rows,
            self_rows=self.self_rows if self_rows is None else self_rows,
        )


def gettext_noop(text: str) -> str:
    """A rule's text, in English here; marked so that the catalogue holds it and the
    application shows it translated (gettext on the finding's rule)."""
    return text


RULES = {
    "not_on_exchange": gettext_noop(
        "A state-owned holding changed in the registry with no exchange deal and no approved off-exchange transfer."
    ),
    "change_not_reported": gettext_noop("A change of a state-owned holding the enterprise did not report."),
    "no_appraisal": gettext_noop("A transfer or capital increase with no appraisal number."),
    "appraisal_expired": gettext_noop("The appraisal's base date is more than a year before the deal."),
    "below_appraisal": gettext_noop("The price is below the share of the appraisal the rules allow."),
    "unregistered": gettext_noop("An exchange deal with no registry change within the window."),
    "deal_not_reported": gettext_noop("An exchange deal the enterprise did not report."),
    "disagrees": gettext_noop("The self-report disagrees with the exchange on ratio, amount or counterparty."),
}


def reconcile(
    exchange: pa.Table, registry: pa.Table, self_reports: pa.Table, regions: Regions,
    settings: ReconcileSettings | None = None,
) -> Reconciled:  # fmt: skip
    settings = settings or ReconcileSettings()
    deals, changes_rows, reports = exchange.to_pylist(), registry.to_pylist(), self_reports.to_pylist()
    mentions, roles = _mentions(deals, changes_rows, reports)
    matched = match(mentions, regions, settings.matching)
    enterprise_of = dict(zip(matched.links["id"].to_pylist(), matched.links["enterprise"].to_pylist(), strict=True))

    def ent(source: int, index: int, role: str) -> str:
        return enterprise_of[_mention_id(source, index, role)]

    for i, d in enumerate(deals):
        d["_target"], d["_transferee"] = ent(0, i, "target"), ent(0, i, "transferee")
    for i, r in enumerate(reports):
        r["_target"], r["_counterparty"] = ent(2, i, "target"), ent(2, i, "counterparty")
    changes: dict[tuple[str, Any], list[dict]] = defaultdict(list)
    for i, c in enumerate(changes_rows):
        changes[ent(1, i, "target"), c.get("changed_on")].append(c)

    found: list[_Finding] = []
    window = dt.timedelta(days=settings.window_days)
    deals_of, reports_of = defaultdict(list), defaultdict(list)
    for d in deals:
        deals_of[d["_target"]].append(d)
    for r in reports:
        reports_of[r["_target"]].append(r)

    def near(events: list[dict], day, key: str) -> list[dict]:
        """The events within the window of `day`, the nearest first."""
        if day is None:
            return []
        close = (e for e in events if e.get(key) and abs(e[key] - day) <= window)
        return sorted(close, key=lambda e: abs(e[key] - day))

    # Registry changes of state-owned holdings: on the exchange, exempted, or neither.
    registered: set[int] = set()  # the deals a registry change followed
    for (enterprise, day), rows in changes.items():
        state = [c for c in rows if c.get("holder_kind") == "国有" and _ratio_changed(c)]
        if not state:
            continue
        on_exchange = [d for d in near(deals_of[enterprise], day, "deal_date") if d.get("kind") in EQUITY_KINDS]
        registered.update(id(d) for d in on_exchange)
        reported = near(reports_of[enterprise], day, "deal_date")
        exempt = [r for r in reported if r.get("method") in EXEMPT_METHODS and r.get("approval_no")]
        change = _Finding("", "", enterprise, rows[0].get("name") or "", day, registry_rows=[c["row"] for c in rows])
        if not on_exchange and not exempt:
            held = "; ".join(
                f"{c.get('holder_name')} {c.get('ratio_before')}% → {c.get('ratio_after')}%" for c in state
            )
            found.append(
                change.as_(NOT_ON_EXCHANGE, RULES["not_on_exchange"], held, self_rows=[r["row"] for r in reported])
            )
        if not reported:
            rows_then = [d["row"] for d in on_exchange]
            found.append(
                change.as_(MISREPORTED, RULES["change_not_reported"], "no self-report", exchange_rows=rows_then)
            )

    for d in deals:
        enterprise, day = d["_target"], d.get("deal_date")
        deal = _Finding("", "", enterprise, d.get("target_name") or "", day, exchange_rows=[d["row"]])
        equity = d.get("kind") in EQUITY_KINDS
        appraised_on = d.get("appraisal_date")
        if equity and not d.get("appraisal_no"):
            found.append(deal.as_(NOT_APPRAISED, RULES["no_appraisal"], "评估核准备案号 empty"))
        elif equity and appraised_on and day and (day - appraised_on).days > settings.appraisal_valid_days:
            found.append(deal.as_(NOT_APPRAISED, RULES["appraisal_expired"], f"{appraised_on} → {day}"))
        price, appraisal = d.get("price"), d.get("appraisal")
        if price is not None and appraisal and price < settings.price_floor * appraisal:
            floor = f"{price} < {settings.price_floor:g} × {appraisal}"
            found.append(deal.as_(BELOW_APPRAISAL, RULES["below_appraisal"], floor))
        if equity and id(d) not in registered:
            found.append(deal.as_(UNREGISTERED, RULES["unregistered"], str(d.get("deal_no") or "")))
        reported = near(reports_of[enterprise], day, "deal_date")
        if not reported:
            found.append(deal.as_(MISREPORTED, RULES["deal_not_reported"], str(d.get("deal_no") or "")))
        elif differences := _differences(d, reported[0], settings):
            evidence = "; ".join(differences)
            found.append(deal.as_(MISREPORTED, RULES["disagrees"], evidence, self_rows=[reported[0]["row"]]))

    return Reconciled(
        findings=_findings_table(found),
        summary={
            "findings": {name: sum(f.finding == name for f in found) for name in FINDINGS},
            "tiers": dict(sorted(_count(matched.links["tier"].to_pylist()).items())),
            "review": matched.review.num_rows,
        },
        links=_with_roles(matched.links, roles),
        review=matched.review,
    )


def _ratio_changed(change: dict) -> bool:
    return (change.get("ratio_before") or 0) != (change.get("ratio_after") or 0)


def _differences(deal: dict, report: dict, settings: ReconcileSettings) -> list[str]:
    out = []
    ratio, reported_ratio = deal.get("ratio"), report.get("ratio")
    if ratio is not None and reported_ratio is not None and abs(ratio - reported_ratio) > settings.ratio_tolerance:
        out.append(f"ratio {reported_ratio}% ≠ {ratio}%")
    price, amount = deal.get("price"), report.get("amount")
    if price is not None and amount is not None and abs(price - amount) > settings.amount_tolerance * abs(price):
        out.append(f"amount {amount} ≠ {price}")
    buyer = deal.get("transferee_name") or deal.get("transferee_uscc")
    counterparty = report.get("counterparty_name") or report.get("counterparty_uscc")
    if buyer and counterparty and deal["_transferee"] != report["_counterparty"]:
        out.append(f"counterparty {counterparty} ≠ {buyer}")
    return out


_ROLES = (
    (0, "target", "target_name", "target_uscc"),
    (0, "transferor", "transferor_name", "transferor_uscc"),
    (0, "transferee", "transferee_name", "transferee_uscc"),
    (1, "target", "name", "uscc"),
    (1, "holder", "holder_name", "holder_uscc"),
    (2, "target", "target_name", "target_uscc"),
    (2, "counterparty", "counterparty_name", "counterparty_uscc"),
)
_SOURCES = ("exchange", "registry", "self")


def _mention_id(source: int, index: int, role: str) -> int:
    return (index * 3 + source) * 8 + [r for s, r, *_ in _ROLES if s == source].index(role)


def _mentions(deals: list[dict], changes: list[dict], reports: list[dict]) -> tuple[pa.Table, dict[int, tuple]]:
    ids, sources, names, codes, roles = [], [], [], [], {}
    for source, rows in enumerate((deals, changes, reports)):
        for index, row in enumerate(rows):
            for s, role, name_col, code_col in _ROLES:
                if s != source:
                    continue
                mention = _mention_id(source, index, role)
                ids.append(mention)
                sources.append(_SOURCES[source])
                names.append(row.get(name_col))
                codes.append(row.get(code_col))
                roles[mention] = (_SOURCES[source], row.get("row"), role)
    return pa.table({"id": ids, "source": sources, "name": names, "uscc": codes}), roles


def _with_roles(links: pa.Table, roles: dict[int, tuple]) -> pa.Table:
    ids = links["id"].to_pylist()
    return (
        links.append_column("source", pa.array([roles[i][0] for i in ids]))
        .append_column("row", pa.array([roles[i][1] for i in ids], pa.int64()))
        .append_column("role", pa.array([roles[i][2] for i in ids]))
    )


def _count(values: list[str]) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for v in values:
        out[v] += 1
    return dict(out)


def _findings_table(found: list[_Finding]) -> pa.Table:
    found = sorted(found, key=lambda f: (FINDINGS.index(f.finding), f.enterprise, f.date or dt.date.min))
    return pa.table(
        {
            "finding": [f.finding for f in found],
            "rule": [f.rule for f in found],
            "enterprise": [f.enterprise for f in found],
            "enterprise_name": [f.enterprise_name for f in found],
            "date": pa.array([f.date for f in found], pa.date32()),
            "exchange_rows": pa.array([f.exchange_rows for f in found], pa.list_(pa.int64())),
            "registry_rows": pa.array([f.registry_rows for f in found], pa.list_(pa.int64())),
            "self_rows": pa.array([f.self_rows for f in found], pa.list_(pa.int64())),
            "evidence": [f.evidence for f in found],
        }
    )
