"""What the reports' commands share: which campaign, as of which day."""

import datetime as dt

from django.core.management.base import CommandError, CommandParser

from ducha.org.models import Campaign


def add_campaign_arguments(parser: CommandParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--campaign", help="campaign code (default: the active campaign)")
    parser.add_argument(
        "--as-of",
        dest="today",
        type=dt.date.fromisoformat,
        help="the day (YYYY-MM-DD) the figures are as of, a past one replayed from the dated records "
        "(default: today; a closed campaign stands at its closing day)",
    )


def chosen_campaign(options: dict) -> Campaign:
    chosen = {"code": options["campaign"]} if options["campaign"] else {"is_active": True}
    campaign = Campaign.objects.filter(**chosen).first()
    if campaign is None:
        raise CommandError("没有找到专项整治行动（campaign）。先运行 `ducha demo --no-serve` 或导入数据。")
    return campaign
