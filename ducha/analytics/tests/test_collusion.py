"""The platform layout and the collusion and splitting indicators on hand-made bids, with
the cases that must not flag, and their precision and recall on the synthetic world."""

import zlib

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ducha.analytics.redflags import settings as redflag_settings
from ducha.analytics.redflags.collusion import FLAG_SCHEMA, INDICATORS, run
from ducha.analytics.redflags.platform import PlatformError, load
from ducha.analytics.redflags.platform_synthetic import Spec, generate, score


def bid(lot: str, bidder: str, price: float, won: bool = False, **extra: str) -> dict[str, str]:
    """One row; each bidder its own marks unless told (the code derives from the name)."""
    n = zlib.crc32(bidder.encode()) % 10**8
    row = {"项目编号": lot.split("/")[0], "标段": lot.split("/")[1], "项目类型": "施工", "招标人": "某市水利局",
           "招标方式": "公开招标", "开标时间": "2024-03-01 09:30", "投标人": bidder,
           "投标人统一社会信用代码": f"91150000MA{n:08d}", "投标报价": f"{price:.2f}",
           "是否中标": "是" if won else "否",
           "投标文件制作机器码": f"M{n}", "投标IP地址": f"36.1.{n % 256}.{n % 200 + 1}", "MAC地址": f"00-11-{n:08X}",
           "保证金缴纳账户": f"6222{n:012d}", "联系人": f"联系人{n}", "联系电话": f"139{n:08d}",
           "评标专家": "", "专家评分": "", "合同金额": f"{price:.2f}" if won else "",
           "合同签订日期": "2024-03-20" if won else ""}  # fmt: skip
    return row | extra


def flags(rows: list[dict[str, str]], settings: str | None = None) -> list[dict]:
    table = pa.Table.from_pylist(rows)
    found, _ = run(table, redflag_settings.from_text(settings) if settings is not None else None)
    return found.to_pylist()


def of(code: str, found: list[dict]) -> list[dict]:
    return [f for f in found if f["indicator"] == code]


def lot_of(lot: str, prices: list[float], **extra: str) -> list[dict[str, str]]:
    return [bid(lot, f"投标人{lot}-{i}", p, won=i == 0, **extra) for i, p in enumerate(prices)]


# --- the layout ---


def test_load_reads_the_layout_into_bids_and_lots():
    first_bid = {"投标报价": "1,234,567.50元", "MAC地址": "aa:bb:cc:dd:ee:ff", "评标专家": "张三;李四；王五",
                 "专家评分": "张三:80;李四：85.5;王五:x", "备注": "?"}  # fmt: skip
    rows = [
        bid("P1/1", "甲公司", 0) | first_bid,
        bid("P1/1", "乙公司", 1_300_000, won=True) | {"开标时间": "2024/03/01", "合同签订日期": "2024年03月20日"},
    ]
    con = duckdb.connect()
    loaded = load(con, pa.Table.from_pylist(rows))
    assert (loaded.bids, loaded.lots) == (2, 1)
    assert "未识别的列已忽略：备注" in loaded.notes and "专家评分：1行的值无法识别为数字" in loaded.notes
    first = con.sql("SELECT row, lot, price, mac, scores, CAST(day AS VARCHAR) FROM bids ORDER BY row").fetchall()[0]
    assert first[:4] == (2, "P1/1", 1234567.5, "AABBCCDDEEFF") and first[5] == "2024-03-01"
    assert first[4][:2] == [{"expert": "张三", "score": 80.0}, {"expert": "李四", "score": 85.5}]
    lot = con.sql("SELECT winner, amount, CAST(day AS VARCHAR) FROM lots").fetchall()[0]
    assert lot == ("乙公司", 1_300_000.0, "2024-03-20")
    assert con.sql("SELECT * FROM bidders ORDER BY bidder").fetchall() == [
        ("91150000MA" + f"{zlib.crc32('乙公司'.encode()) % 10**8:08d}", "乙公司", 1, 1),
        ("91150000MA" + f"{zlib.crc32('甲公司'.encode()) % 10**8:08d}", "甲公司", 1, 0),
    ]
    assert con.sql("SELECT * FROM buyers").fetchall() == [("某市水利局", 1, 1_300_000.0)]
    assert con.sql("SELECT expert, bids, lots FROM experts ORDER BY expert").fetchall() == [
        ("张三", 1, 1), ("李四", 1, 1), ("王五", 1, 1)]  # fmt: skip


def test_a_parquet_file_gives_the_same_flags_numbered_by_position(tmp_path):
    world = generate(Spec(lots=100, planted=1, bidders=80, experts=30))
    pq.write_table(world.rows.drop(["row"]), tmp_path / "bids.parquet")
    from_file, _ = run(tmp_path / "bids.parquet")
    from_table, _ = run(world.rows)
    assert from_file.num_rows >= 9 and from_file.sort_by("explanation") == from_table.sort_by("explanation")


