"""One columnar model (redflags/model.py) for both sources: OCDS and the platform's rows give
the same tables, the CN- indicators that OCDS can carry run on it, Cardinal's run on the
platform's rows when the settings ask for them, and what a source lacks finds nothing."""

import json

import duckdb
import pyarrow as pa

from ducha.analytics.redflags import model, ocds
from ducha.analytics.redflags import settings as redflag_settings
from ducha.analytics.redflags.collusion import INDICATORS, run
from ducha.analytics.redflags.platform import load
from ducha.analytics.tests.test_collusion import bid, lot_of


def release(ocid, buyer, method, details, *, winner, value, date="2024-03-01T00:00:00Z", bids=(), kind="goods"):
    tenderers = {t for t, _ in bids} | {winner}
    return {
        "ocid": ocid, "buyer": {"id": buyer}, "parties": [{"id": t, "name": f"{t}公司"} for t in sorted(tenderers)],
        "tender": {"procurementMethod": method, "procurementMethodDetails": details, "mainProcurementCategory": kind,
                   "numberOfTenderers": len(bids) or 1,
                   "tenderPeriod": {"startDate": "2024-01-01T00:00:00Z", "endDate": "2024-02-01T00:00:00Z"}},
        "bids": {"details": [{"status": "valid", "tenderers": [{"id": t}], "value": {"amount": p, "currency": "CNY"}}
                             for t, p in bids]},
        "awards": [{"status": "active", "date": date, "value": {"amount": value}, "suppliers": [{"id": winner}]}],
    }  # fmt: skip


def ocds_world(tmp_path):
    lines = [
        # 化整为零: three goods contracts of one buyer by 询价 within a year, each under 200万, together over
        release("ocds-split-1", "B1", "limited", "询价", winner="S9", value=800_000, date="2024-01-10T00:00:00Z"),
        release("ocds-split-2", "B1", "limited", "询价", winner="S8", value=800_000, date="2024-05-10T00:00:00Z"),
        release("ocds-split-3", "B1", "limited", "询价", winner="S7", value=800_000, date="2024-09-10T00:00:00Z"),
        # 应招未招: 300万 of goods from a single source
        release("ocds-direct", "B3", "direct", "单一来源", winner="S9", value=3_000_000),
        # prices in steps of 10,000 yuan
        release("ocds-steps", "B4", "open", "公开招标", winner="T1", value=1_000_000,
                bids=[("T1", 1_000_000), ("T2", 1_010_000), ("T3", 1_020_000)]),
    ]  # fmt: skip
    # one supplier wins five of a buyer's six lots
    lines += [release(f"ocds-b2-{i}", "B2", "open", "公开招标", winner="S1" if i < 5 else "S2", value=500_000)
              for i in range(6)]  # fmt: skip
    path = tmp_path / "releases.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in lines) + "\n", encoding="utf-8")
    return path


def columns(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, str]]:
    return {t: {n: model._normal(k) for n, k, *_ in con.sql(f"DESCRIBE {t}").fetchall() if n in model.COLUMNS[t]}
            for t in model.COLUMNS}  # fmt: skip


def test_both_readers_write_every_column_of_the_model_with_its_type(tmp_path):
    expected = {t: {n: model._normal(k) for n, k in cs.items()} for t, cs in model.COLUMNS.items()}
    from_ocds, from_platform = duckdb.connect(), duckdb.connect()
    ocds.load(from_ocds, ocds_world(tmp_path), redflag_settings.load(None))
    load(from_platform, pa.Table.from_pylist(lot_of("P1/1", [100.0, 200.0])))
    assert columns(from_ocds) == expected and columns(from_platform) == expected
    # what a source lacks is NULL: OCDS has no machine codes, the platform no classifications
    assert from_ocds.sql("SELECT count(*) FROM bids WHERE machine IS NOT NULL OR scores IS NOT NULL").fetchall() == [
        (0,)
    ]
    assert from_platform.sql("SELECT count(*) FROM awards WHERE classes IS NOT NULL").fetchall() == [(0,)]
    lot = from_ocds.sql("SELECT kind, method, method_details, amount, CAST(day AS VARCHAR), winner_id, winner, winners "
                        "FROM lots WHERE lot = 'ocds-direct'").fetchall()  # fmt: skip
    assert lot == [("货物", "direct", "单一来源", 3_000_000.0, "2024-03-01", "S9", "S9公司", 1)]
    platform_lot = from_platform.sql("SELECT method, number_of_tenderers, start_date, end_date FROM lots").fetchall()
    assert platform_lot == [("open", 2, None, None)]


