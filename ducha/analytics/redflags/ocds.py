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

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ducha.analytics.redflags.settings import Settings

SUBMITTED = ("pending", "valid", "disqualified")
FINAL_AWARD = ("active", "cancelled", "unsuccessful")
_MACROS = """
CREATE OR REPLACE TEMP MACRO jstr(j, p) AS
    CASE WHEN json_type(j, p) = 'VARCHAR' THEN json_extract_string(j, p) END;
CREATE OR REPLACE TEMP MACRO jnum(j, p) AS
    CASE WHEN json_type(j, p) IN ('UBIGINT', 'BIGINT', 'DOUBLE', 'HUGEINT')
         THEN TRY_CAST(json_extract_string(j, p) AS DOUBLE) END;
CREATE OR REPLACE TEMP MACRO jint(j, p) AS
    CASE WHEN json_type(j, p) IN ('UBIGINT', 'BIGINT') THEN TRY_CAST(json_extract_string(j, p) AS BIGINT) END;
CREATE OR REPLACE TEMP MACRO jarr(j, p) AS
    CASE WHEN json_type(j, p) = 'ARRAY' THEN json_extract(j, p || '[*]') ELSE []::JSON[] END;
CREATE OR REPLACE TEMP MACRO jids(j, p) AS
    list_filter(list_transform(jarr(j, p), lambda o: jstr(o, '$.id')), lambda i: i IS NOT NULL);
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
    con.execute(
        """CREATE OR REPLACE TEMP TABLE lines AS
           SELECT row_number() OVER () AS pid, line
           FROM read_csv($path, columns = {'line': 'VARCHAR'}, header = false, delim = $delim,
                         quote = '', escape = '', auto_detect = false, max_line_size = 1073741824)""",
        {"path": str(path), "delim": "\x1f"},  # no JSON line holds a raw U+001F: one column per line
    )
    con.execute(
        """CREATE OR REPLACE TEMP TABLE docs AS
           SELECT pid, line::JSON AS doc FROM lines
           WHERE trim(line) <> '' AND json_valid(line)
             AND json_type(line::JSON) = 'OBJECT' AND json_type(line::JSON, '$.ocid') = 'VARCHAR'"""
    )
    loaded = Loaded()
    loaded.lines, loaded.not_json = con.sql(
        """SELECT count(*) FILTER (trim(coalesce(line, '')) <> ''),
                  coalesce(list(pid ORDER BY pid) FILTER (trim(coalesce(line, '')) <> '' AND NOT json_valid(line)), [])
           FROM lines"""
    ).fetchall()[0]
    con.execute("DROP TABLE lines")
    excluded = sorted(settings.excluded_procurement_method_details)
    con.execute(
        """CREATE OR REPLACE TEMP TABLE processes AS
           SELECT pid, json_extract_string(doc, '$.ocid') AS ocid,
                  jstr(doc, '$.tender.procurementMethod') AS method,
                  jstr(doc, '$.tender.procurementMethodDetails') AS details,
                  jstr(doc, '$.tender.tenderPeriod.startDate') AS start_date,
                  jstr(doc, '$.tender.tenderPeriod.endDate') AS end_date,
                  jint(doc, '$.tender.numberOfTenderers') AS tenderers,
                  jstr(doc, '$.buyer.id') AS buyer,
                  jstr(doc, '$.tender.procuringEntity.id') AS procuring_entity,
                  doc
           FROM docs
           WHERE coalesce(jstr(doc, '$.tender.status'), '') <> 'cancelled'
             AND NOT coalesce(list_contains($excluded, jstr(doc, '$.tender.procurementMethodDetails')), false)""",
        {"excluded": excluded},
    )
    loaded.processes = con.sql("SELECT count(*) FROM processes").fetchall()[0][0]
    used = con.sql("SELECT count(*) FROM docs").fetchall()[0][0]
    loaded.excluded = used - loaded.processes
    loaded.no_ocid = loaded.lines - len(loaded.not_json) - used
    con.execute("DROP TABLE docs")
    con.execute(
        """CREATE OR REPLACE TEMP TABLE bids AS
           SELECT pid, bix, jstr(b, '$.status') AS status, jnum(b, '$.value.amount') AS amount,
                  jstr(b, '$.value.currency') AS currency, jstr(b, '$.date') AS date,
                  jids(b, '$.tenderers') AS tenderers
           FROM (SELECT pid, unnest(jarr(doc, '$.bids.details')) AS b,
                        generate_subscripts(jarr(doc, '$.bids.details'), 1) AS bix FROM processes)"""
    )
    con.execute(
        """CREATE OR REPLACE TEMP TABLE awards AS
           SELECT pid, aix, jstr(a, '$.status') AS status, jids(a, '$.suppliers') AS suppliers,
                  list_filter(list_transform(jarr(a, '$.items'), lambda i: jstr(i, '$.classification.id')),
                              lambda c: c IS NOT NULL) AS classes
           FROM (SELECT pid, unnest(jarr(doc, '$.awards')) AS a,
                        generate_subscripts(jarr(doc, '$.awards'), 1) AS aix FROM processes)"""
    )
    no_price = sorted(settings.no_price_comparison_procurement_methods or ())
    price = sorted(settings.price_comparison_procurement_methods or ())
    con.execute(
        """CREATE OR REPLACE TEMP TABLE processes AS
           SELECT * EXCLUDE (doc),
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
