from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from ducha.core.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = "Restore the database and the evidence files from an archive of `ducha backup` (docs/deployment.md)."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="the archive `ducha backup` wrote")
        parser.add_argument("--force", action="store_true", help="replace a database that is not empty")

    def handle(self, *args, **options):
        translation.activate(settings.LANGUAGE_CODE)
        try:
            done = restore_backup(options["file"], force=options["force"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            _("Restored from %(file)s: the database and %(count)d evidence files.")
            % {"file": options["file"], "count": done.evidence_files}
        )
        if done.pending_migrations:
            self.stdout.write(
                _("The archive is from an older version: run `ducha migrate` (%(count)d migrations to apply).")
                % {"count": done.pending_migrations}
            )
