"""`ducha redflags`: red flags on trading data (docs/redflags.md). `--ocds FILE` runs
Cardinal's eleven indicators over OCDS compiled releases and writes DIR/indicators.json
(Cardinal's `{GROUP: {ID: {CODE: value}}}`, without Meta) and DIR/flags.csv."""

import csv
import io
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from ducha.analyses.platform import run_file
from ducha.analyses.redflag_settings import read_settings, refusal
from ducha.analytics.redflags import cardinal
from ducha.analytics.redflags.settings import SettingsError
from ducha.reports.xlsx import csv_cell

FLAG_HEADERS = ("group", "id", "code", "value")


class Command(BaseCommand):
    help = "Red flags on trading data: Cardinal's indicators over OCDS compiled releases (JSON Lines)."
    suppressed_base_arguments = {"--settings"}  # Django's settings module: --settings is ours here

    def add_arguments(self, parser):
        parser.add_argument("--ocds", help="OCDS compiled releases, one JSON object a line")
        parser.add_argument("--platform", help="the trading platform's bids (CSV or .xlsx, one row per bid)")
        # `ducha redflags --settings FILE` arrives as --settings-file (ducha/cli.py).
        parser.add_argument("--settings-file", dest="settings_file",
                            help="--settings FILE: the settings file (INI; default: all, with defaults)")  # fmt: skip
        parser.add_argument("--out", required=True, help="the folder the results are written to")

    def handle(self, *args, **options):
        translation.activate(settings.LANGUAGE_CODE)
        if options["platform"]:
            return platform_command(self, options)
        if not options["ocds"]:
            raise CommandError(_("Give the data file: --ocds FILE or --platform FILE."))
        source = Path(options["ocds"])
        if not source.is_file():
            raise CommandError(_("No file %(name)s.") % {"name": source})
        chosen = self.read_settings(options["settings_file"])
        results, loaded = cardinal.indicators(source, chosen)
        if loaded.not_json:
            lines = ", ".join(str(n) for n in loaded.not_json[:20])
            self.stderr.write(
                _("%(count)s lines are not JSON and were skipped (line %(lines)s).")
                % {"count": len(loaded.not_json), "lines": lines + (" …" if len(loaded.not_json) > 20 else "")}
            )
        write_ocds_outputs(results, Path(options["out"]))
        self.stdout.write(
            _("%(processes)s contracting processes read, %(flags)s flags; results in %(out)s.")
            % {"processes": loaded.processes, "flags": len(cardinal.flags(results)), "out": options["out"]}
        )

    def read_settings(self, path):
        if path and not Path(path).is_file():
            raise CommandError(_("No file %(name)s.") % {"name": path})
        try:
            return read_settings(path=path)
        except SettingsError as error:
            raise CommandError(
                _("Settings file %(name)s: %(reason)s") % {"name": path, "reason": refusal(error)}
            ) from None


def write_ocds_outputs(results: cardinal.Results, folder: Path) -> None:
    """indicators.json as Cardinal prints it (one line) and flags.csv (UTF-8 with a BOM,
    cells a spreadsheet would run as formulas neutralised)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "indicators.json").write_text(cardinal.dumps(results) + "\n", encoding="utf-8")
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(FLAG_HEADERS)
    for group, ident, code, value in cardinal.flags(results):
        writer.writerow([csv_cell(group), csv_cell(ident), code, cardinal.rust_float(value)])
    (folder / "flags.csv").write_text(text.getvalue(), encoding="utf-8-sig")


def platform_command(command: BaseCommand, options: dict) -> None:
    """`--platform FILE`: the platform indicators into DIR/flags.csv and DIR/flags.xlsx."""
    source = Path(options["platform"])
    if not source.is_file():
        raise CommandError(_("No file %(name)s.") % {"name": source})
    try:
        rows, flags, notes = run_file(source, options["settings_file"], Path(options["out"]))
    except ValueError as error:
        raise CommandError(str(error)) from None
    for note in notes:
        command.stderr.write(note)
    command.stdout.write(
        _("%(rows)s bids read, %(flags)s flags; results in %(out)s.")
        % {"rows": rows, "flags": flags, "out": options["out"]}
    )
