"""The collusion and splitting indicators (串通投标、化整为零) on the platform's bids
(platform.py), rules and parameters in docs/redflags.md.

`run(rows, settings)` gives the flags table: indicator, scope (lot / bidder / buyer /
expert), id, value, explanation (Chinese, naming the lot, the bidders and the values that
raised it) and rows (the file rows of the bids behind it). Every indicator runs by default;
a settings section of its code (`[CN-SPLIT]`) overrides its parameters. Lot-level marks
(device, account, contact, prices) are SQL over `bids`; the explanations are written in
Python, one per flag.
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from ducha.analytics.duck import Limits, connect
from ducha.analytics.redflags import cardinal, model, ocds
from ducha.analytics.redflags import settings as redflag_settings
from ducha.analytics.redflags.platform import load
from ducha.analytics.redflags.settings import Settings, SettingsError


@dataclass(frozen=True)
class Indicator:
    code: str
    scope: str
    name_zh: str
    name_en: str
    basis: str
    defaults: dict[str, Any]


_ART40 = "《招标投标法实施条例》第四十条"
INDICATORS = {
    i.code: i
    for i in (
        Indicator("CN-SAME-DEVICE", "lot", "投标文件同机制作或同IP上传", "Bid files from the same device or IP",
                  _ART40 + "（不同投标人的投标文件由同一单位或者个人编制）；第三十九条",
                  {"max_ip_bidders": 10, "max_device_bidders": 10}),
        Indicator("CN-SAME-ACCOUNT", "lot", "保证金同一账户转出", "Deposits paid from the same account",
                  _ART40 + "（不同投标人的投标保证金从同一单位或者个人的账户转出）", {}),
        Indicator("CN-SAME-CONTACT", "lot", "同一联系人或联系电话", "Same contact person or phone",
                  _ART40 + "（不同投标人委托同一单位或者个人办理投标事宜）", {}),
        Indicator("CN-PRICE-PATTERN", "lot", "投标报价呈规律性差异", "Bid prices in a regular pattern",
                  _ART40 + "（不同投标人的投标文件异常一致或者投标报价呈规律性差异）",
                  {"min_bids": 3, "tolerance_yuan": 0.05, "relative_tolerance": 0.0, "min_step": 0.002,
                   "min_step_yuan": 500.0}),
        Indicator("CN-SPLIT", "buyer", "化整为零规避招标", "Contract splitting to avoid tendering",
                  "《招标投标法》第四条；《招标投标法实施条例》第二十四条；《必须招标的工程项目规定》"
                  "（国家发展改革委令第16号）第五条；《政府采购法》第二十八条",
                  {"min_contracts": 2, "window_days": 365}),
        Indicator("CN-NOT-TENDERED", "lot", "应招未招", "Contract over the threshold not tendered",
                  "《招标投标法》第三条、第四条；《必须招标的工程项目规定》（国家发展改革委令第16号）第五条；"
                  "《政府采购法》第二十八条", {}),
        Indicator("CN-COVER-BIDDER", "bidder", "陪标", "Cover bidder",
                  "《招标投标法》第三十二条；《招标投标法实施条例》第三十九条、第四十条",
                  {"min_bids": 5, "max_win_rate": 0.1, "min_share": 0.6, "min_lost": 4}),
        Indicator("CN-WINNER-CONCENTRATION", "buyer", "中标人过度集中", "One supplier wins a buyer's lots",
                  "《招标投标法实施条例》第四十一条（招标人与投标人串通投标）；《政府采购法》第二十五条",
                  {"min_lots": 5, "min_wins": 3, "lot_share": 0.5, "value_share": 0.8}),
        Indicator("CN-EXPERT-BIAS", "expert", "评标专家倾向性评分", "Expert's biased scores",
                  "《招标投标法实施条例》第四十九条、第七十一条；《评标专家和评标专家库管理办法》",
                  {"min_panel": 3, "points": 8.0, "sigma": 3.0, "min_lots": 3}),
    )
}  # fmt: skip

# Cardinal's eleven (cardinal.py) under the same names: their scope is per flag (OCID: lot,
# Tenderer: bidder, Buyer and ProcuringEntity: buyer); the basis is Cardinal's methodology.
CARDINAL = {code: Indicator(code, "lot", zh, en, f"{cardinal.BASIS}{code}", {})
            for code, (zh, en) in cardinal.NAMES.items()}  # fmt: skip
ALL = INDICATORS | CARDINAL  # every indicator a flag may name

# Thresholds of 必须招标 / 公开招标 in yuan by project type (catalogue.md), and the methods
# that are not tendering for them (platform-bids.md: the last four of its list).
THRESHOLDS = {"施工": 4_000_000.0, "货物": 2_000_000.0, "勘察设计监理": 1_000_000.0, "服务": 4_000_000.0}
NON_COMPETITIVE = ("竞争性磋商", "询价", "单一来源", "直接发包")
_THRESHOLD_KEYS = {"施工": "construction", "货物": "goods", "勘察设计监理": "engineering_services", "服务": "services"}

FLAG_SCHEMA = pa.schema([("indicator", pa.string()), ("scope", pa.string()), ("id", pa.string()),
                         ("value", pa.float64()), ("explanation", pa.string()),
                         ("rows", pa.list_(pa.int64()))])  # fmt: skip


def parameters(settings: Settings | None, code: str) -> dict[str, Any]:
    """The indicator's defaults, overridden by its settings section (numbers; the methods as a
    pipe-separated list)."""
    values = dict(INDICATORS[code].defaults)
    if code in ("CN-SPLIT", "CN-NOT-TENDERED"):
        values |= {_THRESHOLD_KEYS[k]: v for k, v in THRESHOLDS.items()}
        values["non_competitive_methods"] = frozenset(NON_COMPETITIVE)
    if settings is None:
        return values
    for key, default in values.items():
        if isinstance(default, frozenset):
            values[key] = settings.pipe_list(code, key) or default
        elif isinstance(default, int):
            values[key] = settings.integer(code, key, default)
        else:
            values[key] = settings.decimal(code, key, default)
    return values


def check_settings(settings: Settings) -> None:
    """Every section an indicator's (or Cardinal's exclusions and R003's methods), every key
    of a CN- section one it takes, with a value it can read: else SettingsError naming it."""
    known = set(redflag_settings.KEYS) | {"R003.procurement_method_details"}
    for name, props in settings.sections.items():
        if name in INDICATORS:
            redflag_settings.check_keys(name, props, list(parameters(None, name)))
            parameters(settings, name)  # every value read now, not when the indicator runs
        elif name not in known:
            codes = ", ".join(redflag_settings.CARDINAL_CODES)
            raise SettingsError(redflag_settings.UNKNOWN_SECTION, section=name, cardinal=codes,
                                platform=", ".join(INDICATORS))  # fmt: skip


def run(
    rows: pa.Table | Path, settings: Settings | None = None, *, ocds_file: bool = False, limits: Limits | None = None
) -> tuple[pa.Table, list[str]]:
    """The flags and the reader's notes (below)."""
    flags, notes, _, _ = _run(rows, settings, ocds_file, limits, evidence=False)
    return flags, notes


