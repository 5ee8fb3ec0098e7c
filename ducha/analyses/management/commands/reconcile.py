"""`ducha reconcile`: the three-way comparison (三方比对) of the exchange's records, the
registry's equity changes and the enterprises' self-reports (docs/comparison.md)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from ducha.analyses.comparison import compare, write_outputs
from ducha.analytics.reconcile import ReconcileSettings
from ducha.imports.reading import FileRefused


class Command(BaseCommand):
    help = (
        "Compare exchange records, registry changes and self-reports; write findings.xlsx, findings.csv, summary.json."
    )

    def add_arguments(self, parser):
        parser.add_argument("--exchange", required=True, help="产权交易所成交记录 (.xlsx or .csv)")
        parser.add_argument("--registry", required=True, help="市场监管股东变更登记 (.xlsx or .csv)")
        parser.add_argument("--self-reports", dest="self_reports", required=True, help="企业自报交易情况")
        parser.add_argument("--out", required=True, help="the folder the results are written to")
        parser.add_argument("--window-days", type=int, default=ReconcileSettings.window_days,
                            help="how far a registry change or self-report may lie from its deal (days)")  # fmt: skip
        parser.add_argument("--appraisal-valid-days", type=int, default=ReconcileSettings.appraisal_valid_days,
                            help="how long an appraisal stays valid after its base date (days)")  # fmt: skip
        parser.add_argument("--price-floor", type=float, default=ReconcileSettings.price_floor * 100,
                            help="a price below this percentage of the appraisal is 低价成交")  # fmt: skip

    def handle(self, *args, **options):
        translation.activate(settings.LANGUAGE_CODE)
        files = {}
        for kind in ("exchange", "registry", "self_reports"):
            path = Path(options[kind])
            if not path.is_file():
                raise CommandError(_("No file %(name)s.") % {"name": path})
            files[kind] = (path.name, path.read_bytes())
        try:
            comparison = compare(files, ReconcileSettings(
                window_days=options["window_days"], appraisal_valid_days=options["appraisal_valid_days"],
                price_floor=options["price_floor"] / 100,
            ))  # fmt: skip
        except FileRefused as refused:
            raise CommandError(str(refused.message) % refused.params) from None
        write_outputs(comparison, Path(options["out"]))
        summary = comparison.summary
        found = "，".join(f"{name}{n}条" for name, n in summary["findings"].items())
        self.stdout.write(found)
        self.stdout.write(
            _("%(review)s mentions to review, %(errors)s rows refused; results in %(out)s.")
            % {"review": summary["review"], "errors": summary["errors"], "out": options["out"]}
        )
