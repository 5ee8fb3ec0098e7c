"""A red-flag run (红旗预警) over the trading platform's bid file and its flags, kept so
that the office or a group reads them, filters them and turns chosen ones into problems.

Scoped as the three-way comparison: a run is its group's (none: the office's own), seen by
the office, that group and viewers, never by the units; once a flag has become a problem,
the problem is scoped as every problem."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ducha.analyses.runs import AnalysisRun
from ducha.core.access import SUPERVISORS, ScopePath


class RedFlagRun(AnalysisRun):
    """One run: the stored data file (VAR_DIR/imports/<sha256>.<ext>, like import uploads) —
    the platform's bid file or OCDS compiled releases (`source`) —
    the settings file's text if one was given, how far the job got (file read, indicators
    computed, flags written), and its summary ({"rows": rows read, "flags": {indicator:
    count}, "notes": [the engine's notes]}). Its folder holds flags.csv and flags.xlsx."""

    class Source(models.TextChoices):
        PLATFORM = "platform", _("Platform bid file (.xlsx or .csv)")
        OCDS = "ocds", _("OCDS compiled releases (JSON Lines)")

    source = models.CharField(_("data"), max_length=10, choices=Source.choices, default=Source.PLATFORM)
    bids_name = models.CharField(_("data file"), max_length=255)
    bids_sha256 = models.CharField(max_length=64)
    settings_text = models.TextField(_("settings file"), blank=True)

    FOLDER = "redflags"

    class Meta(AnalysisRun.Meta):
        verbose_name = _("red-flag run")
        verbose_name_plural = _("red-flag runs")

    def __str__(self) -> str:
        return f"{_('Red-flag run')} {self.pk}"


class RedFlag(models.Model):
    """One flag of a run: the indicator's code, its scope and subject (lot: 项目编号/标段;
    bidder: USCC; buyer: 招标人; expert: name), the engine's value and Chinese explanation,
    the bid rows behind it (their numbers, and their values as read), the lot, buyer and
    bidder where the scope has them, the project and unit it concerns (resolved in
    analyses/redflag_flags.py) and, once turned, its problem."""

    run = models.ForeignKey(RedFlagRun, on_delete=models.CASCADE, related_name="flags")
    indicator = models.CharField(_("indicator"), max_length=40)
    scope_kind = models.CharField(_("scope"), max_length=10)  # lot / bidder / buyer / expert
    subject = models.CharField(_("subject"), max_length=255)
    value = models.FloatField(_("value"))
    explanation = models.TextField(_("explanation"))
    rows = models.JSONField(default=list, blank=True)  # the bid rows' numbers in the file
    row_values = models.JSONField(default=list, blank=True)  # [{header: value}, …] as read
    lot = models.CharField(_("lot"), max_length=255, blank=True)
    buyer = models.CharField(_("buyer"), max_length=255, blank=True)
    bidder = models.CharField(_("bidder"), max_length=255, blank=True)
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    project = models.ForeignKey(
        "ledger.Project", verbose_name=_("project"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    problem = models.ForeignKey(
        "ledger.Problem", verbose_name=_("problem"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip

    scope = ScopePath(group="run__group", writers=SUPERVISORS)

    class Meta:
        verbose_name = _("red flag")
        verbose_name_plural = _("red flags")
        ordering = ["run", "pk"]
        indexes = [
            models.Index(fields=["run", "indicator"], name="redflag_by_indicator"),
            models.Index(fields=["project"], name="redflag_by_project"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.subject}"
