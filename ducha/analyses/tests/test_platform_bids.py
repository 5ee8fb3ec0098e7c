"""The platform's bid file read with the imports' reader (GB18030 CSV, .xlsx with a title
row and typed cells), through the platform indicators, into flags.csv and flags.xlsx."""

import csv
import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook, load_workbook

from ducha.analyses.platform import FLAG_HEADERS, SHEET_HEADERS, read_bids, write_outputs
from ducha.analytics.redflags.collusion import run
from ducha.analytics.redflags.platform_synthetic import HEADERS, Spec, generate, score


def test_a_gb18030_csv_through_the_indicators_into_csv_and_xlsx(tmp_path):
    world = generate(Spec(lots=150, planted=2, bidders=120, experts=40))
    direct, _ = run(world.rows)
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow([*HEADERS, "备注"])
    for row in world.rows.to_pylist():
        writer.writerow([row[h] for h in HEADERS] + ["x"])
    rows = read_bids("bids.csv", text.getvalue().encode("gb18030"))
    assert rows.num_rows == world.rows.num_rows and rows["row"][0].as_py() == 2
    flags, notes = run(rows)
    assert notes == ["未识别的列已忽略：备注"]
    assert sorted(flags.to_pylist(), key=str) == sorted(direct.to_pylist(), key=str)
    assert all(s["recall"] == 1.0 for s in score(flags, world.truth).values())

    write_outputs(flags, tmp_path)
    with open(tmp_path / "flags.csv", encoding="utf-8-sig", newline="") as f:
        written = list(csv.DictReader(f))
    assert tuple(written[0]) == FLAG_HEADERS and len(written) == flags.num_rows
    split = next(w for w in written if w["indicator"] == "CN-SPLIT")
    assert split["scope"] == "buyer" and "化整为零" not in split["explanation"] and "合计" in split["explanation"]
    assert all(int(r) >= 2 for r in split["rows"].split(";"))
    sheet = load_workbook(tmp_path / "flags.xlsx").active
    assert sheet.title == "红旗线索"
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == SHEET_HEADERS and len(values) == flags.num_rows + 1
    names = {v[0]: v[1] for v in values[1:]}
    assert names["CN-SPLIT"] == "化整为零规避招标" and names["CN-NOT-TENDERED"] == "应招未招"
    assert any("第四十条" in v[7] for v in values[1:] if v[0] == "CN-SAME-ACCOUNT")


def test_an_xlsx_with_a_title_row_and_typed_cells():
    book = Workbook()
    sheet = book.active
    sheet.append(["某市公共资源交易平台投标数据导出"])
    sheet.append(["项目编号", "标段", "项目类型", "招标人", "招标方式", "开标时间", "投标人", "投标人统一社会信用代码",
                  "投标报价", "是否中标", "保证金缴纳账户", "合同金额", "合同签订日期"])  # fmt: skip
    when = dt.datetime(2024, 3, 1, 9, 30)
    for k, (bidder, price) in enumerate((("甲公司", 900000), ("乙公司", 950000.5), ("丙公司", 990000))):
        won = k == 0
        sheet.append(["GC2024001", 1, "施工", "某市水利局", "公开招标", when, bidder, f"91150000MA0000000{k}",
                      price, "是" if won else "否", 6222000011112222, price if won else None,
                      dt.datetime(2024, 3, 20) if won else None])  # fmt: skip
    buffer = io.BytesIO()
    book.save(buffer)
    rows = read_bids("bids.xlsx", buffer.getvalue())
    assert rows["row"].to_pylist() == [3, 4, 5]
    assert rows["投标报价"].to_pylist() == ["900000", "950000.5", "990000"]
    (flag,) = run(rows)[0].to_pylist()
    assert (flag["indicator"], flag["id"], flag["rows"]) == ("CN-SAME-ACCOUNT", "GC2024001/1", [3, 4, 5])
    assert "保证金缴纳账户同为6222000011112222" in flag["explanation"]


def test_the_command_writes_flags_csv_and_xlsx_and_names_a_missing_header(tmp_path):
    world = generate(Spec(lots=100, planted=1, bidders=80, experts=30))
    source = tmp_path / "bids.csv"
    with open(source, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(HEADERS)
        writer.writerows([row[h] for h in HEADERS] for row in world.rows.to_pylist())
    ini = tmp_path / "settings.ini"
    ini.write_text("[CN-SAME-ACCOUNT]\n[CN-SPLIT]\nmin_contracts = 3\n", encoding="utf-8")
    out = io.StringIO()
    call_command("redflags", platform=str(source), settings_file=str(ini), out=str(tmp_path / "out"), stdout=out)
    assert f"{world.rows.num_rows}" in out.getvalue()
    with open(tmp_path / "out" / "flags.csv", encoding="utf-8-sig") as f:
        written = list(csv.DictReader(f))
    assert sorted(w["indicator"] for w in written) == ["CN-SAME-ACCOUNT", "CN-SPLIT"]
    assert load_workbook(tmp_path / "out" / "flags.xlsx").active.max_row == 3

    source.write_text("项目编号,标段,招标人,投标人,是否中标\nP,1,某局,甲,否\n", encoding="utf-8")
    with pytest.raises(CommandError, match="缺少列：投标报价"):
        call_command("redflags", platform=str(source), out=str(tmp_path / "out2"))


def test_a_csv_on_disk_is_streamed_into_parquet_never_held_whole(tmp_path):
    """The job's path (analyses/redflag_jobs.py): the file read from disk a batch at a time;
    Python's peak stays under a third of the file's size (reading its bytes would hold it all)."""
    import tracemalloc

    from ducha.analyses.platform import bids_to_parquet, rows_as_read

    source = tmp_path / "投标数据.csv"
    note = "说明" * 200  # long rows: a few thousand make megabytes
    with open(source, "w", encoding="gb18030", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["某市公共资源交易平台投标数据导出"])
        writer.writerow(["项目编号", "标段", "招标人", "投标人", "投标报价", "是否中标", "备注"])
        writer.writerows([f"P{k // 4}", "1", "某局", f"公司{k % 4}", f"{100000 + k}", "否" if k % 4 else "是",
                          note] for k in range(20_000))  # fmt: skip
    size = source.stat().st_size
    tracemalloc.start()
    rows = bids_to_parquet(source, tmp_path / "bids.parquet", "投标数据.csv", batch=500)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert rows == 20_000 and size > 15_000_000 and peak < size / 3, (size, peak)
    flags, notes = run(tmp_path / "bids.parquet")
    # 公司0 wins every lot of the one buyer; the three others always lose to it
    assert notes == ["未识别的列已忽略：备注"]
    assert sorted(flags["indicator"].to_pylist()) == ["CN-COVER-BIDDER"] * 3 + ["CN-WINNER-CONCENTRATION"]
    # the evidence rows read back from the Parquet by their numbers in the file (title row, header row)
    read = rows_as_read(tmp_path / "bids.parquet", {3, 20_002})
    assert [(n, r[0]["项目编号"], r[0]["投标人"]) for n, r in sorted(read.items())] == [
        (3, "P0", "公司0"), (20_002, "P4999", "公司3")]  # fmt: skip
