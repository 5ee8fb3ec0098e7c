from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from ducha.core.access import ScopePath


class UnitRecord(models.Model):
    """A ledger record owned by one unit in one campaign. The owning unit is a
    league/city or a department; a county, when given, lies inside it."""

    campaign = models.ForeignKey("org.Campaign", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    domain = models.ForeignKey(
        "org.Domain",
        verbose_name=_("domain"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope = ScopePath(unit="unit")

    class Meta:
        abstract = True

    def clean(self) -> None:
        if self.unit_id and self.unit.parent_id is not None:
            raise ValidationError({"unit": _("The owning unit must be a league/city or a department.")})


class CountyRecord(UnitRecord):
    county = models.ForeignKey(
        "org.Unit",
        verbose_name=_("county"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    scope = ScopePath(unit="unit", county="county")

    class Meta:
        abstract = True

    def clean(self) -> None:
        super().clean()
        if self.county is not None and self.county.parent_id != self.unit_id:
            raise ValidationError({"county": _("The county does not lie in the unit.")})


class StoredFileRecord(models.Model):
    """A file kept by Ducha (evidence, a work plan's documents): the bytes live under
    EVIDENCE_ROOT by checksum (ducha.ledger.evidence.store_upload); the database keeps
    name, type, size and sha256, and who uploaded it when."""

    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.original_name
