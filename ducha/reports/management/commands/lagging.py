import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from ducha.org.models import SupervisionGroup
from ducha.reports.lagging import campaign_lagging
from ducha.reports.management.options import add_campaign_arguments, chosen_campaign


class Command(BaseCommand):
    help = "Rank each group's units and flag those that lag, saying why (the rule: ducha/reports/lagging.py)."
    # Reads figures only: no system checks (they import every URL and view; `ducha check` runs them).
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("--group", help="the group's code (default: every group)")
        add_campaign_arguments(parser)

    def handle(self, *args, **options):
        campaign = chosen_campaign(options)
        group = options["group"]
        if group and not SupervisionGroup.objects.filter(campaign=campaign, code=group).exists():
            codes = ", ".join(SupervisionGroup.objects.filter(campaign=campaign).values_list("code", flat=True))
            raise CommandError(f"没有代码为 {group} 的督导检查组（可选：{codes}）。")
        # The reasons in the interface's language, as the dashboards say them.
        with translation.override(settings.LANGUAGE_CODE):
            ranking = campaign_lagging(campaign, today=options["today"], group=group)
        if options["json"]:
            self.stdout.write(json.dumps({"campaign": campaign.code, **ranking}, ensure_ascii=False, indent=2))
            return
        for g in ranking["groups"]:
            self.stdout.write(f"{g['name']}（{g['group']}），截至 {ranking['as_of']}")
            for u in g["units"]:
                mark = "滞后" if u["lagging"] else "—"
                self.stdout.write(f"  {u['rank']:>2}. {u['name']}  {mark}")
                for flag in u["flags"]:
                    self.stdout.write(f"      · {flag['reason']}")