def test_the_cn_indicators_ocds_can_carry_run_on_it_and_the_others_find_nothing(tmp_path):
    found = run(ocds_world(tmp_path), ocds_file=True)[0].to_pylist()
    cn = {(f["indicator"], f["id"]): f for f in found if f["indicator"].startswith("CN-")}
    assert set(cn) == {("CN-SPLIT", "B1"), ("CN-NOT-TENDERED", "ocds-direct"), ("CN-PRICE-PATTERN", "ocds-steps"),
                       ("CN-WINNER-CONCENTRATION", "B2")}  # fmt: skip
    assert cn["CN-SPLIT", "B1"]["value"] == 2_400_000 and cn["CN-SPLIT", "B1"]["rows"] == [1, 2, 3]  # the lines
    assert "T2公司报价1,010,000.00元" in cn["CN-PRICE-PATTERN", "ocds-steps"]["explanation"]
    assert "以单一来源方式确定S9公司" in cn["CN-NOT-TENDERED", "ocds-direct"]["explanation"]
    # Cardinal's run beside them (an OCDS file without settings: all eleven); R018 is not here (no single bid)
    assert {f["indicator"] for f in found if not f["indicator"].startswith("CN-")} <= set(
        redflag_settings.CARDINAL_CODES
    )


def test_cardinals_indicators_run_on_the_platforms_rows_when_the_settings_enable_them():
    rows = [bid("P1/1", "独家公司", 500_000.0, won=True)]  # one bid in an open tender
    rows += [bid("P2/1", "甲公司", 800_000.0, won=True), bid("P2/1", "乙公司", 800_000.0),
             bid("P2/1", "丙公司", 900_000.0)]  # fmt: skip
    table = pa.Table.from_pylist(rows)
    assert not [f for f in run(table)[0].to_pylist() if f["indicator"].startswith("R")]  # not without a section
    found = run(table, redflag_settings.from_text("[R018]\n[R028]\n"))[0].to_pylist()
    cardinal = {(f["indicator"], f["scope"], f["id"]): f for f in found if f["indicator"].startswith("R")}
    uscc = {r["投标人"]: r["投标人统一社会信用代码"] for r in rows}
    assert set(cardinal) == {("R018", "lot", "P1/1"), ("R028", "lot", "P2/1"), ("R028", "bidder", uscc["甲公司"]),
                             ("R028", "bidder", uscc["乙公司"])}  # fmt: skip
    assert cardinal["R028", "lot", "P2/1"]["rows"] == [3, 4, 5]  # the lot's bid rows in the file
    assert cardinal["R018", "lot", "P1/1"]["explanation"] == "标段P1/1：仅收到一份投标（Cardinal R018），值为1"
    # the CN- indicators still run beside them (the settings name no CN- section)
    assert {f["indicator"] for f in found} >= {"R018", "R028"}


def test_lots_whose_numbers_meet_are_numbered_again(monkeypatch):
    """A lot's number is its id's hash; were two to meet, the reader numbers the lots by
    sorting instead (here every hash is made to meet)."""
    from ducha.analytics.redflags import platform
    from ducha.analytics.redflags.platform_synthetic import Spec, generate

    world = generate(Spec(lots=60, planted=1, bidders=50, experts=20)).rows
    settings = redflag_settings.from_text("[R018]\n[R024]\n[R028]\n" + "".join(f"[{c}]\n" for c in INDICATORS))
    expected = run(world, settings)[0].sort_by("explanation")
    monkeypatch.setattr(platform, "LID", "1")
    con = duckdb.connect()
    load(con, world)
    assert con.sql("SELECT count(*) = count(DISTINCT lid) FROM lots").fetchall() == [(True,)]
    assert run(world, settings)[0].sort_by("explanation") == expected