def run_with_evidence(
    rows: pa.Table | Path, settings: Settings | None = None, *, ocds_file: bool = False, limits: Limits | None = None
) -> tuple[pa.Table, list[str], dict[int, list[dict[str, Any]]], int]:
    """As run, with the flags' evidence from the model: {row: [the model's bids of that row
    (a lot without bids: the lot), under the platform layout's headers]} (model.model_rows), and
    what was read: OCDS processes or the platform's bids."""
    return _run(rows, settings, ocds_file, limits, evidence=True)


def _run(
    rows: pa.Table | Path, settings: Settings | None, ocds_file: bool, limits: Limits | None, *, evidence: bool
) -> tuple[pa.Table, list[str], dict[int, list[dict[str, Any]]], int]:
    """The flags over one source read into the model (model.py): the platform's rows (an
    Arrow table or a Parquet file of them) or, with `ocds_file`, OCDS JSON Lines. Runs the
    CN- indicators (all, or those with a section when the settings have any CN- section)
    and Cardinal's indicators the settings enable by their sections; without a settings
    file, an OCDS file gets all eleven of Cardinal's, the platform's rows none (its layout
    has no disqualifications, bid dates or classifications; a section asks for them). An
    indicator needing a field the source lacks finds nothing. Returns the flags and the
    reader's notes."""
    if settings is not None:
        check_settings(settings)
    chosen = [c for c in _CHECKS if settings is not None and settings.enabled(c)] or list(_CHECKS)
    given = settings if settings is not None else (redflag_settings.load(None) if ocds_file else Settings())
    with connect(limits, preserve_insertion_order=False) as con:
        if ocds_file:
            assert isinstance(rows, Path)
            loaded = ocds.load(con, rows, given)
            notes, count = loaded.warnings, loaded.processes
        else:
            read = load(con, rows, given)
            notes, count = read.notes, read.bids
        flags: list[dict[str, Any]] = []
        for code in chosen:
            found = _CHECKS[code](con, parameters(settings, code))
            # rounded: DuckDB's parallel sums differ in the last bit from run to run
            flags += [{"indicator": code, "scope": INDICATORS[code].scope, **f, "value": round(f["value"], 6)}
                      for f in found]  # fmt: skip
        flags += cardinal.cardinal_flags(con, given)
        for f in flags:  # OCDS: a process's bids share its line
            f["rows"] = list(dict.fromkeys(f["rows"]))
        rows_read = model.model_rows(con, {n for f in flags for n in f["rows"]}) if evidence else {}
    return pa.Table.from_pylist(flags, schema=FLAG_SCHEMA), notes, rows_read, count


