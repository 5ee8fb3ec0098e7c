"""The record of every ledger import: what was read, by whom, and what it did."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ducha.core.access import ScopePath


class ImportKind(models.TextChoices):
    PROJECTS = "projects", _("Project ledger")
    PROBLEMS = "problems", _("Problem ledger")


class ImportStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    REFUSED = "refused", _("Refused")
    DRY_RUN = "dry_run", _("Dry run")


class ImportRecord(models.Model):
    """One workbook read (applied, refused or tried as a dry run). The file itself is kept
    under VAR_DIR/imports/<sha256>.<ext>. `unit` (and `county`) are the importer's own:
    a unit's imports are seen by that unit (a league/city also sees its counties') and its
    group; an import by the office or a group names no unit: the office and viewers see it."""

    kind = models.CharField(_("kind"), max_length=10, choices=ImportKind.choices)
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField(_("size"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    imported_at = models.DateTimeField(_("imported at"))
    batch = models.CharField(max_length=36, db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=ImportStatus.choices)
    added = models.PositiveIntegerField(_("added"), default=0)
    changed = models.PositiveIntegerField(_("changed"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    refused = models.PositiveIntegerField(_("refused"), default=0)
    unknown_columns = models.JSONField(default=list, blank=True)
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    county = models.ForeignKey(
        "org.Unit", verbose_name=_("county"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    scope = ScopePath(unit="unit", county="county")

    class Meta:
        verbose_name = _("import")
        ordering = ["-imported_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.file_name}"
