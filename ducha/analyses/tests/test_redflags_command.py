"""`ducha redflags --ocds`: Cardinal's conformance material reproduced through the command —
the 15 fixtures with the settings Cardinal's test generator derives from their names, and
the 11 demonstrations of the indicator pages with their settings files and printed lines."""

import csv
import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ducha.cli import main

CARDINAL = Path("/work/shared/peer/cardinal")
FIXTURES = sorted((CARDINAL / "fixtures" / "indicators").glob("*.jsonl"))
PAGES = sorted((CARDINAL / "docs" / "cli" / "indicators" / "R").glob("0*.md"))
DEMONSTRATION = re.compile(r"\$ ocdscardinal indicators --settings (\S+) --no-meta (\S+)\n(.*)\n")


def settings_from_name(stem: str) -> str:
    """Cardinal's build.rs: `CODE[-field-value | -field-k1-v1-k2-v2…]`, `+` for `|`, and the
    NPC / EXC globals every fixture gets."""
    code, *rest = stem.split("-")
    lines = ["no_price_comparison_procurement_methods = NPC", "[exclusions]", "procurement_method_details = EXC"]
    lines.append(f"[{code}]")
    if len(rest) == 2:
        lines.append(f"{rest[0]} = {rest[1].replace('+', '|')}")
    elif len(rest) > 2:
        lines.append(f"[{code}.{rest[0]}]")
        lines += [f"{key} = {value}" for key, value in zip(rest[1::2], rest[2::2], strict=True)]
    return "\n".join(lines) + "\n"


def run(tmp_path, data, ini=None):
    out = tmp_path / "out"
    options = {"ocds": str(data), "out": str(out)}
    if ini is not None:
        options["settings_file"] = str(ini)
    call_command("redflags", **options)
    return json.loads((out / "indicators.json").read_text(encoding="utf-8")), out


def test_the_material_is_all_there():
    assert len(FIXTURES) == 15 and all(f.with_suffix(".expected").is_file() for f in FIXTURES)
    assert len(PAGES) == 11 and all(DEMONSTRATION.search(p.read_text(encoding="utf-8")) for p in PAGES)


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda f: f.stem)
def test_every_fixture_reproduced_exactly(tmp_path, fixture):
    ini = tmp_path / "settings.ini"
    ini.write_text(settings_from_name(fixture.stem), encoding="utf-8")
    results, _ = run(tmp_path, fixture, ini)
    assert results == json.loads(fixture.with_suffix(".expected").read_text(encoding="utf-8"))


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_every_demonstration_reproduced_exactly(tmp_path, page):
    settings_path, data, printed = DEMONSTRATION.search(page.read_text(encoding="utf-8")).groups()
    results, out = run(tmp_path, CARDINAL / data, CARDINAL / settings_path)
    assert results == json.loads(printed)
    # the file holds Cardinal's line itself: same keys in the same order, floats as it prints them
    assert (out / "indicators.json").read_text(encoding="utf-8") == printed + "\n"


def test_the_settings_generator_reads_names_as_cardinal_does():
    assert "[R003]\nthreshold = 10\n" in settings_from_name("R003-threshold-10")
    assert "procurement_methods = open|selective" in settings_from_name("R003-procurement_methods-open+selective")
    assert "[R003.procurement_method_details]\nx = 5\ny = 10\n" in settings_from_name(
        "R003-procurement_method_details-x-5-y-10"
    )
    assert settings_from_name("R038-tenderer").endswith("[R038]\n")


def test_flags_csv_one_row_per_flag_with_a_bom_and_neutralised_ids(tmp_path):
    data = tmp_path / "r028.jsonl"
    bid = '{{"status":"valid","value":{{"amount":5,"currency":"CNY"}},"tenderers":[{{"id":"{}"}}]}}'
    data.write_text(
        f'{{"ocid":"=HYPERLINK(1)","bids":{{"details":[{bid.format("=cmd")},{bid.format("B")}]}}}}\n\nnot json\n',
        encoding="utf-8",
    )
    ini = tmp_path / "s.ini"
    ini.write_text("[R028]\n", encoding="utf-8")
    results, out = run(tmp_path, data, ini)
    tenderers = {"=cmd": {"R028": 1.0}, "B": {"R028": 1.0}}
    assert results == {"OCID": {"=HYPERLINK(1)": {"R028": 1.0}}, "Tenderer": tenderers}
    raw = (out / "flags.csv").read_bytes()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0] == ["group", "id", "code", "value"]
    assert sorted(rows[1:]) == [["OCID", "'=HYPERLINK(1)", "R028", "1.0"], ["Tenderer", "'=cmd", "R028", "1.0"],
                                ["Tenderer", "B", "R028", "1.0"]]  # fmt: skip


def test_the_console_script_takes_settings_as_the_settings_file(tmp_path, capsys):
    out = tmp_path / "out"
    main(["redflags", "--ocds", str(CARDINAL / "docs/examples/R/048.jsonl"),
          f"--settings={CARDINAL / 'docs/examples/R/048.ini'}", "--out", str(out)])  # fmt: skip
    assert json.loads((out / "indicators.json").read_text()) == {"Tenderer": {"F": {"R048": 2.0}}}
    main(["redflags", "--ocds", str(CARDINAL / "docs/examples/R/048.jsonl"), "--out", str(out)])  # defaults
    assert json.loads((out / "indicators.json").read_text()) == {}  # minimum_contracting_processes = 20
    assert "5" in capsys.readouterr().out


def test_bad_input_is_refused_naming_the_reason(tmp_path, settings):
    settings.LANGUAGE_CODE = "en"  # the command speaks the server's language; the msgids are English
    with pytest.raises(CommandError, match="--ocds"):
        call_command("redflags", out=str(tmp_path))
    with pytest.raises(CommandError, match="missing.jsonl"):
        call_command("redflags", ocds=str(tmp_path / "missing.jsonl"), out=str(tmp_path))
    ini = tmp_path / "bad.ini"
    ini.write_text("[R038]\nminimum_submitted_bids = two\n", encoding="utf-8")
    data = CARDINAL / "docs/examples/R/038.jsonl"
    with pytest.raises(
        CommandError, match=r"section \[R038\], key “minimum_submitted_bids”: the value “two” is not a whole"
    ):
        call_command("redflags", ocds=str(data), settings_file=str(ini), out=str(tmp_path))
    ini.write_text("[R038]\nminimum_bids = 2\n[CN-SPLITT]\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"section \[R038\]: the key “minimum_bids” \(value “2”\) is not one of"):
        call_command("redflags", ocds=str(data), settings_file=str(ini), out=str(tmp_path))
    ini.write_text("[CN-SPLITT]\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"the section \[CN-SPLITT\] is not an indicator's"):
        call_command("redflags", platform=str(data), settings_file=str(ini), out=str(tmp_path))


def test_lines_that_are_not_json_are_reported(tmp_path, capsys):
    data = tmp_path / "mixed.jsonl"
    data.write_text('{"ocid":"F","tender":{"numberOfTenderers":1,"procurementMethod":"open"}}\n\n{oops\n[1]\n',
                    encoding="utf-8")  # fmt: skip
    results, _ = run(tmp_path, data)
    assert results == {"OCID": {"F": {"R018": 1.0}}}
    err = capsys.readouterr().err
    assert re.search(r"(?<!\d)1\D+3(?!\d)", err)  # one line, line 3 (in either language)
