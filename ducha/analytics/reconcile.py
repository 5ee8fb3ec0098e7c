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

import duckdb
import pyarrow as pa

from ducha.analytics import duck
from ducha.analytics.enterprises import Regions
from ducha.analytics.matching import MatchSettings, link_mentions, of_mention

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
    # DuckDB's memory limit and where it spills (duck.Limits); None: the configured ones
    memory_limit: str | None = None
    spill_directory: str | None = None
    matching: MatchSettings = field(default_factory=MatchSettings)


@dataclass(frozen=True)
class Reconciled:
    findings: (
        pa.Table
    )  # finding, rule, enterprise, enterprise_name, date, exchange_rows, registry_rows, self_rows, evidence
    summary: dict[str, Any]  # {"findings": {name: n}, "tiers": {tier: n}, "review": n}
    # One row per way a source wrote an enterprise: source, name, uscc, mentions, enterprise, tier, rule, evidence.
    links: pa.Table
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
    order: tuple[int, int] = (0, 0)  # (registry change 0 / deal 1, its first row's place): ties keep the files' order

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
    """The findings, in DuckDB: the rows stay in its columns (spilling to disk beyond the
    memory limit); Python sees the distinct names and codes (matching) and the findings."""
    settings = settings or ReconcileSettings()
    configured = duck.limits()
    spill = configured.spill_directory if settings.spill_directory is None else settings.spill_directory
    limits = duck.Limits(settings.memory_limit or configured.memory_limit, spill)
    with duck.connect(limits) as con:
        return _reconcile(con, exchange, registry, self_reports, regions, settings)


def _reconcile(con: duckdb.DuckDBPyConnection, exchange: pa.Table, registry: pa.Table, self_reports: pa.Table,
               regions: Regions, settings: ReconcileSettings) -> Reconciled:  # fmt: skip
    for name, table, headers in (("ex", exchange, EXCHANGE_HEADERS), ("reg", registry, REGISTRY_HEADERS),
                                 ("sr", self_reports, SELF_REPORT_HEADERS)):  # fmt: skip
        con.register(name, _typed(table, headers))  # (read where it is: no copy)
    con.execute(_MENTIONS)
    review = link_mentions(con, "mentions", regions, settings.matching)
    con.execute(_EVENTS.format(
        deal_target=of_mention("t", "ex", "exchange", "target_name", "target_uscc"),
        deal_buyer=of_mention("b", "ex", "exchange", "transferee_name", "transferee_uscc"),
        report_target=of_mention("t", "sr", "self", "target_name", "target_uscc"),
        report_counterparty=of_mention("c", "sr", "self", "counterparty_name", "counterparty_uscc"),
        change_target=of_mention("t", "reg", "registry"),
    ))  # fmt: skip
    window, equity, exempt = settings.window_days, _sql_list(EQUITY_KINDS), _sql_list(EXEMPT_METHODS)
    con.execute(_CHANGES.format(window=window, equity=equity, exempt=exempt))
    con.execute(_DEALS.format(window=window, equity=equity))
    found = _change_findings(con) + _deal_findings(con, settings)
    tiers = dict(con.sql("SELECT tier, sum(mentions)::BIGINT FROM identity_links GROUP BY ALL ORDER BY 1").fetchall())
    links = con.sql("SELECT * FROM identity_links ORDER BY source, enterprise, name, uscc").to_arrow_table()
    return Reconciled(
        findings=_findings_table(found),
        summary={
            "findings": {name: sum(f.finding == name for f in found) for name in FINDINGS},
            "tiers": tiers,
            "review": review.num_rows,
        },
        links=links,
        review=review,
    )


_DATES = {"appraisal_date", "listed_from", "listed_to", "deal_date", "changed_on"}
_NUMBERS = {"ratio", "price", "appraisal", "amount", "ratio_before", "ratio_after", "capital_before", "capital_after"}