def test_a_missing_required_header_is_named():
    with pytest.raises(PlatformError, match="投标报价"):
        load(duckdb.connect(), pa.table({"项目编号": ["P"], "标段": ["1"], "招标人": ["x"], "投标人": ["y"],
                                         "是否中标": ["否"]}))  # fmt: skip


def test_every_indicator_has_its_names_basis_and_scope():
    assert len(INDICATORS) == 9
    for code, i in INDICATORS.items():
        assert code.startswith("CN-") and i.name_zh and i.name_en and "第" in i.basis
        assert i.scope in ("lot", "bidder", "buyer", "expert")


# --- lot marks ---


def test_same_machine_code_flags_the_lot_naming_bidders_and_value():
    rows = lot_of("P1/1", [100_000, 101_000, 103_000])
    rows[2]["投标文件制作机器码"] = rows[1]["投标文件制作机器码"] = "ABC123"
    (flag,) = of("CN-SAME-DEVICE", flags(rows))
    assert (flag["scope"], flag["id"], flag["value"], flag["rows"]) == ("lot", "P1/1", 2.0, [3, 4])
    assert "投标人P1/1-1、投标人P1/1-2的投标文件制作机器码同为ABC123" in flag["explanation"]


def test_a_public_network_ip_shared_by_many_bidders_does_not_flag():
    rows = [b for k in range(12) for b in lot_of(f"N{k}/1", [100_000, 110_000])]
    for r in rows:
        r["投标IP地址"] = "221.0.0.1"  # 24 bidders behind one NAT
    assert of("CN-SAME-DEVICE", flags(rows)) == []
    few = rows[:2]  # two bidders only: their IP is not a public network's
    assert [f["id"] for f in of("CN-SAME-DEVICE", flags(few))] == ["N0/1"]
    assert of("CN-SAME-DEVICE", flags(rows, "[CN-SAME-DEVICE]\nmax_ip_bidders = 30")) != []


def test_a_trading_centre_terminal_used_by_many_bidders_does_not_flag():
    rows = [b for k in range(6) for b in lot_of(f"T{k}/1", [100_000, 110_000])]
    for r in rows:
        r["投标文件制作机器码"], r["MAC地址"] = "PUBLIC-PC-1", "00-00-00-00-00-01"  # 12 bidders on one terminal
    assert of("CN-SAME-DEVICE", flags(rows)) == []
    assert len(of("CN-SAME-DEVICE", flags(rows, "[CN-SAME-DEVICE]\nmax_device_bidders = 12"))) == 6


def test_one_bidder_bidding_twice_is_not_two_bidders():
    rows = lot_of("P1/1", [100_000, 120_000])
    rows.append(dict(rows[1], 投标报价="125000.00"))
    assert of("CN-SAME-DEVICE", flags(rows)) == []


def test_same_deposit_account_flags():
    rows = lot_of("P2/1", [200_000, 210_000, 220_000])
    rows[0]["保证金缴纳账户"] = "6222 0000 1111"
    rows[2]["保证金缴纳账户"] = "622200001111"
    (flag,) = of("CN-SAME-ACCOUNT", flags(rows))
    assert flag["rows"] == [2, 4] and "保证金缴纳账户同为622200001111" in flag["explanation"]


def test_blank_accounts_and_one_bidders_own_account_twice_do_not_flag():
    rows = lot_of("P2/2", [200_000, 210_000, 220_000])
    for r in rows:
        r["保证金缴纳账户"] = " "
    rows[1]["保证金缴纳账户"] = "6222000012345678"
    rows.append(dict(rows[1], 投标报价="235000.00"))  # the same bidder's second bid, from its own account
    assert of("CN-SAME-ACCOUNT", flags(rows)) == []


def test_same_contact_by_phone_or_name_but_not_namesakes_with_their_own_phones():
    rows = lot_of("P3/1", [300_000, 310_000, 320_000])
    rows[0]["联系电话"] = rows[1]["联系电话"] = "0471-6000000"
    assert [f["rows"] for f in of("CN-SAME-CONTACT", flags(rows))] == [[2, 3]]
    namesakes = lot_of("P3/2", [300_000, 310_000])
    namesakes[0]["联系人"] = namesakes[1]["联系人"] = "张伟"
    assert of("CN-SAME-CONTACT", flags(namesakes)) == []
    namesakes[1]["联系电话"] = ""
    (flag,) = of("CN-SAME-CONTACT", flags(namesakes))
    assert "联系人同为张伟" in flag["explanation"]


# --- prices ---


