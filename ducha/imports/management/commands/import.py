from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext as _

from ducha.core.progress import ProgressBar, add_progress_argument, shown
from ducha.imports.importer import run_import
from ducha.imports.models import ImportKind


class Command(BaseCommand):
    help = (
        "Import a unit's project or problem ledger (.xlsx or .csv; docs/imports.md): exit 0 when applied "
        "(or a clean dry run), non-zero with the error report otherwise."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=[k.value for k in ImportKind])
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="check and show the changes, write nothing")
        parser.add_argument("--as", dest="username", required=True, help="the user the import is done as")
        add_progress_argument(parser)

    def handle(self, *args, **options):
        translation.activate(settings.LANGUAGE_CODE)
        user = get_user_model().objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError(_("No active user %(name)s.") % {"name": options["username"]})
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("No file %(name)s.") % {"name": path})
        if path.stat().st_size > settings.IMPORT_MAX_BYTES:  # refused before it is read
            raise CommandError(
                _("File %(name)s is larger than the limit of %(limit)s.")
                % {"name": path.name, "limit": filesizeformat(settings.IMPORT_MAX_BYTES)}
            )
        bar = ImportProgressBar(self.stderr) if shown(options["progress"], self.stderr) else None
        result = run_import(
            options["kind"], path.name, path.read_bytes(), actor=user, dry_run=options["dry_run"], progress=bar
        )
        if bar is not None:
            bar.close()
        out = self.stdout
        for finding in result.warnings:
            out.write(_("Warning: %(message)s") % {"message": finding.text})
        if result.unknown_columns:
            out.write(_("Unknown columns (kept in the stored file, not imported): %(columns)s")
                      % {"columns": "、".join(result.unknown_columns)})  # fmt: skip
        counts = result.counts
        out.write(_("%(added)s added, %(changed)s changed, %(unchanged)s unchanged, %(refused)s refused.") % counts)
        for planned in result.planned:
            if planned.changes and planned.existing is not None:
                meta = planned.existing._meta
                fields = "、".join(str(getattr(meta.get_field(f), "verbose_name", f)) for f in planned.changes)
                out.write(_("Row %(row)s %(number)s: %(fields)s") % {"row": planned.row, "number": planned.number,
                                                                    "fields": fields})  # fmt: skip
        for what, count in result.noted.items():
            out.write(_("Noted, not recorded by this import: %(what)s × %(count)s") % {"what": _NOTED[what],
                                                                                    "count": count})  # fmt: skip
        if result.errors:
            for finding in result.errors:
                self.stderr.write(finding.text)
            if result.error_report:
                self.stderr.write(_("Error report: %(path)s") % {"path": result.error_report})
            raise CommandError(_("Import refused: nothing was changed."))
        if result.dry_run:
            out.write(_("Dry run: nothing was changed."))
        elif counts["added"] == counts["changed"] == 0:
            out.write(_("No changes."))
        else:
            out.write(_("Applied."))


_NOTED = {"clue": "是否移交线索", "filed": "是否立案", "exposed": "是否曝光"}


class ImportProgressBar(ProgressBar):
    """run_import's progress (rows read, validated, applied): validating is the first half
    of the bar, applying the second."""

    def __call__(self, read: int, validated: int, applied: int) -> None:
        share = (validated + applied) / (2 * read) if read else 1.0
        counts = _("%(read)s rows read, %(validated)s checked, %(applied)s applied") % {
            "read": read, "validated": validated, "applied": applied
        }  # fmt: skip
        self.draw(share, counts)
