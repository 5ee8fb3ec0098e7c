import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ducha.imports.actions import do_prune_jobs
from ducha.org.actions import system_actor


class Command(BaseCommand):
    help = (
        "Remove the finished import and export jobs older than --days days and the files of the removed "
        "exports, in the change log (docs/imports.md); import records and imported files stay. Run it daily."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=90, help="keep the jobs of the last DAYS days (default 90)")

    def handle(self, *args, **options):
        translation.activate(settings.LANGUAGE_CODE)
        days = options["days"]
        if days < 0:
            raise CommandError(_("--days must be 0 or more."))
        removed = do_prune_jobs(actor=system_actor(), before=timezone.now() - dt.timedelta(days=days))
        self.stdout.write(
            _("Removed %(imports)s import jobs and %(exports)s export jobs finished more than %(days)s days ago.")
            % {**removed, "days": days}
        )
