from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ducha.core.access import ScopePath
from ducha.core.uscc import is_valid_uscc
from ducha.ledger.choices import InspectionKind, InspectionResult
from ducha.ledger.models.base import CountyRecord


class Project(CountyRecord):
    """One traded project (交易项目). Amounts are yuan, stored exactly."""

    number = models.CharField(_("project number"), max_length=64)
    name = models.CharField(_("project name"), max_length=300)
    project_type = models.ForeignKey(
        "org.ProjectType",
        verbose_name=_("project type"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    platform_code = models.CharField(_("platform code"), max_length=64, blank=True)
    amount = models.DecimalField(
        _("amount (yuan)"),
        max_digits=18,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    tenderer = models.CharField(_("tenderer/purchaser/transferor"), max_length=200)
    tenderer_uscc = models.CharField(_("tenderer USCC"), max_length=18, blank=True)
    agency = models.CharField(_("agency"), max_length=200, blank=True)
    winner = models.CharField(_("winner"), max_length=200, blank=True)
    winner_uscc = models.CharField(_("winner USCC"), max_length=18, blank=True)
    trade_date = models.DateField(_("trade date"), null=True, blank=True)
    remarks = models.TextField(_("remarks"), blank=True)
    # Kept in step with Inspection rows by the inspection actions, and by nothing else:
    # statistics over a million projects count these in one scan instead of a join.
    self_inspected = models.BooleanField(_("self-inspected"), default=False)
    sampled = models.BooleanField(_("sampled"), default=False)
    verified = models.BooleanField(_("verified"), default=False)
    workflow_fields = ("self_inspected", "sampled", "verified")
    # What a past day's figures count (ledger/as_of.py), kept with the flags: the day the
    # project entered the ledger (entered or first inspected) and each inspection's date
    # (its day recorded when it has none). Derived from logged rows: not in the change log.
    entered_on = models.DateField(default=timezone.localdate, editable=False)
    self_inspected_on = models.DateField(null=True, blank=True, editable=False)
    sampled_on = models.DateField(null=True, blank=True, editable=False)
    verified_on = models.DateField(null=True, blank=True, editable=False)
    derived_fields = ("entered_on", "self_inspected_on", "sampled_on", "verified_on")

    class Meta:
        verbose_name = _("project")
        constraints = [models.UniqueConstraint(fields=["unit", "number"], name="project_unit_number")]
        indexes = [
            # The dates last: a past day's figures (ledger/as_of.py) are served by the same index.
            models.Index(
                fields=[
                    "campaign",
                    "unit",
                    "domain",
                    "self_inspected",
                    "sampled",
                    "verified",
                    "entered_on",
                    "self_inspected_on",
                    "sampled_on",
                    "verified_on",
                ],
                name="project_stats",
            ),  # fmt: skip
            # The list's default order: a page is read in index order (no campaign column
            # in front, or SQLite prefers it to project_stats for the statistics).
            models.Index(fields=["trade_date"], name="project_list_traded"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    def clean(self) -> None:
        super().clean()
        if self.domain_id is None:
            raise ValidationError({"domain": _("A project belongs to a trading domain.")})
        if self.project_type is not None and self.project_type.domain_id != self.domain_id:
            raise ValidationError({"project_type": _("The project type belongs to another domain.")})
        for field in ("tenderer_uscc", "winner_uscc"):
            value = getattr(self, field)
            if value and not is_valid_uscc(value):
                raise ValidationError({field: _("Not a valid unified social credit code.")})


class Inspection(models.Model):
    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="inspections"
    )
    kind = models.CharField(_("inspection kind"), max_length=10, choices=InspectionKind.choices)
    inspected_on = models.DateField(_("inspected on"), null=True, blank=True)
    result = models.CharField(_("result"), max_length=10, choices=InspectionResult.choices, blank=True)
    inspector = models.CharField(_("inspector"), max_length=100, blank=True)
    findings = models.TextField(_("findings"), blank=True)
    sampling_seed = models.CharField(max_length=64, blank=True, help_text="seed of the draw")
    # The draw that chose the project (a sampling inspection recorded by do_draw_sample).
    draw = models.ForeignKey(
        "ledger.SampleDraw", on_delete=models.PROTECT, null=True, blank=True, related_name="inspections"
    )

    scope = ScopePath(unit="project__unit", county="project__county")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "kind"], name="inspection_once")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.project.number}"

    def clean(self) -> None:
        if self.project_id:
            self.project.campaign.check_date("inspected_on", self.inspected_on, not_after_today=True)

    def check_delete(self) -> None:
        """An inspection stays: the project's flag and the figures rest on it (do_delete_object runs this)."""
        raise ValidationError(_("A recorded inspection cannot be deleted."))
