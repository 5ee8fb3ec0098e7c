from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext as _

from ducha.core.backup import BackupError, make_backup


class Command(BaseCommand):
    help = "Write the database and the evidence files into one checksummed archive (docs/deployment.md)."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="the archive to write (a tar file)")

    def handle(self, *args, **options):
        translation.activate(settings.LANGUAGE_CODE)
        try:
            done = make_backup(options["file"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        for name in done.mismatched:
            self.stderr.write(_("Warning: the evidence file %(name)s does not match its checksum.") % {"name": name})
        self.stdout.write(
            _("Backup written: %(file)s (%(size)s; the database and %(count)d evidence files).")
            % {"file": options["file"], "size": filesizeformat(done.size), "count": done.evidence_files}
        )
