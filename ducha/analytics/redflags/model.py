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

`model_rows` gives a flag's evidence from the model: its rows' bids under the platform
layout's headers (what an OCDS run shows, having no file rows to show).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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


def model_rows(con: duckdb.DuckDBPyConnection, numbers: set[int]) -> dict[int, list[dict[str, Any]]]:
    """The model's bids of the rows asked for, each under the platform layout's headers (the
    lot's id under 项目编号; the contract on the winning bid's row, or on the lot's own when
    it has no bids), so that an OCDS flag's evidence reads as a platform one's."""
    if not numbers:
        return {}
    found = (
        con.sql(
            """SELECT coalesce(b.row, l.lid) AS row, l.lot, l.kind, l.buyer, l.method_details, b.bidder, b.bidder_id,
                  b.price, b.won, CASE WHEN coalesce(b.won, true) THEN l.amount END AS amount,
                  CASE WHEN coalesce(b.won, true) THEN CAST(l.day AS VARCHAR) END AS day
           FROM lots l LEFT JOIN bids b USING (lid)
           WHERE list_contains($rows, coalesce(b.row, l.lid)) ORDER BY row, b.bix""",
            params={"rows": sorted(numbers)},
        )
        .to_arrow_table()
        .to_pylist()
    )
    read: dict[int, list[dict[str, Any]]] = {}
    for f in found:
        won = "" if f["won"] is None else "是" if f["won"] else "否"
        values = (f["row"], f["lot"], "", f["kind"], f["buyer"], f["method_details"], f["bidder"], f["bidder_id"],
                  _text(f["price"]), won, _text(f["amount"]), f["day"])  # fmt: skip
        read.setdefault(f["row"], []).append(
            {h: "" if v is None else v for h, v in zip(_EVIDENCE_HEADERS, values, strict=True)}
        )
    return read


def _text(amount: float | None) -> str | None:
    """An amount as a file would write it (the platform's rows are text as read)."""
    return None if amount is None else f"{amount:.2f}"


_EVIDENCE_HEADERS = ("行号", "项目编号", "标段", "项目类型", "招标人", "招标方式", "投标人", "投标人统一社会信用代码",
                     "投标报价", "是否中标", "合同金额", "合同签订日期")  # fmt: skip
