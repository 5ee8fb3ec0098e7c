"""OCDS compiled releases (JSON Lines) into the columnar model the indicators read.

One line is one contracting process. DuckDB reads the file line by line (in parallel) and
parses it; a blank line is skipped silently, a line that is not JSON with a warning
naming it, a line that is not an object with a string `ocid` without one (Cardinal's
rules). A process whose `tender/status` is cancelled or whose
`tender/procurementMethodDetails` is in `[exclusions]` is dropped for every indicator.

Tables, in the connection given (only what the indicators read; `pid` is the line number):

- `processes`: pid, ocid, method (`tender/procurementMethod`), details
  (`…/procurementMethodDetails`), start_date, end_date (`tender/tenderPeriod`, as
  written), tenderers (`tender/numberOfTenderers` when a whole number), buyer
  (`buyer/id`), procuring_entity (`tender/procuringEntity/id`), priceable (price
  comparisons allowed by the global settings);
- `bids`: pid, bix (its place in `bids/details`), status, amount (a JSON number),
  currency, date, tenderers (the ids, strings only, in order);
- `awards`: pid, aix, status, suppliers (ids), classes (`items/classification/id`).

Values are kept only when they have the type OCDS gives them (a string id, a numeric
amount): anything else reads as missing, as in Cardinal.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ducha.analytics.redflags.settings import Settings

SUBMITTED = ("pending", "valid", "disqualified")
FINAL_AWARD = ("active", "cancelled", "unsuccessful")
# The fields read, each parsed once into a struct whose leaves stay JSON so that their type
# can be checked (a number where a string belongs reads as missing). json_transform gives
# NULL for a part whose shape differs (`"bids": "x"`), never an error.
_SHAPE = json.dumps({
    "ocid": "JSON", "buyer": {"id": "JSON"},
    "tender": {"status": "JSON", "procurementMethod": "JSON", "procurementMethodDetails": "JSON",
               "numberOfTenderers": "JSON", "procuringEntity": {"id": "JSON"},
               "tenderPeriod": {"startDate": "JSON", "endDate": "JSON"}},
    "bids": {"details": [{"status": "JSON", "date": "JSON", "tenderers": [{"id": "JSON"}],
                          "value": {"amount": "JSON", "currency": "JSON"}}]},
    "awards": [{"status": "JSON", "suppliers": [{"id": "JSON"}], "items": [{"classification": {"id": "JSON"}}]}],
})  # fmt: skip
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
        """CREATE OR REPLACE TEMP TABLE processes AS
           SELECT rowid + 1 AS pid, jstr(r.ocid) AS ocid,
                  jstr(r.tender.procurementMethod) AS method, jstr(r.tender.procurementMethodDetails) AS details,
                  jstr(r.tender.tenderPeriod.startDate) AS start_date, jstr(r.tender.tenderPeriod.endDate) AS end_date,
                  jint(r.tender.numberOfTenderers) AS tenderers, jstr(r.buyer.id) AS buyer,
                  jstr(r.tender.procuringEntity.id) AS procuring_entity, r.bids.details AS bids, r.awards AS awards
           FROM docs
           WHERE json_type(r.ocid) = 'VARCHAR' AND coalesce(jstr(r.tender.status), '') <> 'cancelled'
             AND NOT coalesce(list_contains($excluded, jstr(r.tender.procurementMethodDetails)), false)""",
        {"excluded": sorted(settings.excluded_procurement_method_details)},
    )
    con.execute("DROP TABLE docs")
    loaded.processes = con.sql("SELECT count(*) FROM processes").fetchall()[0][0]
    loaded.excluded = used - loaded.processes
    con.execute(
        """CREATE OR REPLACE TEMP TABLE bids AS
           SELECT pid, bix, jstr(b.status) AS status, jnum(b.value.amount) AS amount,
                  jstr(b.value.currency) AS currency, jstr(b.date) AS date, jids(b.tenderers) AS tenderers
           FROM (SELECT pid, unnest(bids) AS b, generate_subscripts(bids, 1) AS bix FROM processes)"""
    )
    con.execute(
        """CREATE OR REPLACE TEMP TABLE awards AS
           SELECT pid, aix, jstr(a.status) AS status, jids(a.suppliers) AS suppliers,
                  list_filter(list_transform(a.items, lambda i: jstr(i.classification.id)),
                              lambda c: c IS NOT NULL) AS classes
           FROM (SELECT pid, unnest(awards) AS a, generate_subscripts(awards, 1) AS aix FROM processes)"""
    )
    no_price = sorted(settings.no_price_comparison_procurement_methods or ())
    price = sorted(settings.price_comparison_procurement_methods or ())
    con.execute(
        """CREATE OR REPLACE TEMP TABLE processes AS
           SELECT * EXCLUDE (bids, awards),
                  NOT (len($no_price) > 0 AND coalesce(list_contains($no_price, details), false))
                  AND NOT (len($price) > 0 AND NOT coalesce(list_contains($price, details), false)) AS priceable
           FROM processes""",
        {"no_price": no_price, "price": price},
    )
    return loaded


def main_currency(con: duckdb.DuckDBPyConnection, settings: Settings) -> str | None:
    """The `currency` setting, or else the first currency seen (Cardinal's rule)."""
    if settings.currency:
        return settings.currency
    row = con.sql(
        "SELECT currency FROM bids WHERE currency IS NOT NULL AND amount IS NOT NULL ORDER BY pid, bix LIMIT 1"
    ).fetchall()
    return row[0][0] if row else None