@pytest.mark.parametrize(
    ("prices", "kind"),
    [
        ([950_000.00, 1_000_000.00, 1_020_000.00, 1_040_000.00], "等差"),
        ([950_000.00, 1_000_000.00, 1_015_000.00, 1_030_225.00], "等比"),
        ([950_000.00, 1_000_000.00, 1_020_000.00, 1_040_000.00, 1_060_000.00], "等差"),
    ],
)
def test_prices_in_steps_flag(prices, kind):
    (flag,) = of("CN-PRICE-PATTERN", flags(lot_of("P4/1", prices)))
    assert kind in flag["explanation"] and flag["value"] >= 3
    assert "1,020,000.00" in flag["explanation"] or "1,015,000.00" in flag["explanation"]


@pytest.mark.parametrize(
    "prices",
    [
        [938_415.27, 951_002.80, 967_331.05, 979_870.44, 990_120.90],  # an ordinary spread
        [1_000_000.00, 1_000_000.00, 1_000_000.00],  # identical: R028's, not a pattern
        [1_000_000.00, 1_000_100.00, 1_000_200.00],  # steps of 0.01 %: too small to be a pattern
        [9_000.00, 9_061.00, 9_122.00],  # steps under min_step_yuan
        [1_000_000.00, 1_020_000.00],  # two bids
    ],
)
def test_ordinary_prices_do_not_flag(prices):
    assert of("CN-PRICE-PATTERN", flags(lot_of("P5/1", prices))) == []


def test_price_tolerance_is_a_setting():
    rows = lot_of("P6/1", [1_000_000.00, 1_020_000.00, 1_040_001.00])
    assert of("CN-PRICE-PATTERN", flags(rows)) == []
    assert len(of("CN-PRICE-PATTERN", flags(rows, "[CN-PRICE-PATTERN]\ntolerance_yuan = 2"))) == 1


# --- thresholds ---


def contract(lot: str, buyer: str, method: str, amount: float, day: str, kind: str = "货物") -> dict[str, str]:
    return bid(lot, f"供应商{lot}", amount, won=True, 招标人=buyer, 招标方式=method, 项目类型=kind, 合同签订日期=day)


def test_split_contracts_within_a_year_flag_the_buyer():
    rows = [contract("S1/1", "某旗教育局", "询价", 900_000, "2024-01-10"),
            contract("S2/1", "某旗教育局", "单一来源", 800_000, "2024-06-01"),
            contract("S3/1", "某旗教育局", "竞争性磋商", 700_000, "2024-12-01"),
            contract("S4/1", "某旗教育局", "公开招标", 1_500_000, "2024-03-01"),  # competitive: not counted
            contract("S5/1", "某旗教育局", "询价", 900_000, "2024-02-01", kind="施工")]  # another type  # fmt: skip
    (flag,) = of("CN-SPLIT", flags(rows))
    assert (flag["scope"], flag["id"], flag["value"]) == ("buyer", "某旗教育局", 2_400_000.0)
    assert "3个货物合同" in flag["explanation"] and "S2/1（2024-06-01，单一来源，80.00万元）" in flag["explanation"]
    assert flag["rows"] == [2, 3, 4]


def test_no_split_when_spread_over_years_or_under_the_threshold_together():
    apart = [contract("S1/1", "某旗教育局", "询价", 900_000, "2023-01-10"),
             contract("S2/1", "某旗教育局", "询价", 800_000, "2024-01-11"),
             contract("S3/1", "某旗教育局", "询价", 700_000, "2025-01-12")]  # fmt: skip
    small = [contract(f"T{k}/1", "某旗卫健委", "询价", 150_000, f"2024-0{k}-01") for k in range(1, 9)]
    assert of("CN-SPLIT", flags(apart + small)) == []


def test_not_tendered_over_the_threshold():
    rows = [contract("N1/1", "某市交通局", "单一来源", 4_500_000, "2024-05-01", kind="施工"),
            contract("N2/1", "某市交通局", "公开招标", 9_000_000, "2024-05-01", kind="施工"),
            contract("N3/1", "某市交通局", "单一来源", 3_900_000, "2024-05-01", kind="施工"),
            contract("N4/1", "某市交通局", "直接发包", 1_200_000, "2024-05-01", kind="监理")]  # fmt: skip
    found = of("CN-NOT-TENDERED", flags(rows))
    assert [f["id"] for f in found] == ["N1/1", "N4/1"]
    assert "合同金额450.00万元，达到依法必须招标限额400.00万元，却以单一来源方式确定" in found[0]["explanation"]


# --- bidders, buyers, experts ---