def _typed(table: pa.Table, headers: dict[str, str]) -> pa.Table:
    """The source's columns with their types (a column the file lacks: empty), its `row`, and
    `idx`. Text may come dictionary-encoded (DuckDB reads it as text): millions of rows
    repeat the same names and words, and decoding them would take that memory back."""
    arrays: dict[str, pa.Array | pa.ChunkedArray] = {"idx": pa.array(range(table.num_rows), pa.int64())}
    for key in ("row", *headers.values()):
        kind = (pa.int64() if key == "row" else pa.date32() if key in _DATES
                else pa.float64() if key in _NUMBERS else pa.string())  # fmt: skip
        if key not in table.column_names:
            arrays[key] = pa.nulls(table.num_rows, kind)
        elif pa.types.is_dictionary(given := table[key].type) and given.value_type == kind:
            arrays[key] = table[key]
        else:
            arrays[key] = table[key].cast(kind)
    return pa.table(arrays)


def _sql_list(values: tuple[str, ...]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


# The enterprise mentions of each row, by role: id (row's place × 3 + source) × 8 + role.
_MENTIONS = """
CREATE TEMP VIEW mentions AS
SELECT (idx * 3 + 0) * 8 + 0 AS id, 'exchange' AS source, row, 'target' AS role,
       target_name AS name, target_uscc AS uscc FROM ex
UNION ALL SELECT (idx * 3 + 0) * 8 + 1, 'exchange', row, 'transferor', transferor_name, transferor_uscc FROM ex
UNION ALL SELECT (idx * 3 + 0) * 8 + 2, 'exchange', row, 'transferee', transferee_name, transferee_uscc FROM ex
UNION ALL SELECT (idx * 3 + 1) * 8 + 0, 'registry', row, 'target', name, uscc FROM reg
UNION ALL SELECT (idx * 3 + 1) * 8 + 1, 'registry', row, 'holder', holder_name, holder_uscc FROM reg
UNION ALL SELECT (idx * 3 + 2) * 8 + 0, 'self', row, 'target', target_name, target_uscc FROM sr
UNION ALL SELECT (idx * 3 + 2) * 8 + 1, 'self', row, 'counterparty', counterparty_name, counterparty_uscc FROM sr
"""

# Each row with the enterprises its mentions were linked to. The registry's rows stay
# where they are (most are private holders' changes): only the days of an enterprise that
# changed a state-owned holding are kept, with all their rows.
_EVENTS = """
CREATE TEMP TABLE deals AS
SELECT ex.*, t.enterprise AS ent, b.enterprise AS buyer FROM ex {deal_target} {deal_buyer};
CREATE TEMP TABLE reports AS
SELECT sr.*, t.enterprise AS ent, c.enterprise AS counterparty FROM sr {report_target} {report_counterparty};
CREATE TEMP VIEW registry_rows AS
SELECT reg.*, t.enterprise AS ent, coalesce(reg.changed_on, DATE '0001-01-01') AS day_key,
       reg.holder_kind = '国有' AND coalesce(reg.ratio_before, 0) <> coalesce(reg.ratio_after, 0) AS state
FROM reg {change_target};
CREATE TEMP TABLE changed AS
SELECT r.idx, r.row, r.ent, r.changed_on, r.day_key, r.name, r.holder_name, r.ratio_before, r.ratio_after, r.state
FROM registry_rows r SEMI JOIN (SELECT DISTINCT ent, day_key FROM registry_rows WHERE state) k
  ON r.ent = k.ent AND r.day_key = k.day_key;
"""

# Registry changes (an enterprise's rows of one day) of a state-owned holding, with the
# equity deals and the self-reports of the same enterprise within the window, nearest first.
_CHANGES = """
CREATE TEMP TABLE changes AS
SELECT ent, any_value(changed_on) AS day, day_key, min(idx) AS first, coalesce(arg_min(name, idx), '') AS name,
       list(row ORDER BY idx) AS registry_rows
FROM changed GROUP BY ent, day_key;
CREATE TEMP TABLE on_exchange AS
SELECT c.first, d.idx AS deal, d.row, abs(d.deal_date - c.day) AS gap
FROM changes c JOIN deals d ON d.ent = c.ent
WHERE abs(d.deal_date - c.day) <= {window} AND d.kind IN ({equity});
CREATE TEMP TABLE change_reports AS
SELECT c.first, r.idx AS report, r.row, abs(r.deal_date - c.day) AS gap,
       r.method IN ({exempt}) AND coalesce(r.approval_no, '') <> '' AS exempt
FROM changes c JOIN reports r ON r.ent = c.ent
WHERE abs(r.deal_date - c.day) <= {window};
CREATE TEMP TABLE change_findings AS
SELECT c.*, o.rows IS NULL AND NOT coalesce(r.exempt, false) AS not_on_exchange, r.rows IS NULL AS not_reported,
       coalesce(o.rows, []) AS exchange_rows, coalesce(r.rows, []) AS self_rows
FROM changes c
LEFT JOIN (SELECT first, list(row ORDER BY gap, deal) AS rows FROM on_exchange GROUP BY first) o USING (first)
LEFT JOIN (SELECT first, list(row ORDER BY gap, report) AS rows, bool_or(exempt) AS exempt
           FROM change_reports GROUP BY first) r USING (first)
WHERE (o.rows IS NULL AND NOT coalesce(r.exempt, false)) OR r.rows IS NULL;
"""

# Each deal with its nearest self-report within the window (the first in the file on a tie)
# and whether a registry change followed it.
_DEALS = """
CREATE TEMP TABLE nearest AS
SELECT d.idx AS deal, arg_min(r.idx, abs(r.deal_date - d.deal_date) * 4294967296 + r.idx) AS report
FROM deals d JOIN reports r ON r.ent = d.ent
WHERE abs(r.deal_date - d.deal_date) <= {window} GROUP BY d.idx;
CREATE TEMP TABLE deal_view AS
SELECT d.*, d.kind IN ({equity}) AS equity, d.idx IN (SELECT deal FROM on_exchange) AS registered,
       r.row AS report_row, r.ratio AS report_ratio, r.amount AS report_amount,
       r.counterparty_name, r.counterparty_uscc, r.counterparty
FROM deals d LEFT JOIN nearest n ON n.deal = d.idx LEFT JOIN reports r ON r.idx = n.report;
"""


def _change_findings(con: duckdb.DuckDBPyConnection) -> list[_Finding]:
    held: dict[int, list[str]] = defaultdict(list)  # the state holdings' changes, by change
    for first, holder, before, after in con.sql("""
        SELECT f.first, c.holder_name, c.ratio_before, c.ratio_after
        FROM change_findings f JOIN changed c ON c.ent = f.ent AND c.day_key = f.day_key
        WHERE f.not_on_exchange AND c.state ORDER BY c.idx
    """).fetchall():  # fmt: skip
        held[first].append(f"{holder} {before}% → {after}%")
    found = []
    columns = "first, ent, name, day, registry_rows, exchange_rows, self_rows, not_on_exchange, not_reported"
    for first, ent, name, day, registry_rows, exchange_rows, self_rows, not_on_exchange, not_reported in con.sql(
        f"SELECT {columns} FROM change_findings ORDER BY first"
    ).fetchall():
        change = _Finding("", "", ent, name, day, registry_rows=registry_rows, order=(0, first))
        if not_on_exchange:
            found.append(change.as_(NOT_ON_EXCHANGE, RULES["not_on_exchange"], "；".join(held[first]),
                                    self_rows=self_rows))  # fmt: skip
        if not_reported:
            found.append(change.as_(MISREPORTED, RULES["change_not_reported"], "未见企业自报",
                                    exchange_rows=exchange_rows))  # fmt: skip
    return found


def _deal_findings(con: duckdb.DuckDBPyConnection, settings: ReconcileSettings) -> list[_Finding]:
    """Each deal's findings; DuckDB picks the deals with any (the rules below, once more, say which)."""
    s = settings
    expired = f"d.deal_date - d.appraisal_date > {int(s.appraisal_valid_days)}"
    below = f"d.price < {float(s.price_floor)!r} * d.appraisal AND coalesce(d.appraisal, 0) <> 0"
    differs = f"""
        abs(d.ratio - d.report_ratio) > {float(s.ratio_tolerance)!r}
        OR abs(d.price - d.report_amount) > {float(s.amount_tolerance)!r} * abs(d.price)
        OR (coalesce(nullif(d.transferee_name, ''), nullif(d.transferee_uscc, '')) IS NOT NULL
            AND coalesce(nullif(d.counterparty_name, ''), nullif(d.counterparty_uscc, '')) IS NOT NULL
            AND d.buyer <> d.counterparty)
    """
    rows = con.sql(f"""
        SELECT * FROM deal_view d
        WHERE (d.equity AND (coalesce(d.appraisal_no, '') = '' OR {expired} OR NOT d.registered))
           OR {below} OR d.report_row IS NULL OR {differs}
        ORDER BY d.idx
    """).fetchall()  # fmt: skip
    columns = [c for c in con.sql("SELECT * FROM deal_view LIMIT 0").columns]
    found: list[_Finding] = []
    for values in rows:
        d = dict(zip(columns, values, strict=True))
        found += _deal(d, s)
    return found


def _deal(d: dict, settings: ReconcileSettings) -> list[_Finding]:
    found = []
    day = d["deal_date"]
    deal = _Finding("", "", d["ent"], d["target_name"] or "", day, exchange_rows=[d["row"]], order=(1, d["idx"]))
    appraised_on = d["appraisal_date"]
    if d["equity"] and not d["appraisal_no"]:
        found.append(deal.as_(NOT_APPRAISED, RULES["no_appraisal"], "评估核准备案号为空"))
    elif d["equity"] and appraised_on and day and (day - appraised_on).days > settings.appraisal_valid_days:
        found.append(deal.as_(NOT_APPRAISED, RULES["appraisal_expired"], f"评估基准日{appraised_on}，成交日期{day}"))
    price, appraisal = d["price"], d["appraisal"]
    if price is not None and appraisal and price < settings.price_floor * appraisal:
        floor = f"成交金额{price}万元，低于评估值{appraisal}万元的{settings.price_floor:.0%}"
        found.append(deal.as_(BELOW_APPRAISAL, RULES["below_appraisal"], floor))
    if d["equity"] and not d["registered"]:
        found.append(deal.as_(UNREGISTERED, RULES["unregistered"], f"项目编号{d['deal_no'] or ''}"))
    if d["report_row"] is None:
        found.append(deal.as_(MISREPORTED, RULES["deal_not_reported"], f"项目编号{d['deal_no'] or ''}，未见企业自报"))
    elif differences := _differences(d, settings):
        evidence = "；".join(differences)
        found.append(deal.as_(MISREPORTED, RULES["disagrees"], evidence, self_rows=[d["report_row"]]))
    return found


def _differences(d: dict, settings: ReconcileSettings) -> list[str]:
    out = []
    ratio, reported_ratio = d["ratio"], d["report_ratio"]
    if ratio is not None and reported_ratio is not None and abs(ratio - reported_ratio) > settings.ratio_tolerance:
        out.append(f"股权比例：自报{reported_ratio}%，成交{ratio}%")
    price, amount = d["price"], d["report_amount"]
    if price is not None and amount is not None and abs(price - amount) > settings.amount_tolerance * abs(price):
        out.append(f"金额：自报{amount}万元，成交{price}万元")
    buyer = d["transferee_name"] or d["transferee_uscc"]
    counterparty = d["counterparty_name"] or d["counterparty_uscc"]
    if buyer and counterparty and d["buyer"] != d["counterparty"]:
        out.append(f"对方：自报{counterparty}，受让方{buyer}")
    return out


def _findings_table(found: list[_Finding]) -> pa.Table:
    found = sorted(found, key=lambda f: (FINDINGS.index(f.finding), f.enterprise, f.date or dt.date.min, f.order))
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
