"""Files before parsing (types, size, zip bombs), the error workbook, the command line,
and all-or-nothing."""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from ducha.core.changelog import verify_chain
from ducha.core.models import ChangeLogEntry, ChangeLogHead
from ducha.imports import problems, projects
from ducha.imports.importer import run_import
from ducha.imports.models import ImportRecord
from ducha.imports.reading import FileRefused, read_table
from ducha.imports.tests import books
from ducha.ledger.models import Evidence, Inspection, Problem, Project, RectificationStep

pytestmark = pytest.mark.django_db


def refused(small, name, content):
    result = run_import("projects", name, content, actor=small.users["office"])
    assert not result.applied and result.table is None and result.stored is None
    assert ImportRecord.objects.get().status == "refused"
    with translation.override("en"):
        return [f.text for f in result.errors]


def macro_enabled(content: bytes) -> bytes:
    """The same workbook declaring itself macro-enabled (what an .xlsm renamed .xlsx is)."""
    source, out = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"sheet.main+xml", b"sheet.macroEnabled.main+xml").replace(
                    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.macroEnabled",
                    b"application/vnd.ms-excel.sheet.macroEnabled.12",
                )
            target.writestr(item, data)
    return out.getvalue()


@pytest.mark.parametrize("suffix", [".xlsm", ".xls", ".xlsb", ".ods", ".txt", ""])
def test_other_types_are_refused_by_extension(small, suffix):
    [message] = refused(small, f"台账{suffix}", books.xlsx([books.project()]))
    assert f"type {suffix or '?'} is not accepted" in message


def test_a_macro_enabled_workbook_renamed_xlsx_is_refused_by_content(small):
    [message] = refused(small, "台账.xlsx", macro_enabled(books.xlsx([books.project()])))
    assert message == "File 台账.xlsx is not a real .xlsx file: it declares another kind of document."


def test_a_zip_bomb_is_refused_before_it_is_parsed(small, monkeypatch):
    import python_calamine

    def never(*args, **kwargs):
        raise AssertionError("parsed")

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_filelike", never)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (20 * 1024 * 1024))
    [message] = refused(small, "台账.xlsx", out.getvalue())
    assert "is refused as a zip bomb" in message


def test_a_file_over_the_size_limit_is_refused(small, settings):
    settings.IMPORT_MAX_BYTES = 1000
    [message] = refused(small, "台账.xlsx", books.xlsx([books.project()]))
    assert message.startswith("File 台账.xlsx is larger than the limit of")


def test_a_binary_file_named_csv_is_refused(small):
    [message] = refused(small, "台账.csv", books.xlsx([books.project()]))
    assert message == "File 台账.csv is not a real .csv file."


def test_a_file_without_a_header_row_is_refused(small):
    with pytest.raises(FileRefused):
        read_table("a.xlsx", books.xlsx([], ["名称", "金额"]), {"项目编号", "项目名称", "交易领域"})


def test_a_formula_cell_is_read_as_its_cached_value_and_never_evaluated(small):
    # openpyxl writes formulas without a cached value: the cell imports as empty.
    content = books.xlsx([books.project(**{"备注": "=1+1", "交易金额（万元）": "=100*2"})])
    result = run_import("projects", "台账.xlsx", content, actor=small.users["office"])
    assert result.applied
    project = Project.objects.get(number="GC-2024-001")
    assert (project.remarks, project.amount) == ("", None)


def test_the_error_workbook_is_the_users_own_with_the_errors_marked(small):
    rows = [books.project(), books.project(**{"项目编号": "GC-2", "交易金额（万元）": "12,3a", "是否自查": "可能"})]
    result = run_import("projects", "台账.xlsx", books.xlsx(rows, title="项目台账"), actor=small.users["office"])
    path = result.error_report
    assert path is not None and path.parent == result.stored.parent and path.name.endswith("-errors.xlsx")
    sheet = load_workbook(path).active
    headers = [c.value for c in sheet[2]]
    assert headers[:3] == ["序号", "项目编号", "项目名称"] and headers[-1] == "错误说明"
    note = sheet.cell(4, len(headers)).value
    assert note == "；".join(f.text for f in result.errors) and "12,3a" in note and "可能" in note
    assert sheet.cell(3, len(headers)).value is None
    amount = sheet.cell(4, books.PROJECT_HEADERS.index("交易金额（万元）") + 1)
    assert amount.value == "12,3a" and amount.fill.fgColor.rgb == "FFFFC7CE"
    assert sheet.cell(4, 2).fill.fgColor.rgb != "FFFFC7CE"
    assert sheet.cell(1, 1).value == "项目台账"  # the title row stays


def test_a_csv_gets_an_xlsx_error_report_with_its_rows(small):
    content = books.csv_bytes([books.project(**{"交易日期": "昨天"})])
    result = run_import("projects", "台账.csv", content, actor=small.users["office"])
    sheet = load_workbook(result.error_report).active
    headers = [c.value for c in sheet[1]]
    assert headers[-1] == "错误说明" and sheet.cell(2, 2).value == "GC-2024-001"
    assert sheet.cell(2, books.PROJECT_HEADERS.index("交易日期") + 1).fill.fgColor.rgb == "FFFFC7CE"


