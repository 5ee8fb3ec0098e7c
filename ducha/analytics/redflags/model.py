"""The one columnar model every red-flag indicator reads (DuckDB tables), whichever the source:
OCDS compiled releases (ocds.py) or the Chinese platform's bid file (platform.py).

A reader writes what its source carries; `conform` then adds every column it lacks as NULL
(of the model's type), so an indicator needing a field the source cannot carry finds
nothing there (`machine <> ''` is never true of NULL) instead of failing. Extra columns a
reader keeps for itself are allowed; the indicators read only these (COLUMNS). Which
field of each source fills which column: docs/redflags.md, "The columnar model".

- `lots`: one contracting process (OCDS; `lot` is the ocid) or lot (platform; 项目编号/标段),
  `lid` its number: buyer, procuring entity, kind (施工 / 货物 / 服务 / 勘察设计监理), the
  method coded as OCDS's (open, selective, limited, direct) and as written, the tender
  period in RFC 3339, the number of tenderers, whether prices compare, the contract's
  amount and day, the winner (id, name, how many), the winning rows;
- `bids`: one bid with its evidence `row` (OCDS: the process's line; platform: the file's
  row), its lot, status, tenderers, bidder (id, name), price and currency, date, whether
  it won, and the platform's marks: machine code, MAC, IP, deposit account, contact,
  phone, the experts' scores;
- `awards`: lid, aix, status, suppliers, classes (item classifications);
- views over them (the parties and experts): `bidders`, `buyers`, `scores`, `experts`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb

SCORE = "STRUCT(expert VARCHAR, score DOUBLE)[]"
COLUMNS: dict[str, dict[str, str]] = {
    "lots": {
        "lid": "BIGINT", "lot": "VARCHAR", "buyer": "VARCHAR", "procuring_entity": "VARCHAR", "kind": "VARCHAR",
        "method": "VARCHAR", "method_details": "VARCHAR", "start_date": "VARCHAR", "end_date": "VARCHAR",
        "number_of_tenderers": "BIGINT", "priceable": "BOOLEAN", "amount": "DOUBLE", "day": "DATE",
        "winner_id": "VARCHAR", "winner": "VARCHAR", "winners": "BIGINT", "won_rows": "BIGINT[]",
    },
    "bids": {
        "row": "BIGINT", "lid": "BIGINT", "lot": "VARCHAR", "bix": "BIGINT", "status": "VARCHAR",
        "tenderers": "VARCHAR[]", "bidder_id": "VARCHAR", "bidder": "VARCHAR", "price": "DOUBLE",
        "currency": "VARCHAR", "date": "VARCHAR", "won": "BOOLEAN", "machine": "VARCHAR", "mac": "VARCHAR",
        "ip": "VARCHAR", "account": "VARCHAR", "contact": "VARCHAR", "phone": "VARCHAR", "scores": SCORE,
    },
    "awards": {"lid": "BIGINT", "aix": "BIGINT", "status": "VARCHAR", "suppliers": "VARCHAR[]",
               "classes": "VARCHAR[]"},
}  # fmt: skip

# The methods that let a contract without tendering, in OCDS's codes (the platform's 招标方式
# mapped so): Cardinal's R018 reads open and selective as competitive.
METHOD_CODES = {"公开招标": "open", "邀请招标": "selective", "竞争性谈判": "limited", "竞争性磋商": "limited",
                "询价": "limited", "单一来源": "direct", "直接发包": "direct"}  # fmt: skip
KINDS = {"works": "施工", "goods": "货物", "services": "服务"}
# Price comparisons allowed by the settings' global methods (Cardinal's rule), by method_details;
# the parameters $no_price and $price are those lists.
PRICEABLE = """(NOT (len($no_price) > 0 AND coalesce(list_contains($no_price, method_details), false))
                AND NOT (len($price) > 0 AND NOT coalesce(list_contains($price, method_details), false)))"""

_VIEWS = """
    CREATE OR REPLACE TEMP VIEW bidders AS
    SELECT bidder_id, any_value(bidder) AS bidder, count(DISTINCT lot) AS lots,
           count(DISTINCT lot) FILTER (won) AS won FROM bids WHERE bidder_id IS NOT NULL GROUP BY bidder_id;
    CREATE OR REPLACE TEMP VIEW buyers AS
    SELECT buyer, count(*) AS lots, sum(amount) AS value FROM lots GROUP BY buyer;
    CREATE OR REPLACE TEMP VIEW scores AS
    SELECT row, lot, bidder_id, s.expert AS expert, s.score AS score
    FROM (SELECT row, lot, bidder_id, unnest(scores) AS s FROM bids);
    CREATE OR REPLACE TEMP VIEW experts AS
    SELECT expert, count(*) AS bids, count(DISTINCT lot) AS lots FROM scores GROUP BY expert;
"""


def conform(con: duckdb.DuckDBPyConnection) -> None:
    """Every column of the model present, with the model's type: a missing one added as NULL
    (a constant column, nothing copied); one of another type is a reader's mistake."""
    for table, columns in COLUMNS.items():
        have = {name: kind for name, kind, *_ in con.sql(f"DESCRIBE {table}").fetchall()}
        for name, kind in columns.items():
            if name not in have:
                con.execute(f'ALTER TABLE {table} ADD COLUMN "{name}" {kind}')
            elif _normal(have[name]) != _normal(kind):
                raise TypeError(f"{table}.{name} is {have[name]}, the model says {kind}")
    con.execute(_VIEWS)


def _normal(kind: str) -> str:
    return kind.replace('"', "").replace(" ", "").upper()
