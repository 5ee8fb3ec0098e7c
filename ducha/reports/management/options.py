"""What the reports' commands share: which campaign, as of which day."""

import datetime as dt

from django.core.management.base import CommandParser

from ducha.org.management.options import chosen_campaign

__all__ = ["add_campaign_arguments", "chosen_campaign"]


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