def test_cover_bidder_loses_to_one_winner_but_a_frequent_loser_does_not_flag():
    rows = []
    for k in range(6):
        rows += [bid(f"C{k}/1", "大赢公司", 900_000, won=True), bid(f"C{k}/1", "陪标公司", 990_000),
                 bid(f"C{k}/1", f"路人{k}", 950_000)]  # fmt: skip
    for k in range(8):  # bids everywhere, loses to a different winner each time
        rows += [bid(f"L{k}/1", f"赢家{k}", 800_000, won=True), bid(f"L{k}/1", "常败公司", 999_000)]
    found = of("CN-COVER-BIDDER", flags(rows))
    assert [f["explanation"].split("（")[0] for f in found] == ["陪标公司"]
    assert "投标6个标段、中标0个" in found[0]["explanation"] and "由大赢公司中标" in found[0]["explanation"]
    assert found[0]["value"] == 1.0 and len(found[0]["rows"]) == 6


def test_winner_concentration_by_lots_not_for_a_buyer_with_few_lots():
    rows = []
    for k in range(6):
        winner = "常中公司" if k < 4 else f"别家{k}"
        rows += [bid(f"W{k}/1", winner, 500_000, won=True, 招标人="某县农牧局"), bid(f"W{k}/1", f"他人{k}", 520_000)]
    for k in range(3):
        rows += [bid(f"F{k}/1", "常中公司", 500_000, won=True, 招标人="某县林草局")]
    (flag,) = of("CN-WINNER-CONCENTRATION", flags(rows))
    assert flag["id"] == "某县农牧局" and "中标4个（67%）" in flag["explanation"]


def scored(lot: str, favoured_by: float) -> list[dict[str, str]]:
    panel = "甲专家;乙专家;丙专家;丁专家"
    rows = []
    for name, base in (("被偏袒公司", 70), ("其他公司", 75)):
        bonus = favoured_by if name == "被偏袒公司" else 0
        scores = f"甲专家:{base + bonus};乙专家:{base + 1};丙专家:{base - 1};丁专家:{base}"
        rows.append(bid(lot, name, 1_000_000, 评标专家=panel, 专家评分=scores))
    return rows


def test_expert_bias_repeated_flags_once_does_not():
    rows = [r for k in range(3) for r in scored(f"E{k}/1", 15)]
    (flag,) = of("CN-EXPERT-BIAS", flags(rows))
    assert (flag["scope"], flag["id"], flag["value"]) == ("expert", "甲专家", 3.0)
    assert "对被偏袒公司的评分平均高于其他专家均值15.0分" in flag["explanation"]
    once = scored("E0/1", 15) + scored("E1/1", 2) + scored("E2/1", 2)
    assert of("CN-EXPERT-BIAS", flags(once)) == []


# --- settings ---


def test_settings_choose_and_tune_indicators_and_name_bad_values():
    rows = lot_of("P7/1", [100_000, 101_000])
    rows[0]["保证金缴纳账户"] = rows[1]["保证金缴纳账户"] = "1"
    rows[0]["投标文件制作机器码"] = rows[1]["投标文件制作机器码"] = "M"
    only = flags(rows, "[CN-SAME-ACCOUNT]\n")
    assert {f["indicator"] for f in only} == {"CN-SAME-ACCOUNT"}
    assert {f["indicator"] for f in flags(rows, "[R018]\n")} == {"CN-SAME-ACCOUNT", "CN-SAME-DEVICE"}
    with pytest.raises(
        redflag_settings.SettingsError, match=r"section \[CN-SPLIT\], key “min_contracts”: the value “many”"
    ):
        flags(rows, "[CN-SPLIT]\nmin_contracts = many")
    # a key the section does not take, and a section no indicator has, are refused too
    with pytest.raises(
        redflag_settings.SettingsError,
        match=r"\[CN-SPLIT\]: the key “min_contract” \(value “3”\) is not "
        r"one of this section's: min_contracts, window_days, construction",
    ):
        flags(rows, "[CN-SPLIT]\nmin_contract = 3")
    with pytest.raises(redflag_settings.SettingsError, match=r"the section \[CN-SPLITS\] is not an indicator's"):
        flags(rows, "[CN-SPLITS]\nmin_contracts = 3")


# --- the synthetic world ---


@pytest.mark.parametrize("seed", [0, 1])
def test_precision_and_recall_on_the_synthetic_world(seed):
    world = generate(Spec(seed=seed))
    found, notes = run(world.rows)
    assert found.schema == FLAG_SCHEMA and notes == []
    scores = score(found, world.truth)
    print({code: (round(s["precision"], 3), round(s["recall"], 3)) for code, s in scores.items()})
    for code, s in scores.items():
        assert s["planted"] == 10, code
        assert s["precision"] >= 0.9 and s["recall"] >= 0.9, (code, s)
