"""The Chinese trading platform's bid data (../shared/spec/platform-bids.md: one row per bid,
i.e. per bidder and lot) in the red flags' columnar model (model.py).

The caller hands over the file's rows as an Arrow table (or a Parquet file) with the file's
Chinese headers (any order; unknown columns ignored) and, optionally, `row`: the row's
number in its file (else the position plus 2, the header being row 1). `load` writes the
model's tables in a DuckDB connection:

- `bids`: one row per bid (a province's 10,000,000 rows): `lot` = `项目编号/标段`,
  `bidder_id` = the USCC (the name when the code is missing), amounts in yuan (DOUBLE),
  identifying marks normalised (MAC upper-case without separators, account and phone
  without spaces and dashes), the scores as a list of {expert, score} (the panel is who
  scored: 评标专家 adds nothing the indicators use); every bid `valid` in CNY (a view's
  constants over the stored `platform_bids`). Kept beside
  the model's columns for the lots: kind, buyer, method_details, day, the notice and the
  deadline, the contract amount;
- `lots`: one row per lot: buyer, type, method (coded as OCDS's, and as written), the
  period (notice to deadline), the bidders, the winner and the contract (the amount on
  the winning row, else the winning price; the contract date, else the opening's);
- `awards`: one active award a winning row, supplied by its bidder;
- the model's views (bidders, buyers, scores, experts).
"""

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from ducha.analytics.redflags import model
from ducha.analytics.redflags.settings import Settings

HEADERS = {
    "项目编号": "project_no", "标段": "section", "项目类型": "kind", "招标人": "buyer", "代理机构": "agency",
    "招标方式": "method", "公告发布时间": "notice_at", "投标截止时间": "deadline_at", "开标时间": "opened_at",
    "投标人": "bidder", "投标人统一社会信用代码": "uscc", "投标报价": "price", "是否中标": "won",
    "投标文件制作机器码": "machine", "投标IP地址": "ip", "MAC地址": "mac", "保证金缴纳账户": "account",
    "联系人": "contact", "联系电话": "phone", "评标专家": "experts", "专家评分": "scores",
    "合同金额": "contract_amount", "合同签订日期": "contract_date",
}  # fmt: skip
REQUIRED = ("项目编号", "标段", "招标人", "投标人", "投标报价", "是否中标")
_TIME_FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d",
                 "%Y年%m月%d日"]  # fmt: skip


# A lot's number: its id's hash (numbering by sorting cost a quarter of the reading's CPU at
# 1,000,000 rows); load checks that no two lots share one.
LID = "CAST(hash(lot) >> 1 AS BIGINT)"
_NUMBERING = ("row", "file_row_number")  # the rows' numbers, not the file's columns


class PlatformError(ValueError):
    """Rows that cannot be read as platform bids: the message names the header."""


@dataclass(frozen=True)
class Loaded:
    bids: int
    lots: int
    notes: list[str]  # unknown columns, unreadable values (counted per header)


def load(con: duckdb.DuckDBPyConnection, rows: pa.Table | Path, settings: Settings | None = None) -> Loaded:
    """Write `bids` and `lots` into `con` from the file's rows: an Arrow table, or a Parquet
    file of them (DuckDB then reads it within its memory limit, as a province's 10,000,000
    rows need)."""
    # Without `row`, the position counts (numbered here: a parallel scan has no order).
    if isinstance(rows, pa.Table):
        if "row" not in rows.column_names:
            rows = rows.append_column("row", pa.array(range(2, rows.num_rows + 2), pa.int64()))
        con.register("platform_rows", rows)
        columns = rows.column_names
    else:
        path = str(rows).replace("'", "''")
        columns = [name for name, *_ in con.sql(f"DESCRIBE SELECT * FROM read_parquet('{path}')").fetchall()]
        numbered = "" if "row" in columns else ", file_row_number + 2 AS row"
        con.execute(f"CREATE OR REPLACE TEMP VIEW platform_rows AS SELECT *{numbered} "
                    f"FROM read_parquet('{path}', file_row_number = {'row' not in columns})")  # fmt: skip
        columns = [name for name, *_ in con.sql("DESCRIBE platform_rows").fetchall()]
    missing = [h for h in REQUIRED if h not in columns]
    if missing:
        raise PlatformError(f"缺少列：{'、'.join(missing)}")
    notes = [f"未识别的列已忽略：{name}" for name in columns if name not in HEADERS and name not in _NUMBERING]
    con.execute(_bids_sql(columns))
    con.execute(_BIDS_VIEW)
    if isinstance(rows, pa.Table):
        con.unregister("platform_rows")
    notes += _unreadable(con)
    s = settings or Settings()
    lots_params = {"no_price": sorted(s.no_price_comparison_procurement_methods or ()),
                   "price": sorted(s.price_comparison_procurement_methods or ())}  # fmt: skip
    con.execute(_LOTS_SQL.format(codes=_METHOD_CASES, priceable=model.PRICEABLE), lots_params)
    if con.sql("SELECT count(*) - count(DISTINCT lid) FROM lots").fetchall()[0][0]:
        # two lots' hashes met (once in ~10^12 pairs): numbered by sorting after all
        con.execute(
            "CREATE OR REPLACE TABLE platform_bids AS "
            "SELECT * REPLACE (dense_rank() OVER (ORDER BY lot) AS lid) FROM platform_bids"
        )
        con.execute(_LOTS_SQL.format(codes=_METHOD_CASES, priceable=model.PRICEABLE), lots_params)
    con.execute(_AWARDS_SQL)
    model.conform(con)
    bids, lots = con.sql("SELECT (SELECT count(*) FROM bids), (SELECT count(*) FROM lots)").fetchall()[0]
    return Loaded(bids, lots, notes)


