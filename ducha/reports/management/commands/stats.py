import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from ducha.org.models import Campaign
from ducha.reports.statistics import campaign_statistics


class Command(BaseCommand):
    help = "Print the campaign's figures (by group, by domain, by unit). Keys: docs/statistics.md."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print JSON (the only format so far)")
        parser.add_argument("--campaign", help="campaign code (default: the active campaign)")
        parser.add_argument(
            "--today",
            type=dt.date.fromisoformat,
            help="the day the figures are as of (default: today; a closed campaign stands at its closing day)",
        )

    def handle(self, *args, **options):
        campaigns = Campaign.objects.all()
        if options["campaign"]:
            campaigns = campaigns.filter(code=options["campaign"])
        else:
            campaigns = campaigns.filter(is_active=True)
        campaign = campaigns.first()
        if campaign is None:
            raise CommandError("没有找到专项整治行动（campaign）。先运行 `ducha demo --no-serve` 或导入数据。")
        figures = campaign_statistics(campaign, today=options["today"])
        self.stdout.write(json.dumps(figures, ensure_ascii=False, indent=2))
