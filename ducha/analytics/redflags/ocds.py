"""OCDS compiled releases (JSON Lines) into the red flags' columnar model (model.py).

One line is one contracting process. DuckDB reads the file line by line (in parallel) and
parses it; a blank line is skipped silently, a line that is not JSON with a warning
naming it, a line that is not an object with a string `ocid` without one (Cardinal's
rules). A process whose `tender/status` is cancelled or whose
`tender/procurementMethodDetails` is in `[exclusions]` is dropped for every indicator.

Only the fields the indicators read are taken: the process (its `lots` row: `lid` is the
line number, `lot` the ocid), `bids/details` (`bids`, each with the line as its evidence
`row`, its first tenderer as `bidder_id` and that party's name as `bidder`), `awards`
(with their value and date: the lot's amount, day and winner) and the parties' names. What
OCDS does not carry (the platform's machine codes, accounts, contacts, scores) is NULL.

Values are kept only when they have the type OCDS gives them (a string id, a numeric
amount): anything else reads as missing, as in Cardinal.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ducha.analytics.redflags import model
from ducha.analytics.redflags.settings import Settings

SUBMITTED = ("pending", "valid", "disqualified")
FINAL_AWARD = ("active", "cancelled", "unsuccessful")
# The fields read, each parsed once into a struct whose leaves stay JSON so that their type
# can be checked (a number where a string belongs reads as missing). json_transform gives
# NULL for a part whose shape differs (`"bids": "x"`), never an error.
_SHAPE = json.dumps({
    "ocid": "JSON", "buyer": {"id": "JSON"}, "parties": [{"id": "JSON", "name": "JSON"}],
    "tender": {"status": "JSON", "procurementMethod": "JSON", "procurementMethodDetails": "JSON",
               "mainProcurementCategory": "JSON",
               "numberOfTenderers": "JSON", "procuringEntity": {"id": "JSON"},
               "tenderPeriod": {"startDate": "JSON", "endDate": "JSON"}},
    "bids": {"details": [{"status": "JSON", "date": "JSON", "tenderers": [{"id": "JSON"}],
                          "value": {"amount": "JSON", "currency": "JSON"}}]},
    "awards": [{"status": "JSON", "date": "JSON", "value": {"amount": "JSON"}, "suppliers": [{"id": "JSON"}],
                "items": [{"classification": {"id": "JSON"}}]}],
})  # fmt: skip
_KIND_CASES = " ".join(f"WHEN '{code}' THEN '{kind}'" for code, kind in model.KINDS.items())
_MACROS = """
CREATE OR REPLACE TEMP MACRO jstr(v) AS CASE WHEN json_type(v) = 'VARCHAR' THEN v ->> '$' END;
CREATE OR REPLACE TEMP MACRO jnum(v) AS
    CASE WHEN json_type(v) IN ('UBIGINT', 'BIGINT', 'DOUBLE', 'HUGEINT') THEN TRY_CAST(v AS DOUBLE) END;
CREATE OR REPLACE TEMP MACRO jint(v) AS CASE WHEN json_type(v) IN ('UBIGINT', 'BIGINT') THEN TRY_CAST(v AS BIGINT) END;
CREATE OR REPLACE TEMP MACRO jids(l) AS
    list_filter(list_transform(l, lambda o: jstr(o.id)), lambda i: i IS NOT NULL);