def _dicts(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    return con.sql(sql, params=params).to_arrow_table().to_pylist()


def _yuan(x: float) -> str:
    return f"{x:,.2f}元"


def _wan(x: float) -> str:
    return f"{x / 10000:,.2f}万元"


# Lot-level shared marks: the same value for two or more bidders of one lot.
def _shared(con: duckdb.DuckDBPyConnection, marks: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    found = _dicts(
        con,
        f"""
        WITH marks AS ({marks}),
        -- min <> max: two bidders at least, without the cost of lists for every group
        keys AS (SELECT lot, what, mark FROM marks GROUP BY lot, what, mark HAVING min(bidder_id) <> max(bidder_id)),
        shared AS (SELECT lot, what, mark, list(DISTINCT bidder ORDER BY bidder) AS bidders,
                          list(row) AS rows, count(DISTINCT bidder_id) AS n
                   FROM marks JOIN keys USING (lot, what, mark) GROUP BY lot, what, mark)
        SELECT lot, max(n) AS n, list({{'what': what, 'mark': mark, 'bidders': bidders}} ORDER BY what, mark) AS marks,
               list_sort(list_distinct(flatten(list(rows)))) AS rows
        FROM shared GROUP BY lot ORDER BY lot
        """,
        params,
    )
    for f in found:
        parts = [f"{'、'.join(m['bidders'])}的{m['what']}同为{m['mark']}" for m in f["marks"]]
        f["explanation"] = f"标段{f['lot']}：{'；'.join(parts)}"
    return [{"id": f["lot"], "value": float(f["n"]), "explanation": f["explanation"], "rows": f["rows"]} for f in found]


def same_device(con: duckdb.DuckDBPyConnection, p: dict[str, Any]) -> list[dict[str, Any]]:
    # An IP used by more than max_ip_bidders bidders across the data is a public network's; a
    # machine code or MAC used by more than max_device_bidders, a trading centre's terminal.
    return _shared(
        con,
        """
        WITH public_ips AS (SELECT ip FROM bids WHERE ip <> '' GROUP BY ip HAVING count(DISTINCT bidder_id) > $max_ip),
        public_machines AS (SELECT machine FROM bids WHERE machine <> '' GROUP BY machine
                            HAVING count(DISTINCT bidder_id) > $max_device),
        public_macs AS (SELECT mac FROM bids WHERE mac <> '' GROUP BY mac
                        HAVING count(DISTINCT bidder_id) > $max_device)
        SELECT lot, '投标文件制作机器码' AS what, machine AS mark, row, bidder, bidder_id FROM bids
               WHERE machine <> '' AND machine NOT IN (SELECT machine FROM public_machines)
        UNION ALL SELECT lot, 'MAC地址', mac, row, bidder, bidder_id FROM bids
                  WHERE mac <> '' AND mac NOT IN (SELECT mac FROM public_macs)
        UNION ALL SELECT lot, '投标IP地址', ip, row, bidder, bidder_id FROM bids
                  WHERE ip <> '' AND ip NOT IN (SELECT ip FROM public_ips)
        """,
        {"max_ip": p["max_ip_bidders"], "max_device": p["max_device_bidders"]},
    )


def same_account(con: duckdb.DuckDBPyConnection, p: dict[str, Any]) -> list[dict[str, Any]]:
    return _shared(con, "SELECT lot, '保证金缴纳账户' AS what, account AS mark, row, bidder, bidder_id FROM bids "
                        "WHERE account <> ''")  # fmt: skip


def same_contact(con: duckdb.DuckDBPyConnection, p: dict[str, Any]) -> list[dict[str, Any]]:
    # A name counts unless both phones are known and differ (two people of one name).
    return _shared(
        con,
        """
        SELECT lot, '联系电话' AS what, phone AS mark, row, bidder, bidder_id FROM bids WHERE phone <> ''
        UNION ALL
        SELECT a.lot, '联系人', a.contact, a.row, a.bidder, a.bidder_id
        FROM bids a JOIN bids b ON a.lot = b.lot AND a.contact = b.contact AND a.bidder_id <> b.bidder_id
        WHERE a.contact <> '' AND (a.phone = '' OR b.phone = '' OR a.phone = b.phone)
        """,
    )


def price_pattern(con: duckdb.DuckDBPyConnection, p: dict[str, Any]) -> list[dict[str, Any]]:
    """Three consecutive prices (sorted, of different bidders) whose third is the first two's
    arithmetic or geometric continuation within the tolerance; steps of at least min_step."""
    found = _dicts(
        con,
        """
        WITH s AS (
            SELECT lot, row, bidder, bidder_id, price,
                   lag(price, 1) OVER w AS p1, lag(price, 2) OVER w AS p2, lag(row, 1) OVER w AS r1,
                   lag(row, 2) OVER w AS r2, lag(bidder_id, 1) OVER w AS b1, lag(bidder_id, 2) OVER w AS b2,
                   lag(bidder, 1) OVER w AS n1, lag(bidder, 2) OVER w AS n2,
                   count(*) OVER (PARTITION BY lot) AS n
            FROM bids WHERE price > 0 WINDOW w AS (PARTITION BY lot ORDER BY price, row)),
        t AS (
            SELECT lot, [{'row': r2, 'bidder': n2, 'price': p2}, {'row': r1, 'bidder': n1, 'price': p1},
                         {'row': row, 'bidder': bidder, 'price': price}] AS triple,
                   CASE WHEN abs(price - (2 * p1 - p2)) <= greatest($tol, $rel * price)
                             AND p1 - p2 >= greatest($step * p2, $step_yuan)
                        THEN '等差' WHEN abs(price - p1 * p1 / p2) <= greatest($tol, $rel * price)
                                      AND p1 / p2 - 1 >= $step AND p1 - p2 >= $step_yuan THEN '等比' END AS kind
            FROM s WHERE p2 IS NOT NULL AND n >= $min_bids AND bidder_id <> b1 AND b1 <> b2 AND bidder_id <> b2)
        SELECT lot, list_sort(list_distinct(flatten(list(triple)))) AS bids, list_distinct(list(kind)) AS kinds
        FROM t WHERE kind IS NOT NULL GROUP BY lot ORDER BY lot
        """,
        {
            "tol": p["tolerance_yuan"],
            "rel": p["relative_tolerance"],
            "step": p["min_step"],
            "min_bids": p["min_bids"],
            "step_yuan": p["min_step_yuan"],
        },
    )
    flags = []
    for f in found:
        bids = sorted(f["bids"], key=lambda b: (b["price"], b["row"]))
        prices = [b["price"] for b in bids]
        steps = "、".join(_yuan(b - a) for a, b in zip(prices, prices[1:], strict=False))
        ratios = "、".join(f"{b / a:.4f}" for a, b in zip(prices, prices[1:], strict=False))
        listed = "、".join(f"{b['bidder']}报价{_yuan(b['price'])}" for b in bids)
        what = f"相邻差额为{steps}" if "等差" in f["kinds"] else f"相邻比值为{ratios}"
        flags.append({"id": f["lot"], "value": float(len(bids)), "rows": sorted(b["row"] for b in bids),
                      "explanation": f"标段{f['lot']}：{len(bids)}家投标人报价呈{'、'.join(sorted(f['kinds']))}规律"
                                     f"（{listed}），{what}"})  # fmt: skip
    return flags


_THRESHOLD_SQL = """CASE kind WHEN '施工' THEN $construction WHEN '货物' THEN $goods
                    WHEN '勘察设计监理' THEN $engineering_services WHEN '服务' THEN $services END"""


def _threshold_params(p: dict[str, Any]) -> dict[str, Any]:
    return {k: p[k] for k in _THRESHOLD_KEYS.values()} | {"methods": sorted(p["non_competitive_methods"])}


def not_tendered(con: duckdb.DuckDBPyConnection, p: dict[str, Any]) -> list[dict[str, Any]]:
    found = _dicts(
        con,
        f"""SELECT lot, buyer, kind, method_details AS method, winner, amount, {_THRESHOLD_SQL} AS threshold,
                   won_rows AS rows
            FROM lots WHERE list_contains($methods, method_details) AND amount >= {_THRESHOLD_SQL} ORDER BY lot""",
        _threshold_params(p),
    )
    return [{"id": f["lot"], "value": f["amount"], "rows": f["rows"],
             "explanation": f"标段{f['lot']}（{f['buyer']}，{f['kind']}）合同金额{_wan(f['amount'])}，达到依法必须招标"
                            f"限额{_wan(f['threshold'])}，却以{f['method']}方式确定{f['winner']}"}
            for f in found]  # fmt: skip


def split(con: duckdb.DuckDBPyConnection, p: dict[str, Any]) -> list[dict[str, Any]]:
    """The window of window_days with the largest sum of a buyer's non-competitive contracts
    of one type, each under the threshold, together at or over it."""
    found = _dicts(
        con,
        f"""
        WITH c AS (SELECT lot, buyer, kind, method_details AS method, amount, day, {_THRESHOLD_SQL} AS threshold,
                          won_rows
                   FROM lots WHERE list_contains($methods, method_details) AND day IS NOT NULL
                               AND amount < {_THRESHOLD_SQL}),
        w AS (SELECT *, sum(amount) OVER win AS total, count(*) OVER win AS n FROM c
              WINDOW win AS (PARTITION BY buyer, kind ORDER BY day
                             RANGE BETWEEN CURRENT ROW AND INTERVAL ($days - 1) DAYS FOLLOWING)),
        best AS (SELECT buyer, kind, day AS start, total, threshold FROM w
                 WHERE n >= $min AND total >= threshold
                 QUALIFY row_number() OVER (PARTITION BY buyer, kind ORDER BY total DESC, day) = 1)
        SELECT b.buyer, b.kind, b.total, b.threshold,
               list({{'lot': c.lot, 'amount': c.amount, 'day': c.day, 'method': c.method}}
                    ORDER BY c.day, c.lot) AS lots,
               list_sort(flatten(list(c.won_rows))) AS rows
        FROM best b JOIN c ON c.buyer = b.buyer AND c.kind = b.kind
                           AND c.day BETWEEN b.start AND b.start + ($days - 1)::INTEGER
        GROUP BY ALL ORDER BY b.buyer, b.kind
        """,
        _threshold_params(p) | {"days": p["window_days"], "min": p["min_contracts"]},
    )
    flags = []
    for f in found:
        lots = "、".join(f"{x['lot']}（{x['day']}，{x['method']}，{_wan(x['amount'])}）" for x in f["lots"])
        flags.append({"id": f["buyer"], "value": f["total"], "rows": f["rows"],
                      "explanation": f"{f['buyer']}在{p['window_days']}天内以非招标方式签订"
                                     f"{len(f['lots'])}个{f['kind']}"
                                     f"合同，单个均低于{_wan(f['threshold'])}，合计{_wan(f['total'])}，"
                                     f"达到依法必须招标限额：{lots}"})  # fmt: skip
    return flags


def cover_bidder(con: duckdb.DuckDBPyConnection, p: dict[str, Any]) -> list[dict[str, Any]]:
    found = _dicts(
        con,
        """
        WITH won AS (SELECT lot, winner_id, winner FROM lots WHERE winners = 1),
        b AS (SELECT bidder_id, any_value(bidder) AS bidder, count(DISTINCT lot) AS bids,
                     count(DISTINCT lot) FILTER (won) AS wins FROM bids GROUP BY bidder_id),
        lost AS (SELECT x.bidder_id, w.winner_id, any_value(w.winner) AS winner, count(DISTINCT x.lot) AS n,
                        list(x.row ORDER BY x.row) AS rows
                 FROM bids x JOIN won w ON w.lot = x.lot AND w.winner_id <> x.bidder_id
                 WHERE NOT x.won GROUP BY x.bidder_id, w.winner_id),
        -- the winner it lost to most (ties: the smaller id, so that a run repeats itself)
        top AS (SELECT bidder_id, winner, n AS top, sum(n) OVER (PARTITION BY bidder_id) AS lost, rows
                FROM lost QUALIFY row_number() OVER (PARTITION BY bidder_id ORDER BY n DESC, winner_id) = 1),
        SELECT b.bidder_id, b.bidder, b.bids, b.wins, t.winner, t.top, t.lost, t.top / t.lost AS share, t.rows
        FROM b JOIN top t USING (bidder_id)
        WHERE b.bids >= $min_bids AND b.wins <= $rate * b.bids AND t.top >= $min_lost AND t.top / t.lost >= $share
        ORDER BY b.bidder_id
        """,
        {"min_bids": p["min_bids"], "rate": p["max_win_rate"], "share": p["min_share"], "min_lost": p["min_lost"]},
    )
    return [{"id": f["bidder_id"], "value": f["share"], "rows": f["rows"],
             "explanation": f"{f['bidder']}（{f['bidder_id']}）投标{f['bids']}个标段、中标{f['wins']}个；"
                            f"其未中标的{f['lost']}个标段中有{f['top']}个（{f['share']:.0%}）由{f['winner']}中标"}
            for f in found]  # fmt: skip


def winner_concentration(con: duckdb.DuckDBPyConnection, p: dict[str, Any]) -> list[dict[str, Any]]:
    found = _dicts(
        con,
        """
        WITH a AS (SELECT buyer, lot, winner_id, winner, coalesce(amount, 0) AS amount, won_rows FROM lots
                   WHERE winners = 1),
        per AS (SELECT buyer, count(*) AS lots, sum(amount) AS value FROM a GROUP BY buyer),
        s AS (SELECT buyer, winner_id, any_value(winner) AS winner, count(*) AS k, sum(amount) AS v,
                     list_sort(flatten(list(won_rows))) AS rows FROM a GROUP BY buyer, winner_id)
        SELECT s.*, per.lots, per.value, s.k / per.lots AS lot_share,
               CASE WHEN per.value > 0 THEN s.v / per.value ELSE 0 END AS value_share
        FROM s JOIN per USING (buyer)
        WHERE per.lots >= $min_lots AND s.k >= $min_wins
          AND (s.k / per.lots >= $lot_share OR (per.value > 0 AND s.v / per.value >= $value_share))
        ORDER BY buyer, winner_id
        """,
        {
            "min_lots": p["min_lots"],
            "min_wins": p["min_wins"],
            "lot_share": p["lot_share"],
            "value_share": p["value_share"],
        },  # fmt: skip
    )
    return [{"id": f["buyer"], "value": max(f["lot_share"], f["value_share"]), "rows": f["rows"],
             "explanation": f"{f['buyer']}的{f['lots']}个已定标标段中，{f['winner']}（{f['winner_id']}）中标{f['k']}个"
                            f"（{f['lot_share']:.0%}），金额{_wan(f['v'])}，占{f['value_share']:.0%}"}
            for f in found]  # fmt: skip


def expert_bias(con: duckdb.DuckDBPyConnection, p: dict[str, Any]) -> list[dict[str, Any]]:
    """A score at least `points` and `sigma` standard deviations of the others' scores from
    the others' mean, for the same bidder in the same direction in min_lots lots."""
    found = _dicts(
        con,
        """
        WITH per_bid AS (
            SELECT row, lot, bidder_id, bidder, list_filter(scores, lambda s: s.score IS NOT NULL) AS scores
            FROM bids WHERE len(scores) >= $min_panel),
        panel AS (
            SELECT row, lot, bidder_id, bidder, len(scores) AS n,
                   list_sum(list_transform(scores, lambda s: s.score)) AS total,
                   list_sum(list_transform(scores, lambda s: s.score * s.score)) AS sq, unnest(scores) AS s
            FROM per_bid),
        sc AS (SELECT row, lot, bidder_id, bidder, n, total, sq, s.expert AS expert, s.score AS score FROM panel),
        dev AS (SELECT *, score - (total - score) / (n - 1) AS dev,
                       sqrt(greatest(0, ((sq - score * score) - (total - score) ^ 2 / (n - 1)) / (n - 2))) AS sd
                FROM sc WHERE n >= $min_panel),
        odd AS (SELECT * FROM dev WHERE abs(dev) >= $points AND abs(dev) >= $sigma * sd),
        pairs AS (SELECT expert, bidder_id, any_value(bidder) AS bidder, sign(dev) AS direction,
                         count(DISTINCT lot) AS lots, avg(dev) AS mean_dev, list(row ORDER BY row) AS rows,
                         list(DISTINCT lot ORDER BY lot) AS lot_ids
                  FROM odd GROUP BY expert, bidder_id, sign(dev) HAVING count(DISTINCT lot) >= $min_lots)
        SELECT expert, max(lots) AS lots, list({'bidder': bidder, 'bidder_id': bidder_id, 'lots': lots,
                                                 'mean_dev': mean_dev, 'lot_ids': lot_ids} ORDER BY bidder_id) AS pairs,
               list_sort(flatten(list(rows))) AS rows
        FROM pairs GROUP BY expert ORDER BY expert
        """,
        {"min_panel": p["min_panel"], "points": p["points"], "sigma": p["sigma"], "min_lots": p["min_lots"]},
    )
    flags = []
    for f in found:
        parts = [f"在{x['lots']}个标段（{'、'.join(x['lot_ids'])}）对{x['bidder']}的评分平均"
                 f"{'高' if x['mean_dev'] > 0 else '低'}于其他专家均值{abs(x['mean_dev']):.1f}分"
                 for x in f["pairs"]]  # fmt: skip
        flags.append({"id": f["expert"], "value": float(f["lots"]), "rows": f["rows"],
                      "explanation": f"评标专家{f['expert']}{'；'.join(parts)}"})  # fmt: skip
    return flags


_CHECKS: dict[str, Callable[[duckdb.DuckDBPyConnection, dict[str, Any]], list[dict[str, Any]]]] = {
    "CN-SAME-DEVICE": same_device,
    "CN-SAME-ACCOUNT": same_account,
    "CN-SAME-CONTACT": same_contact,
    "CN-PRICE-PATTERN": price_pattern,
    "CN-SPLIT": split,
    "CN-NOT-TENDERED": not_tendered,
    "CN-COVER-BIDDER": cover_bidder,
    "CN-WINNER-CONCENTRATION": winner_concentration,
    "CN-EXPERT-BIAS": expert_bias,
}
