"""Cardinal's eleven red flags over the red flags' columnar model (model.py: OCDS through
ocds.py, the platform's bids through platform.py), with Cardinal's definitions, defaults,
exclusions and settings (docs/redflags.md; the pages under
shared/peer/cardinal/docs/cli/indicators/R/). The answer has Cardinal's shape
`{GROUP: {ID: {CODE: value}}}` without its Meta key; every value a float.
`cardinal_flags` gives them as rows of the flags table (collusion.FLAG_SCHEMA), with their
evidence rows and a Chinese explanation (NAMES).

Each indicator is one SQL query over the model's `lots`, `bids` and `awards`; Python only
takes the quartiles (quantiles.py: Cardinal's type 8) and compares with the fences.
Every query orders its rows (by lot, then identifier), so that the same file gives the
same output, byte for byte, on every run: DuckDB's threads return unordered rows in any order.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from ducha.analytics.duck import Limits, connect
from ducha.analytics.redflags import ocds
from ducha.analytics.redflags.quantiles import fences, percentile
from ducha.analytics.redflags.settings import Settings

GROUPS = ("OCID", "Buyer", "ProcuringEntity", "Tenderer")
Results = dict[str, dict[str, dict[str, float]]]
Flag = tuple[str, str, str, float]  # group, id, code, value


class Run:
    """The indicators over one loaded file: `run.results` once `compute()` has run."""

    def __init__(self, con: duckdb.DuckDBPyConnection, settings: Settings):
        self.con, self.settings = con, settings
        self.currency = ocds.main_currency(con, settings)
        self.results: Results = {}
        self.meta: dict[str, dict[str, float]] = {}
        self._differences: list[tuple] | None = None

    def differences(self) -> list[tuple]:
        """R024 and R058 share their data: (ocid, winner, second, difference) once."""
        if self._differences is None:
            self._differences = self.rows(_DIFFERENCE, currency=self.currency)
        return self._differences

    def flag(self, group: str, ident: str, code: str, value: float) -> None:
        self.results.setdefault(group, {}).setdefault(ident, {})[code] = float(value)

    def rows(self, sql: str, **params: Any) -> list[tuple]:
        return self.con.sql(sql, params=params or None).fetchall()

    def compute(self) -> Results:
        for code in self.settings.enabled_cardinal():
            INDICATORS[code](self)
        return {group: self.results[group] for group in GROUPS if group in self.results}


# Processes whose awards are all final, with exactly one active award of exactly one
# supplier: its `winner` (R024, R025, R058). Processes without awards are not in it.
_SOLE_WINNER = """
    SELECT lid, any_value(suppliers[1]) FILTER (status = 'active') AS winner FROM awards
    GROUP BY lid
    HAVING bool_and(coalesce(status IN ('active', 'cancelled', 'unsuccessful'), false))
       AND count(*) FILTER (status = 'active') = 1
       AND max(len(suppliers)) FILTER (status = 'active') = 1
"""

# R024 and R058's difference: (lowest valid bid of another tenderer − the winner's lowest
# valid bid) / the winner's, for price-comparable processes whose winner bid lowest. Only
# bids of one tenderer, in the main currency. A winner's bid of 0 gives no difference.
_DIFFERENCE = f"""
    SELECT p.lot, d.winner, d.second, (d.second_amount - d.won) / d.won AS v
    FROM (
        SELECT s.lid, s.winner,
               min(b.price) FILTER (b.tenderers[1] = s.winner) AS won,
               min(b.price) FILTER (b.tenderers[1] <> s.winner) AS second_amount,
               arg_min(b.tenderers[1], (b.price, b.bix)) FILTER (b.tenderers[1] <> s.winner) AS second
        FROM ({_SOLE_WINNER}) s JOIN bids b USING (lid)
        WHERE b.status = 'valid' AND len(b.tenderers) = 1 AND b.price IS NOT NULL AND b.currency = $currency
        GROUP BY s.lid, s.winner
    ) d JOIN lots p USING (lid)
    WHERE p.priceable AND d.won IS NOT NULL AND d.second_amount IS NOT NULL AND d.won <= d.second_amount
      AND d.won <> 0
    ORDER BY p.lot
