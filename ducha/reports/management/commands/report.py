"""`ducha report <kind> …`: the campaign's reports written from the data (docs/reports.md).

Each kind is a subcommand: a function adding its options and a function writing the
report, listed in SUBCOMMANDS (add a kind there)."""

import argparse
import datetime as dt
from collections.abc import Callable
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ducha.org.models import Campaign, SupervisionGroup
from ducha.reports.management.options import chosen_campaign


def common_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--campaign", help="campaign code (default: the active campaign)")
    parser.add_argument("-o", "--output", required=True, type=Path, help="the file to write")


def as_of_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--as-of",
        dest="as_of",
        type=dt.date.fromisoformat,
        help="YYYY-MM-DD: the figures as they stood at the end of that day (default: the campaign's day)",
    )


def checked_as_of(campaign: Campaign, as_of: dt.date | None) -> dt.date | None:
    if as_of is not None and as_of < campaign.starts_on:
        raise CommandError(f"--as-of：{as_of} 早于专项整治开始日期 {campaign.starts_on}。")
    return as_of


# summary ---------------------------------------------------------------------


def summary_options(parser: argparse.ArgumentParser) -> None:
    common_options(parser)
    as_of_option(parser)
    parser.add_argument("--group", help="one supervision group's code: only its section")
    parser.add_argument("--format", choices=("docx", "html"), required=True, help="Word or HTML")
    parser.add_argument("--base-url", default="", help="HTML: prefix of the figures' links, e.g. https://ducha.example")


def write_summary(options: dict) -> str:
    from ducha.reports.summary.content import build_summary
    from ducha.reports.summary.docx import write_docx
    from ducha.reports.summary.html import render_document

    campaign = chosen_campaign(options)
    group = None
    if options["group"]:
        group = SupervisionGroup.objects.filter(campaign=campaign, code=options["group"]).first()
        if group is None:
            codes = "、".join(SupervisionGroup.objects.filter(campaign=campaign).values_list("code", flat=True))
            raise CommandError(f"--group：没有代码为 {options['group']} 的督导检查组（可选：{codes}）。")
    summary = build_summary(campaign, as_of=checked_as_of(campaign, options["as_of"]), group=group)
    output: Path = options["output"]
    if options["format"] == "docx":
        write_docx(summary, str(output))
    else:
        output.write_text(render_document(summary, base_url=options["base_url"].rstrip("/")), encoding="utf-8")
    return f"{output}: {summary.title}（截至 {summary.as_of}）"


# weekly ----------------------------------------------------------------------


def weekly_options(parser: argparse.ArgumentParser) -> None:
    common_options(parser)
    parser.add_argument("--week", required=True, help="the reporting week, ISO-style: 2024-W36")
    parser.add_argument("--format", choices=("docx", "html"), default="docx", help="Word (default) or HTML")
    parser.add_argument("--base-url", default="", help="HTML: prefix of the figures' links, e.g. https://ducha.example")


def write_weekly(options: dict) -> str:
    from django.core.exceptions import ValidationError

    from ducha.org.actions import system_actor
    from ducha.reports.bulletin.content import build_bulletin, parse_week
    from ducha.reports.bulletin.docx import write_docx
    from ducha.reports.bulletin.html import render_document
    from ducha.reports.bulletin.phrasing import title

    campaign = chosen_campaign(options)
    try:  # the whole campaign: the system's account reads everything, as the office does
        bulletin = build_bulletin(campaign, parse_week(options["week"]), user=system_actor())
    except ValidationError as error:
        raise CommandError(f"--week：{error.message_dict['week'][0]}") from None
    output: Path = options["output"]
    if options["format"] == "docx":
        write_docx(bulletin, str(output))
    else:
        output.write_text(render_document(bulletin, base_url=options["base_url"].rstrip("/")), encoding="utf-8")
    return f"{output}: {title(bulletin)} {bulletin.label}（截至 {bulletin.as_of}）"


# tables ----------------------------------------------------------------------


def tables_options(parser: argparse.ArgumentParser) -> None:
    common_options(parser)
    as_of_option(parser)


def write_tables(options: dict) -> str:
    from ducha.reports.statistics import campaign_statistics
    from ducha.reports.tables import save_tables

    campaign = chosen_campaign(options)
    stats = campaign_statistics(campaign, today=checked_as_of(campaign, options["as_of"]))
    output: Path = options["output"]
    with output.open("wb") as file:
        save_tables(stats, file)
    return f"{output}: {campaign.name}统计表（截至 {stats['as_of']}）"


# The kinds: name → (help, add its options, write it and say what was written).
SUBCOMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Callable[[dict], str]]] = {
    "summary": ("the campaign summary report (Word in GB/T 9704 layout, or HTML)", summary_options, write_summary),
    "weekly": ("the weekly bulletin of a reporting week (Word or HTML)", weekly_options, write_weekly),
    "tables": ("the statistical tables workbook (.xlsx) by unit, group and domain", tables_options, write_tables),
}


class Command(BaseCommand):
    help = "Write a report of the campaign from its data: " + ", ".join(SUBCOMMANDS)

    def add_arguments(self, parser):
        kinds = parser.add_subparsers(dest="kind", required=True, metavar="{" + ",".join(SUBCOMMANDS) + "}")
        for name, (help_text, add_options, _write) in SUBCOMMANDS.items():
            add_options(kinds.add_parser(name, help=help_text))

    def handle(self, *args, **options):
        _help, _add, write = SUBCOMMANDS[options["kind"]]
        self.stdout.write(write(options))