"""


@dataclass
class Loaded:
    """What the reading did: counts for the log and the lines skipped as not JSON."""

    lines: int = 0
    processes: int = 0
    excluded: int = 0
    not_json: list[int] = field(default_factory=list)
    no_ocid: int = 0

    @property
    def warnings(self) -> list[str]:
        shown = ", ".join(str(n) for n in self.not_json[:20]) + (" …" if len(self.not_json) > 20 else "")
        return [f"{len(self.not_json)} lines are not JSON and were skipped (line {shown})"] if self.not_json else []


def load(con: duckdb.DuckDBPyConnection, path: str | Path, settings: Settings) -> Loaded:
    con.execute(_MACROS)
    # One row a line, in file order (the table's rowid + 1 is the line number); the text
    # itself is not kept.
    con.execute(
        """CREATE OR REPLACE TEMP TABLE docs AS
           SELECT blank, valid, CASE WHEN valid THEN json_transform(line, $shape) END AS r
           FROM (SELECT line, trim(coalesce(line, '')) = '' AS blank, json_valid(line) AS valid
                 FROM read_csv($path, columns = {'line': 'VARCHAR'}, header = false, delim = $delim,
                               quote = '', escape = '', auto_detect = false, max_line_size = 1073741824))""",
        {"path": str(path), "delim": "\x1f", "shape": _SHAPE},  # no JSON line holds a raw U+001F
    )
    loaded = Loaded()
    loaded.lines, loaded.not_json, used = con.sql(
        """SELECT count(*) FILTER (NOT blank),
                  coalesce(list(rowid + 1 ORDER BY rowid) FILTER (NOT blank AND NOT valid), []),
                  count(*) FILTER (json_type(r.ocid) = 'VARCHAR')
           FROM docs"""
    ).fetchall()[0]
    loaded.no_ocid = loaded.lines - len(loaded.not_json) - used
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE processes AS
           SELECT rowid + 1 AS lid, jstr(r.ocid) AS lot,
                  jstr(r.tender.procurementMethod) AS method, jstr(r.tender.procurementMethodDetails) AS method_details,
                  jstr(r.tender.tenderPeriod.startDate) AS start_date, jstr(r.tender.tenderPeriod.endDate) AS end_date,
                  jint(r.tender.numberOfTenderers) AS number_of_tenderers, jstr(r.buyer.id) AS buyer,
                  jstr(r.tender.procuringEntity.id) AS procuring_entity,
                  CASE jstr(r.tender.mainProcurementCategory) {_KIND_CASES} END AS kind,
                  r.bids.details AS bids, r.awards AS awards, r.parties AS parties
           FROM docs
           WHERE json_type(r.ocid) = 'VARCHAR' AND coalesce(jstr(r.tender.status), '') <> 'cancelled'
             AND NOT coalesce(list_contains($excluded, jstr(r.tender.procurementMethodDetails)), false)""",
        {"excluded": sorted(settings.excluded_procurement_method_details)},
    )
    con.execute("DROP TABLE docs")
    loaded.processes = con.sql("SELECT count(*) FROM processes").fetchall()[0][0]
    loaded.excluded = used - loaded.processes
    # A party's name by (process, id); the first of a repeated id.
    con.execute(
        """CREATE OR REPLACE TEMP TABLE parties AS
           SELECT lid, id, any_value(name) AS name
           FROM (SELECT lid, jstr(p.id) AS id, jstr(p.name) AS name
                 FROM (SELECT lid, unnest(parties) AS p FROM processes))
           WHERE id IS NOT NULL GROUP BY lid, id"""
    )
    con.execute(
        """CREATE OR REPLACE TEMP TABLE awards AS
           SELECT lid, aix, jstr(a.status) AS status, jids(a.suppliers) AS suppliers,
                  list_filter(list_transform(a.items, lambda i: jstr(i.classification.id)),
                              lambda c: c IS NOT NULL) AS classes,
                  jnum(a.value.amount) AS amount, jstr(a.date) AS date
           FROM (SELECT lid, unnest(awards) AS a, generate_subscripts(awards, 1) AS aix FROM processes)"""
    )
    con.execute(
        """CREATE OR REPLACE TEMP TABLE won AS
           SELECT lid, list_distinct(flatten(list(suppliers))) AS suppliers, sum(amount) AS amount,
                  min(TRY_CAST(left(date, 10) AS DATE)) AS day
           FROM awards WHERE status = 'active' GROUP BY lid"""
    )
    con.execute(
        """CREATE OR REPLACE TEMP TABLE bids AS
           SELECT b.lid AS row, b.lid, b.lot, b.bix, b.status, b.price, b.currency, b.date, b.tenderers,
                  b.tenderers[1] AS bidder_id, coalesce(p.name, b.tenderers[1]) AS bidder,
                  coalesce(list_contains(w.suppliers, b.tenderers[1]), false) AS won
           FROM (SELECT lid, lot, bix, jstr(b.status) AS status, jnum(b.value.amount) AS price,
                        jstr(b.value.currency) AS currency, jstr(b.date) AS date, jids(b.tenderers) AS tenderers
                 FROM (SELECT lid, lot, unnest(bids) AS b, generate_subscripts(bids, 1) AS bix FROM processes)) b
           LEFT JOIN parties p ON p.lid = b.lid AND p.id = b.tenderers[1]
           LEFT JOIN won w ON w.lid = b.lid"""
    )
    no_price = sorted(settings.no_price_comparison_procurement_methods or ())
    price = sorted(settings.price_comparison_procurement_methods or ())
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE lots AS
            SELECT p.* EXCLUDE (bids, awards, parties), {model.PRICEABLE} AS priceable,
                   w.amount, coalesce(w.day, TRY_CAST(left(p.end_date, 10) AS DATE)) AS day,
                   CASE WHEN len(w.suppliers) = 1 THEN w.suppliers[1] END AS winner_id,
                   CASE WHEN len(w.suppliers) = 1 THEN coalesce(n.name, w.suppliers[1]) END AS winner,
                   coalesce(len(w.suppliers), 0) AS winners, CASE WHEN w.lid IS NOT NULL THEN [p.lid] END AS won_rows
            FROM processes p LEFT JOIN won w USING (lid)
            LEFT JOIN parties n ON n.lid = p.lid AND n.id = w.suppliers[1]""",
        {"no_price": no_price, "price": price},
    )
    con.execute("DROP TABLE processes; DROP TABLE won")
    model.conform(con)
    return loaded


def main_currency(con: duckdb.DuckDBPyConnection, settings: Settings) -> str | None:
    """The `currency` setting, or else the first currency seen (Cardinal's rule)."""
    if settings.currency:
        return settings.currency
    row = con.sql(
        "SELECT currency FROM bids WHERE currency IS NOT NULL AND price IS NOT NULL ORDER BY lid, bix LIMIT 1"
    ).fetchall()
    return row[0][0] if row else None
