"""`ducha reconcile` on real files: an .xlsx with a title row, a GB18030 CSV and a UTF-8
CSV with a BOM; its findings.xlsx, findings.csv and summary.json opened as users would."""

import csv
import io
import json

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from ducha.analytics.reconcile import EXCHANGE_HEADERS, REGISTRY_HEADERS, SELF_REPORT_HEADERS
from ducha.core.uscc import with_check_digit

TARGET = with_check_digit("91150600MA0N1X2Y3")
STATE = with_check_digit("91150000MA0GHW001")
BUYER = with_check_digit("91150200MA0QWERT1")


def _xlsx(path, headers, rows, title):
    book = Workbook()
    sheet = book.active
    sheet.append([title])  # a title row above the header
    sheet.append(list(headers))
    for row in rows:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text that looks like a formula (a formula would be read as its value)
    book.save(path)


def _csv(path, headers, rows, encoding):
    text = io.StringIO()
    csv.writer(text).writerows([list(headers), *rows])
    path.write_bytes(text.getvalue().encode(encoding))


@pytest.fixture
def files(tmp_path, small):
    exchange = tmp_path / "交易所.xlsx"
    _xlsx(exchange, EXCHANGE_HEADERS, [
        # a clean transfer, registered and reported
        ["CQ1", "产权转让", "鄂尔多斯市东源能源有限公司", TARGET, "内蒙古国有资本运营有限公司", STATE,
         "包头市青山建设有限公司", BUYER, 30, 950, 1000, "内国资评备2024-1", "2024-02-20", "2024-04-01",
         "2024-05-01", "2024/6/1", "鄂尔多斯市", "内蒙古国有资本运营有限公司"],
        # below the appraisal, not appraised in time, never registered, never reported
        ["=CQ2", "企业增资", "=伊克昭盟蒙源化工有限责任公司", "", "内蒙古国有资本运营有限公司", STATE,
         "包头市青山建设有限公司", BUYER, 10, "800", "1,000", "内国资评备2022-9", "2022年1月5日", "", "",
         "2024-07-01", "鄂尔多斯市", ""],
    ], "2024年产权交易成交记录")  # fmt: skip
    registry = tmp_path / "登记.csv"
    _csv(registry, REGISTRY_HEADERS, [
        ["鄂尔多斯市东源能源有限公司", TARGET.lower(), "鄂尔多斯市市场监督管理局", "2024-06-20", "股东变更",
         "内蒙古国有资本运营有限公司", STATE, "国有", "100", "70", "5000", "3500"],
        # a state holding moved with no deal and no exemption
        ["通辽市草原牧业有限公司", "", "通辽市市场监督管理局", "2024-08-01", "股东变更",
         "内蒙古国有资本运营有限公司", STATE, "国有", "51%", "0%", "510", "0"],
        # a row that cannot be read: left out, listed with its reason
        ["包头市北方机械有限公司", "", "包头市市场监督管理局", "2024-13-45", "股东变更",
         "内蒙古国有资本运营有限公司", STATE, "国有", "20", "10", "", ""],
    ], "gb18030")  # fmt: skip
    reports = tmp_path / "自报.csv"
    _csv(reports, SELF_REPORT_HEADERS, [
        ["内蒙古国有资本运营有限公司", "东源能源有限公司", TARGET, "产权转让", "进场交易", "包头青山建设有限公司", "",
         "30", "950", "1000", "内国资评备2024-1", "2024-06-01", ""],
    ], "utf-8-sig")  # fmt: skip
    return exchange, registry, reports, tmp_path / "out"


def test_the_files_compared_and_the_results_written(files):
    exchange, registry, reports, out = files
    printed = io.StringIO()
    call_command("reconcile", "--exchange", str(exchange), "--registry", str(registry),
                 "--self-reports", str(reports), "--out", str(out), stdout=printed)  # fmt: skip
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["findings"] == {"应进未进": 1, "应评未评": 1, "低价成交": 1, "自报不实": 2, "有交易无登记": 1}
    assert summary["errors"] == 1 and summary["tiers"]["uscc"] > 0
    assert "应进未进1条" in printed.getvalue()

    book = openpyxl.load_workbook(out / "findings.xlsx")
    assert book.sheetnames == ["发现", "待复核", "错误"]
    rows = list(book["发现"].iter_rows(values_only=True))
    assert rows[0][0] == "发现类型" and len(rows) == 1 + 6
    not_on_exchange = next(r for r in rows if r[0] == "应进未进")
    assert not_on_exchange[3] == "通辽市草原牧业有限公司" and not_on_exchange[6] == "3"  # (its row in the CSV)
    assert "登记" in not_on_exchange[1] or "registry" in not_on_exchange[1]
    unregistered = next(r for r in rows if r[0] == "有交易无登记")
    assert unregistered[8] == "项目编号=CQ2"
    assert unregistered[3] == "=伊克昭盟蒙源化工有限责任公司"  # (a name as written: text, never a formula)
    assert book["发现"].cell(row=rows.index(unregistered) + 1, column=4).quotePrefix
    assert list(book["错误"].iter_rows(values_only=True))[1][:3] == ("市场监管股东变更登记", 4, "变更日期")

    with (out / "findings.csv").open(encoding="utf-8-sig") as f:
        written = list(csv.reader(f))
    assert written[0][0] == "发现类型" and len(written) == 7
    assert any(r[3] == "'=伊克昭盟蒙源化工有限责任公司" for r in written)  # (a formula neutralised)


def test_a_refused_file_is_named_and_nothing_written(files, tmp_path):
    exchange, registry, reports, out = files
    macro = tmp_path / "交易所.xlsm"
    macro.write_bytes(exchange.read_bytes())
    with pytest.raises(CommandError, match="xlsm"):
        call_command("reconcile", "--exchange", str(macro), "--registry", str(registry),
                     "--self-reports", str(reports), "--out", str(out))  # fmt: skip
    assert not out.exists()


def test_duckdb_is_held_to_the_servers_memory_limit_and_spill_folder(files, settings, tmp_path):
    from ducha.analytics import duck

    # Read when a connection opens (analyses/apps.py hands the settings to the analytics).
    settings.ANALYTICS_MEMORY_LIMIT, settings.ANALYTICS_SPILL_DIR = "200MB", tmp_path / "spill"
    assert duck.limits() == duck.Limits("200MB", str(tmp_path / "spill"))
    exchange, registry, reports, out = files
    call_command("reconcile", "--exchange", str(exchange), "--registry", str(registry),
                 "--self-reports", str(reports), "--out", str(out), stdout=io.StringIO())  # fmt: skip
    assert json.loads((out / "summary.json").read_text(encoding="utf-8"))["findings"]["应进未进"] == 1
    assert list((tmp_path / "spill").iterdir()) == []  # (each run's folder removed when it ends)


def test_the_thresholds_are_options(files):
    exchange, registry, reports, out = files
    call_command("reconcile", "--exchange", str(exchange), "--registry", str(registry),
                 "--self-reports", str(reports), "--out", str(out), "--price-floor", "75",
                 "--appraisal-valid-days", "1000", stdout=io.StringIO())  # fmt: skip
    found = json.loads((out / "summary.json").read_text(encoding="utf-8"))["findings"]
    assert (found["低价成交"], found["应评未评"]) == (0, 0)  # (800 is 80 % of 1,000; appraised 908 days before)