def _bids_sql(columns: list[str]) -> str:
    def text(header: str) -> str:
        if header not in columns:
            return "''"
        return f"coalesce(trim(CAST(\"{header}\" AS VARCHAR)), '')"

    # The plain forms cast directly; only the others go through the slower parsers.
    def amount(header: str) -> str:
        return (f"coalesce(TRY_CAST({text(header)} AS DOUBLE), "
                f"TRY_CAST(nullif(regexp_replace({text(header)}, '[,，\\s元]', '', 'g'), '') AS DOUBLE))")  # fmt: skip

    def time(header: str) -> str:
        return (f"coalesce(TRY_CAST({text(header)} AS TIMESTAMP), "
                f"try_strptime(nullif({text(header)}, ''), {_TIME_FORMATS!r}))")  # fmt: skip

    t = {h: text(h) for h in HEADERS}
    return f"""
        CREATE OR REPLACE TABLE platform_bids AS
        SELECT *, {LID} AS lid
        FROM (
        SELECT CAST(row AS BIGINT) AS row, {t["项目编号"]} || '/' || {t["标段"]} AS lot,
               CASE WHEN {t["项目类型"]} LIKE '%施工%' THEN '施工'
                    WHEN regexp_matches({t["项目类型"]}, '勘察|设计|监理') THEN '勘察设计监理'
                    WHEN {t["项目类型"]} LIKE '%货物%' THEN '货物'
                    WHEN {t["项目类型"]} LIKE '%服务%' THEN '服务' ELSE {t["项目类型"]} END AS kind,
               {t["招标人"]} AS buyer, {t["招标方式"]} AS method_details,
               {time("公告发布时间")} AS notice_at, {time("投标截止时间")} AS deadline_at,
               CAST(coalesce({time("合同签订日期")}, {time("开标时间")}, {time("投标截止时间")},
                             {time("公告发布时间")}) AS DATE) AS day,
               {t["投标人"]} AS bidder,
               coalesce(nullif(upper({t["投标人统一社会信用代码"]}), ''), {t["投标人"]}) AS bidder_id,
               {amount("投标报价")} AS price, {amount("投标报价")} IS NULL AND {t["投标报价"]} <> '' AS price_unread,
               {t["是否中标"]} IN ('是', '中标', 'Y', 'y', '1', 'true', 'TRUE') AS won,
               upper({t["投标文件制作机器码"]}) AS machine, {t["投标IP地址"]} AS ip,
               upper(replace(replace({t["MAC地址"]}, ':', ''), '-', '')) AS mac,
               replace(replace({t["保证金缴纳账户"]}, ' ', ''), '-', '') AS account,
               {t["联系人"]} AS contact, translate({t["联系电话"]}, ' -+()（）', '') AS phone,
               list_transform(
                   list_filter(string_split(replace(replace({t["专家评分"]}, '；', ';'), '：', ':'), ';'),
                               lambda x: x LIKE '%:%'),
                   lambda x: {{'expert': trim(split_part(x, ':', 1)),
                              'score': TRY_CAST(trim(split_part(x, ':', 2)) AS DOUBLE)}}) AS scores,
               {amount("合同金额")} AS contract_amount
        FROM platform_rows)
    """


def _unreadable(con: duckdb.DuckDBPyConnection) -> list[str]:
    counts = con.sql(
        """SELECT count(*) FILTER (price_unread),
                  count(*) FILTER (list_bool_or(list_transform(scores, lambda s: s.score IS NULL)))
           FROM bids"""
    ).fetchall()[0]
    return [
        f"{header}：{n}行的值无法识别为数字" for header, n in zip(("投标报价", "专家评分"), counts, strict=True) if n
    ]


# What every platform bid has alike is a view's constant, not stored: 10,000,000 rows of a
# one-tenderer list, a status and a currency made the table a fifth larger (and spill).
_BIDS_VIEW = """CREATE OR REPLACE TEMP VIEW bids AS
                SELECT *, row AS bix, 'valid' AS status, [bidder_id] AS tenderers, 'CNY' AS currency,
                       CAST(NULL AS VARCHAR) AS date
                FROM platform_bids"""
_METHOD_CASES = " ".join(f"WHEN '{written}' THEN '{code}'" for written, code in model.METHOD_CODES.items())
_RFC3339 = "'%Y-%m-%dT%H:%M:%S+08:00'"  # the platform's times are Beijing time
_LOTS_SQL = f"""
    CREATE OR REPLACE TABLE lots AS
    SELECT *, {{priceable}} AS priceable FROM (
        SELECT lid, lot, any_value(kind) AS kind, any_value(buyer) AS buyer,
               CASE any_value(method_details) {{codes}} END AS method, any_value(method_details) AS method_details,
               strftime(min(notice_at), {_RFC3339}) AS start_date, strftime(min(deadline_at), {_RFC3339}) AS end_date,
               count(*) AS bids, count(DISTINCT bidder_id) AS number_of_tenderers,
               any_value(bidder_id) FILTER (won) AS winner_id, any_value(bidder) FILTER (won) AS winner,
               count(*) FILTER (won) AS winners,
               coalesce(max(contract_amount) FILTER (won), min(price) FILTER (won)) AS amount,
               coalesce(min(day) FILTER (won), min(day)) AS day,
               list(row ORDER BY row) FILTER (won) AS won_rows
        FROM bids GROUP BY lid, lot)
"""
_AWARDS_SQL = """CREATE OR REPLACE TABLE awards AS
                 SELECT lid, row AS aix, 'active' AS status, [bidder_id] AS suppliers FROM bids WHERE won"""
