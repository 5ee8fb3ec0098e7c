import json

from django.core.management.base import BaseCommand
from django.utils import timezone

from ducha.reports.cache import cached_statistics
from ducha.reports.management.options import add_campaign_arguments, chosen_campaign


class Command(BaseCommand):
    help = "Print the campaign's figures (by group, by domain, by unit). Keys: docs/statistics.md."
    # Reads figures only: no system checks (they import every URL and view; `ducha check` runs them).
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        add_campaign_arguments(parser)

    def handle(self, *args, **options):
        # Through the cache the pages share: counted once per change, and then only the
        # units a change touched (reports/cache.py).
        figures = cached_statistics(chosen_campaign(options), today=options["today"] or timezone.localdate())
        self.stdout.write(json.dumps(figures, ensure_ascii=False, indent=2))