"""


def r003(run: Run) -> None:
    """Short submission period: whole days from start to end below the threshold."""
    s = run.settings.r003
    assert s is not None
    rfc3339 = r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})"
    rows = run.rows(
        """SELECT lot, method_details,
                  trunc((epoch_us(end_date::TIMESTAMPTZ) - epoch_us(start_date::TIMESTAMPTZ)) / 86400000000.0)
           FROM lots
           WHERE regexp_full_match(start_date, $re) AND regexp_full_match(end_date, $re)
             AND ($methods IS NULL OR list_contains($methods, method))
           ORDER BY lot""",
        re=rfc3339,
        methods=sorted(s.procurement_methods) if s.procurement_methods is not None else None,
    )
    for ocid, details, days in rows:
        if days < s.procurement_method_details.get(details, s.threshold):
            run.flag("OCID", ocid, "R003", 1.0)


def r018(run: Run) -> None:
    """Single bid received in a competitive procedure."""
    s = run.settings.r018
    assert s is not None
    for (ocid,) in run.rows(
        "SELECT lot FROM lots WHERE number_of_tenderers = 1 AND list_contains($methods, method) ORDER BY lot",
        methods=sorted(s.procurement_methods),
    ):
        run.flag("OCID", ocid, "R018", 1.0)


def r024(run: Run) -> None:
    """Price close to winning bid: a difference at or below the lower fence; the winner and
    the second-lowest bidder are flagged too."""
    s = run.settings.r024
    assert s is not None
    _flag_differences(run, "R024", _lower_limit(run, "R024", _sorted_differences(run), s.threshold))


def r025(run: Run) -> None:
    """Excessive unsuccessful bids: a top tenderer whose wins per valid bid are a low outlier."""
    s = run.settings.r025
    assert s is not None
    rows = run.rows(
        f"""SELECT t, count(*) AS bids, count(*) FILTER (t = winner) AS wins
            FROM (SELECT DISTINCT b.lid, b.tenderers[1] AS t, w.winner
                  FROM bids b JOIN ({_SOLE_WINNER}) w USING (lid)
                  WHERE b.status = 'valid' AND len(b.tenderers) = 1)
            GROUP BY t ORDER BY t"""
    )
    ratios = {t: wins / bids for t, bids, wins in rows}
    top = percentile(sorted(float(bids) for _, bids, _ in rows), s.percentile)
    limit = _lower_limit(run, "R025", sorted(ratios.values()), s.threshold)
    for t, bids, _ in rows:
        if limit is not None and bids >= top and ratios[t] <= limit:
            run.flag("Tenderer", t, "R025", ratios[t])


def r028(run: Run) -> None:
    """Identical bid prices: two submitted bids of different tenderers, same amount and currency."""
    rows = run.rows(
        """WITH sub AS (
               SELECT b.lid, p.lot, b.bix, b.price, b.currency, list_sort(list_distinct(b.tenderers)) AS ts
               FROM bids b JOIN lots p USING (lid)
               WHERE p.priceable AND b.status IN ('pending', 'valid', 'disqualified')
                 AND b.price IS NOT NULL AND b.currency IS NOT NULL AND len(b.tenderers) > 0)
           SELECT DISTINCT lot, unnest(ts) AS t FROM (
               SELECT x.lot, x.ts
               FROM sub x JOIN sub y ON x.lid = y.lid AND x.price = y.price AND x.currency = y.currency
                                    AND x.bix <> y.bix AND x.ts <> y.ts)
           ORDER BY lot, t"""
    )
    for ocid, tenderer in rows:
        run.flag("OCID", ocid, "R028", 1.0)
        run.flag("Tenderer", tenderer, "R028", 1.0)


def r030(run: Run) -> None:
    """Late bid won: a valid bid dated after the deadline (compared as text, as Cardinal
    does) whose tenderer supplies an active award."""
    rows = run.rows(
        """WITH late AS (
               SELECT b.lid, p.lot, unnest(b.tenderers) AS t
               FROM bids b JOIN lots p USING (lid) WHERE b.status = 'valid' AND b.date > p.end_date),
           suppliers AS (SELECT lid, unnest(suppliers) AS t FROM awards WHERE status = 'active')
           SELECT DISTINCT late.lot, late.t FROM late JOIN suppliers USING (lid, t) ORDER BY late.lot, late.t"""
    )
    for ocid, tenderer in rows:
        run.flag("OCID", ocid, "R030", 1.0)
        run.flag("Tenderer", tenderer, "R030", 1.0)


def r035(run: Run) -> None:
    """All except winning bid disqualified: one valid tenderer, the only supplier of the
    active awards, and at least `threshold` other tenderers disqualified."""
    s = run.settings.r035
    assert s is not None
    rows = run.rows(
        """WITH final AS (
               SELECT lid, list_distinct(flatten(list(suppliers) FILTER (status = 'active'))) AS suppliers
               FROM awards GROUP BY lid
               HAVING bool_and(coalesce(status IN ('active', 'cancelled', 'unsuccessful'), false))),
           tenderers AS (
               SELECT lid, list_distinct(flatten(list(tenderers) FILTER (status = 'valid'))) AS valid,
                      list_distinct(flatten(list(tenderers) FILTER (status = 'disqualified'))) AS disqualified
               FROM bids GROUP BY lid)
           SELECT p.lot, t.valid[1], coalesce(len(list_filter(t.disqualified, lambda d: d <> t.valid[1])), 0)
           FROM final f JOIN tenderers t USING (lid) JOIN lots p USING (lid)
           WHERE len(t.valid) = 1 AND len(f.suppliers) = 1 AND f.suppliers[1] = t.valid[1]
           ORDER BY p.lot"""
    )
    for ocid, winner, disqualified in rows:
        if disqualified >= s.threshold:
            run.flag("OCID", ocid, "R035", disqualified)
            run.flag("Tenderer", winner, "R035", 0.0)


def r036(run: Run) -> None:
    """Lowest bid disqualified: the lowest submitted bid (the first of equals) is disqualified,
    with an active award and a valid bid with an amount."""
    rows = run.rows(
        """SELECT p.lot FROM bids b JOIN lots p USING (lid)
           WHERE p.priceable AND b.status IN ('pending', 'valid', 'disqualified')
             AND b.price IS NOT NULL AND b.currency = $currency
             AND EXISTS (SELECT 1 FROM awards a WHERE a.lid = b.lid AND a.status = 'active')
           GROUP BY b.lid, p.lot
           HAVING count(*) FILTER (b.status = 'valid') > 0
              AND arg_min(b.status, (b.price, b.bix)) = 'disqualified'
           ORDER BY p.lot""",
        currency=run.currency,
    )
    for (ocid,) in rows:
        run.flag("OCID", ocid, "R036", 1.0)


def r038(run: Run) -> None:
    """Excessive disqualified bids per buyer, procuring entity and tenderer: disqualified /
    submitted at or above the upper fence. Organisations below the minimum are left out.
    For buyers and procuring entities the minimum counts submitted bids, as Cardinal's code
    does (its page says contracting processes; its fixtures need the code's reading)."""
    s = run.settings.r038
    assert s is not None
    # Lateral unnests are slow in DuckDB: the tenderers are unnested in a subquery.
    per_org = """SELECT org, count(*) FILTER (status = 'disqualified') / count(*) AS v
                 FROM ({source}) WHERE status IN ('pending', 'valid', 'disqualified') AND org IS NOT NULL
                 GROUP BY org HAVING count(*) >= $minimum ORDER BY org"""
    by_process = "SELECT b.status, p.{column} AS org FROM bids b JOIN lots p USING (lid)"
    by_tenderer = "SELECT status, unnest(list_distinct(tenderers)) AS org FROM bids"
    for group, source, minimum in (
        ("Buyer", by_process.format(column="buyer"), s.minimum_contracting_processes),
        ("ProcuringEntity", by_process.format(column="procuring_entity"), s.minimum_contracting_processes),
        ("Tenderer", by_tenderer, s.minimum_submitted_bids),
    ):
        rows = run.rows(per_org.format(source=source), minimum=minimum)
        limit = _upper_limit(run, f"R038-{group}", sorted(r[1] for r in rows), s.threshold)
        for ident, ratio in rows:
            if limit is not None and limit > 0 and ratio >= limit:
                run.flag(group, ident, "R038", ratio)


def r048(run: Run) -> None:
    """Heterogeneous supplier: distinct classification prefixes of the items awarded to a
    sole supplier, at or above the upper fence of the suppliers awarded in at least
    `minimum_contracting_processes` processes. A supplier with no classified item has no
    variety. No guard: Cardinal has none here."""
    s = run.settings.r048
    assert s is not None
    rows = run.rows(
        """SELECT suppliers[1] AS t, count(DISTINCT lid) AS processes,
                  count(DISTINCT prefix) FILTER (prefix IS NOT NULL) AS variety
           FROM (SELECT lid, suppliers, unnest(CASE WHEN len(classes) = 0 THEN [NULL] ELSE classes END) AS c,
                        left(c, $digits) AS prefix
                 FROM awards WHERE status = 'active' AND len(suppliers) = 1)
           GROUP BY t HAVING variety > 0 ORDER BY t""",
        digits=s.digits,
    )
    if s.threshold is not None:
        limit = float(s.threshold)
    else:
        q = fences(sorted(float(v) for _, n, v in rows if n >= s.minimum_contracting_processes))
        run.meta["R048"] = {"q1": q.q1, "q3": q.q3, "upper_fence": q.upper}
        limit = q.upper
    for t, _, variety in rows:
        if variety >= limit:
            run.flag("Tenderer", t, "R048", variety)


def r058(run: Run) -> None:
    """Heavily discounted bid: a difference at or above the upper fence; the winner is
    flagged too."""
    s = run.settings.r058
    assert s is not None
    limit = _upper_limit(run, "R058", _sorted_differences(run), s.threshold)
    _flag_differences(run, "R058", limit if limit is not None and limit > 0 else None)


def _sorted_differences(run: Run) -> list[float]:
    return sorted(row[3] for row in run.differences())


def _flag_differences(run: Run, code: str, limit: float | None) -> None:
    """R024 flags what lies at or below its limit, R058 what lies at or above its own."""
    if limit is None:
        return
    for ocid, winner, second, difference in run.differences():
        if difference <= limit if code == "R024" else difference >= limit:
            run.flag("OCID", ocid, code, difference)
            run.flag("Tenderer", winner, code, 0.0)
            if code == "R024":
                run.flag("Tenderer", second, code, 0.0)


def _lower_limit(run: Run, key: str, ordered: list[float], threshold: float | None) -> float | None:
    """The lower fence (or `threshold`), None when Cardinal's guard stops the indicator:
    a threshold must be positive; a computed fence needs Q1 > 0 and a fence > 0."""
    if threshold is not None:
        return threshold if threshold > 0 else None
    q = fences(ordered)
    run.meta[key] = {"q1": q.q1, "q3": q.q3, "lower_fence": q.lower}
    return q.lower if q.q1 > 0 and q.lower > 0 else None


def _upper_limit(run: Run, key: str, ordered: list[float], threshold: float | None) -> float | None:
    if threshold is not None:
        return threshold
    q = fences(ordered)
    run.meta[key] = {"q1": q.q1, "q3": q.q3, "upper_fence": q.upper}
    return None if math.isnan(q.upper) else q.upper


INDICATORS: dict[str, Callable[[Run], None]] = {
    "R003": r003, "R018": r018, "R024": r024, "R025": r025, "R028": r028, "R030": r030,
    "R035": r035, "R036": r036, "R038": r038, "R048": r048, "R058": r058,
}  # fmt: skip


def indicators(path: str | Path, settings: Settings, *, limits: Limits | None = None) -> tuple[Results, ocds.Loaded]:
    """Read an OCDS JSON Lines file and run the indicators its settings enable."""
    with connect(limits) as con:
        loaded = ocds.load(con, path, settings)
        return Run(con, settings).compute(), loaded


def flags(results: Results) -> list[Flag]:
    """One row per flag, in group order then as found."""
    return [(g, ident, code, value) for g, ids in results.items() for ident, codes in ids.items()
            for code, value in codes.items()]  # fmt: skip


# Cardinal's groups as the flags' scopes (a procuring entity is a buyer's kind).
_SCOPES = {"OCID": "lot", "Tenderer": "bidder", "Buyer": "buyer", "ProcuringEntity": "buyer"}
_SUBJECTS = {"OCID": "标段", "Tenderer": "投标人", "Buyer": "招标人", "ProcuringEntity": "采购实体"}
EVIDENCE_ROWS = 100  # a bidder's or buyer's Cardinal flag shows its first rows only


def cardinal_flags(con: duckdb.DuckDBPyConnection, settings: Settings) -> list[dict[str, Any]]:
    """Cardinal's indicators the settings enable, as flags: the evidence is the lot's bid
    rows (OCDS: its line), a bidder's or buyer's first EVIDENCE_ROWS."""
    if not settings.enabled_cardinal():
        return []
    found = flags(Run(con, settings).compute())
    if not found:
        return []
    con.register("cardinal_found", pa.table({"g": [f[0] for f in found], "id": [f[1] for f in found]}))
    evidence = {
        (g, ident): rows or []
        for g, ident, rows in con.sql(
            f"""SELECT g, id, CASE g
                    WHEN 'OCID' THEN (SELECT coalesce(list(DISTINCT b.row ORDER BY b.row) FILTER (b.row IS NOT NULL),
                                                       any_value(l.won_rows))
                                      FROM lots l LEFT JOIN bids b USING (lid) WHERE l.lot = f.id)
                    WHEN 'Tenderer' THEN (SELECT list(DISTINCT row ORDER BY row)[:{EVIDENCE_ROWS}] FROM bids
                                          WHERE list_contains(tenderers, f.id))
                    ELSE (SELECT list(DISTINCT b.row ORDER BY b.row)[:{EVIDENCE_ROWS}]
                          FROM lots l JOIN bids b USING (lid)
                          WHERE (CASE f.g WHEN 'Buyer' THEN l.buyer ELSE l.procuring_entity END) = f.id) END
                FROM (SELECT DISTINCT g, id FROM cardinal_found) f"""
        ).fetchall()
    }
    con.unregister("cardinal_found")
    return [{"indicator": code, "scope": _SCOPES[g], "id": ident, "value": round(value, 6),
             "rows": evidence.get((g, ident), []),
             "explanation": f"{_SUBJECTS[g]}{ident}：{NAMES[code][0]}（Cardinal {code}），值为{value:g}"}
            for g, ident, code, value in found]  # fmt: skip


# The eleven's names, in Chinese and English, for the flags list and the problems they become.
NAMES = {
    "R003": ("投标期限过短", "Short submission period"),
    "R018": ("仅收到一份投标", "Single bid received"),
    "R024": ("次低价与中标价过于接近", "Price close to winning bid"),
    "R025": ("投标多次未中标", "Excessive unsuccessful bids"),
    "R028": ("投标报价相同", "Identical bid prices"),
    "R030": ("逾期投标中标", "Late bid won"),
    "R035": ("中标人以外投标均被否决", "All except winning bid disqualified"),
    "R036": ("最低价投标被否决", "Lowest bid disqualified"),
    "R038": ("被否决投标比例过高", "Excessive disqualified bids"),
    "R048": ("中标人经营范围异常宽泛", "Heterogeneous supplier"),
    "R058": ("中标价远低于其他投标", "Heavily discounted bid"),
}
BASIS = "开放缔约伙伴关系（Open Contracting Partnership）Cardinal红旗指标"


def dumps(results: Results) -> str:
    """Cardinal's one-line JSON, floats as serde_json (ryu) prints them: `1.0`, `0.00001`,
    `1e16`, where Python would write `1e-05` and `1e+16`."""

    def text(value: str) -> str:
        return json.dumps(value, ensure_ascii=False)

    def codes(values: dict[str, float]) -> str:
        return ",".join(f"{text(code)}:{rust_float(v)}" for code, v in values.items())

    def ids(entries: dict[str, dict[str, float]]) -> str:
        return ",".join(f"{text(ident)}:{{{codes(values)}}}" for ident, values in entries.items())

    return "{" + ",".join(f"{text(group)}:{{{ids(entries)}}}" for group, entries in results.items()) + "}"


def rust_float(value: float) -> str:
    """A finite float in ryu's shortest form (the digits are Python's, also the shortest that
    read back the same; only the layout differs)."""
    if value == 0:
        return "-0.0" if math.copysign(1.0, value) < 0 else "0.0"
    sign, digit_tuple, exponent = Decimal(repr(value)).as_tuple()
    digits = "".join(map(str, digit_tuple)).rstrip("0")
    k = int(exponent) + len("".join(map(str, digit_tuple))) - len(digits)
    length = len(digits)
    kk = length + k  # 10^(kk-1) <= |value| < 10^kk
    if k >= 0 and kk <= 16:
        body = digits + "0" * k + ".0"
    elif 0 < kk <= 16:
        body = digits[:kk] + "." + digits[kk:]
    elif -5 < kk <= 0:
        body = "0." + "0" * -kk + digits
    elif length == 1:
        body = f"{digits}e{kk - 1}"
    else:
        body = f"{digits[0]}.{digits[1:]}e{kk - 1}"
    return ("-" if sign else "") + body
