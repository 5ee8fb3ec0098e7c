import json

from django.core.management.base import BaseCommand

from ducha.reports.management.options import add_campaign_arguments, chosen_campaign
from ducha.reports.statistics import campaign_statistics


class Command(BaseCommand):
    help = "Print the campaign's figures (by group, by domain, by unit). Keys: docs/statistics.md."

    def add_arguments(self, parser):
        add_campaign_arguments(parser)

    def handle(self, *args, **options):
        figures = campaign_statistics(chosen_campaign(options), today=options["today"])
        self.stdout.write(json.dumps(figures, ensure_ascii=False, indent=2))
