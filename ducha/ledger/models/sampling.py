"""A sampling draw (按比例抽查): the rule, the seed and the population it was drawn from,
kept with the sampling inspections it recorded (Inspection.draw), so that the sample can
be drawn again and checked (ducha/analytics/sampling.py draws it)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ducha.analytics.sampling_rule import Weighting
from ducha.core.access import SUPERVISORS, ScopePath
from ducha.org.models import Campaign, Stage, SupervisionGroup, Unit

WEIGHTING_LABELS = {
    Weighting.NONE: _("Equal chance"),
    Weighting.AMOUNT: _("In proportion to the amount"),
    Weighting.FLAGS: _("In proportion to the red flags"),
}


class SampleDraw(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="draws")
    stage = models.ForeignKey(Stage, verbose_name=_("stage"), on_delete=models.PROTECT, null=True, blank=True)
    # What the draw covers: one unit, one group's units, or (neither) the whole campaign.
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, null=True, blank=True)
    group = models.ForeignKey(
        SupervisionGroup, verbose_name=_("supervision group"), on_delete=models.PROTECT, null=True, blank=True
    )
    proportion = models.DecimalField(_("proportion"), max_digits=5, decimal_places=4)
    minimum = models.PositiveIntegerField(_("minimum per unit"))
    weighting = models.CharField(
        _("weighting"), max_length=10, choices=list(WEIGHTING_LABELS.items()), default=Weighting.NONE.value
    )
    seed = models.CharField(_("seed"), max_length=64)
    # The population: the self-inspected projects not yet sampled, as they stood (ids,
    # sorted). The change log keeps its SHA-256, not the ids (a million of them would make
    # a log row of megabytes): `derived_fields` below.
    population_ids = models.JSONField(default=list, editable=False)
    population_sha256 = models.CharField(max_length=64, editable=False)
    # Per unit: {"unit": id, "population": n, "quota": k, "drawn": k}
    figures = models.JSONField(default=list, editable=False)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("drawn by"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    drawn_at = models.DateTimeField(_("drawn at"), auto_now_add=True)
    # The last check (drawn again from the stored population and seed, by a job): when, and
    # whether the recorded sample came out again. Kept, not computed per view: at a million
    # projects the check reads them all (seconds).
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True, editable=False)
    holds = models.BooleanField(_("sample holds"), null=True, blank=True, editable=False)

    # A draw of a county is its league/city's too; the whole campaign's, the office's only.
    scope = ScopePath(unit=("unit", "unit__parent"), county="unit", group="group", writers=SUPERVISORS)
    derived_fields = ("population_ids",)

    class Meta:
        ordering = ["-drawn_at", "-pk"]
        verbose_name = _("sampling draw")
        verbose_name_plural = _("sampling draws")

    def __str__(self) -> str:
        return f"{_('Draw')} {self.pk} ({self.seed})"

    @property
    def population(self) -> int:
        # From the figures (a few units), not the stored ids: a page may leave those unread.
        return sum(row["population"] for row in self.figures)

    @property
    def drawn(self) -> int:
        return sum(row["drawn"] for row in self.figures)