def write(tmp_path: Path, content: bytes, name: str = "台账.xlsx") -> str:
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)


def test_the_command_applies_a_file_and_exits_0(small, tmp_path):
    path = write(tmp_path, books.xlsx([books.project()]))
    out = io.StringIO()
    call_command("import", "projects", path, "--as", "league_a", stdout=out)
    assert Project.objects.filter(number="GC-2024-001").exists()
    call_command("import", "projects", path, "--as", "league_a", stdout=out)
    with translation.override("zh-hans"):
        assert out.getvalue().rstrip().endswith(gettext("No changes."))
    assert list(ImportRecord.objects.values_list("status", "added", "unchanged")) == [
        ("applied", 0, 1),
        ("applied", 1, 0),
    ]


def test_the_command_refuses_a_bad_file_with_the_report_and_a_non_zero_exit(small, tmp_path):
    path = write(tmp_path, books.xlsx([books.project(**{"交易金额（万元）": "12,3a"})]))
    err = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import", "projects", path, "--as", "league_a", stdout=io.StringIO(), stderr=err)
    assert raised.value.returncode == 1
    report = ImportRecord.objects.get().sha256
    assert f"{report}-errors.xlsx" in err.getvalue() and "12,3a" in err.getvalue()
    assert not Project.objects.filter(number="GC-2024-001").exists()


def test_the_command_dry_run_exits_0_and_changes_nothing(small, tmp_path):
    path = write(tmp_path, books.xlsx([books.project()]))
    call_command("import", "projects", path, "--dry-run", "--as", "league_a", stdout=io.StringIO())
    assert not Project.objects.filter(number="GC-2024-001").exists()
    assert ImportRecord.objects.get().status == "dry_run"
    bad = write(tmp_path, books.xlsx([books.project(**{"交易日期": "x"})]), "bad.xlsx")
    with pytest.raises(CommandError):
        call_command("import", "projects", bad, "--dry-run", "--as", "league_a", stdout=io.StringIO())


def test_the_command_wants_a_known_user(small, tmp_path):
    path = write(tmp_path, books.xlsx([books.project()]))
    with pytest.raises(CommandError):
        call_command("import", "projects", path, "--as", "nobody", stdout=io.StringIO())


def _state():
    head = ChangeLogHead.objects.get(pk=1)
    return (
        Project.objects.count(),
        Inspection.objects.count(),
        Problem.objects.count(),
        RectificationStep.objects.count(),
        Evidence.objects.count(),
        ChangeLogEntry.objects.count(),
        (head.last_seq, head.last_hash),
    )


def test_a_failure_in_the_middle_of_applying_leaves_database_and_change_log_as_before(small, monkeypatch):
    real = projects.do_bulk_create_objects
    calls = []

    def create_then_fail(*args, **kwargs):
        calls.append(real(*args, **kwargs))  # the projects are written …
        raise RuntimeError("disk full")  # … and then the import breaks

    monkeypatch.setattr(projects, "do_bulk_create_objects", create_then_fail)
    before = _state()
    rows = [books.project(), books.project(**{"项目编号": "GC-2"})]
    with pytest.raises(RuntimeError):
        run_import("projects", "台账.xlsx", books.xlsx(rows), actor=small.users["office"])
    assert calls and _state() == before
    assert not ImportRecord.objects.exists() and verify_chain().ok


def test_an_action_refusing_in_the_middle_refuses_the_file_and_names_the_row(small, monkeypatch):
    def refuse(new, moves, **kwargs):  # (new problems are created with their moves)
        raise ValidationError({"opinion": ValidationError("WT-2: injected refusal")})

    monkeypatch.setattr(problems, "do_bulk_create_problems", refuse)
    before = _state()
    rows = [books.problem(), books.problem(**{"问题编号": "WT-2", "整改状态": "整改中", "整改措施": "整改"})]
    result = run_import("problems", "问题.xlsx", books.xlsx(rows, books.PROBLEM_HEADERS), actor=small.users["office"])
    assert not result.applied
    assert [(f.row, f.reason_text) for f in result.errors] == [(3, "WT-2: injected refusal")]
    # Only the note of the refused import is written, in the change log too.
    after = _state()
    assert after[:5] == before[:5] and after[5] == before[5] + 1
    assert ImportRecord.objects.get().status == "refused" and verify_chain().ok


def test_the_command_draws_a_progress_bar_to_the_end(small, tmp_path):
    path = write(tmp_path, books.xlsx([books.project(), books.project(**{"项目编号": "GC-2024-002"})]))
    err = io.StringIO()
    call_command(
        "import", "projects", path, "--as", "league_a", "--progress", "always", stdout=io.StringIO(), stderr=err
    )
    frames = err.getvalue().split("\r")
    assert len(frames) >= 3  # read, validated, applied
    assert frames[-1].startswith("[" + "#" * 30 + "] 100%")
    with translation.override("zh-hans"):
        assert "已导入 2 行" in frames[-1]
    quiet = io.StringIO()  # not a terminal: no bar unless asked
    call_command("import", "projects", path, "--as", "league_a", stdout=io.StringIO(), stderr=quiet)
    assert quiet.getvalue() == ""
