"""A three-way comparison run (三方比对) and its findings, kept so that the group reads
them, filters them and turns chosen ones into problems (analyses/actions.py).

A finding is an analyst's lead, not a ledger record: it is seen by the office and the
group whose run it is (and viewers, who read everything), never by the units; once it
has become a problem, the problem is scoped as every problem."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ducha.analyses.redflag_models import RedFlag, RedFlagRun  # the red-flag runs, in their own module
from ducha.analyses.runs import AnalysisRun
from ducha.core.access import SUPERVISORS, ScopePath

__all__ = ["Comparison", "ComparisonFinding", "RedFlag", "RedFlagRun"]

SOURCE_KINDS = ("exchange", "registry", "self_reports")


class Comparison(AnalysisRun):
    """One run: the three stored files (VAR_DIR/imports/<sha256>.<ext>, like import
    uploads), the settings used, how far the job got (files read, matched, written), what
    it found (summary: the engine's summary and "errors") and the rows it refused. Its
    folder holds findings.xlsx, findings.csv and summary.json (analyses/comparison.py)."""

    exchange_name = models.CharField(_("exchange trading records"), max_length=255)
    exchange_sha256 = models.CharField(max_length=64)
    registry_name = models.CharField(_("equity change registrations"), max_length=255)
    registry_sha256 = models.CharField(max_length=64)
    self_reports_name = models.CharField(_("self-reports"), max_length=255)
    self_reports_sha256 = models.CharField(max_length=64)
    window_days = models.PositiveIntegerField(_("window (days)"))
    appraisal_valid_days = models.PositiveIntegerField(_("appraisal valid (days)"))
    price_floor = models.DecimalField(_("price floor"), max_digits=4, decimal_places=3)
    refused_rows = models.JSONField(default=list, blank=True)  # [{source, row, column, value, reason}]

    # Rows refused can be thousands: the change log keeps their count (in summary), not them.
    derived_fields = ("refused_rows",)

    FOLDER = "comparisons"

    class Meta(AnalysisRun.Meta):
        verbose_name = _("three-way comparison")
        verbose_name_plural = _("three-way comparisons")

    def __str__(self) -> str:
        return f"{_('Three-way comparison')} {self.pk}"

    def files(self) -> list[tuple[str, str, str]]:
        """(kind, name, sha256) of the three sources."""
        return [(k, getattr(self, f"{k}_name"), getattr(self, f"{k}_sha256")) for k in SOURCE_KINDS]


class ComparisonFinding(models.Model):
    """One finding of a run: its type (the Chinese name), the engine's rule, the enterprise,
    the rows of each source that produced it with their values as read, the evidence, the
    unit it concerns (resolved from the exchange row's 所属盟市, the self-report's 填报单位
    or the registry's 登记机关; none when no unit is named) and, once turned, its problem."""

    comparison = models.ForeignKey(Comparison, on_delete=models.CASCADE, related_name="findings")
    finding = models.CharField(_("finding"), max_length=20)
    rule = models.CharField(_("rule"), max_length=40)  # a key of analytics.reconcile.RULES
    enterprise = models.CharField(_("enterprise"), max_length=64)
    enterprise_name = models.CharField(_("enterprise name"), max_length=255)
    date = models.DateField(_("date"), null=True, blank=True)
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The unit as the source names it (所属盟市 …): kept when the run's user may not see the
    # unit (a finding outside a group's units names none) or nothing resolves it.
    unit_named = models.CharField(_("unit as named"), max_length=100, blank=True)
    exchange_rows = models.JSONField(default=list, blank=True)
    registry_rows = models.JSONField(default=list, blank=True)
    self_rows = models.JSONField(default=list, blank=True)
    source_values = models.JSONField(default=dict, blank=True)  # {kind: [{header: value}, …]} as read
    evidence = models.TextField(_("evidence"), blank=True)
    problem = models.ForeignKey(
        "ledger.Problem",
        verbose_name=_("problem"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    scope = ScopePath(group="comparison__group", writers=SUPERVISORS)

    class Meta:
        verbose_name = _("comparison finding")
        verbose_name_plural = _("comparison findings")
        ordering = ["comparison", "pk"]
        indexes = [models.Index(fields=["comparison", "finding"], name="finding_by_type")]

    def __str__(self) -> str:
        return f"{self.finding} {self.enterprise_name}"
