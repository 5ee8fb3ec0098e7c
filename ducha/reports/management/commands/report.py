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


# The kinds: name → (help, add its options, write it and say what was written).
SUBCOMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Callable[[dict], str]]] = {
    "summary": ("the campaign summary report (Word in GB/T 9704 layout, or HTML)", summary_options, write_summary),
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
