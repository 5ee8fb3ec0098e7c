"""Who supervises whom: campaign, stages, domains, units, groups, assignments, roles."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ducha.core.access import OFFICE_ONLY, REFERENCE_DATA, RoleKind, ScopePath
from ducha.org.choices import DomainCode, StageKind, UnitKind


class Campaign(models.Model):
    scope = REFERENCE_DATA  # every role reads its campaign; the office runs it

    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    region_code = models.CharField(_("region code"), max_length=6)
    scope_start = models.DateField(_("scope start"))
    scope_end = models.DateField(_("scope end"))
    # The campaign's own run: problems are found, due and rectified inside it. A closed
    # campaign's figures stand as of its closing day, however late they are read.
    starts_on = models.DateField(_("campaign starts on"))
    closes_on = models.DateField(_("campaign closes on"), null=True, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["-scope_start"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.scope_start and self.scope_end and self.scope_start > self.scope_end:
            raise ValidationError({"scope_end": _("The scope window ends before it starts.")})
        if self.starts_on and self.closes_on and self.closes_on < self.starts_on:
            raise ValidationError({"closes_on": _("The campaign closes before it starts.")})

    def as_of(self, today: dt.date | None = None) -> dt.date:
        """The day the campaign's figures stand at: today, or the closing day once closed."""
        today = today or timezone.localdate()
        return min(today, self.closes_on) if self.closes_on else today

    def check_date(self, field: str, value: dt.date | None, *, not_after_today: bool = False) -> None:
        """A business date lies inside the campaign's run (and, for what has happened,
        not in the future): a typo cannot stretch the figures over a century."""
        if value is None:
            return
        last = self.closes_on
        if not_after_today:
            last = min(last, timezone.localdate()) if last else timezone.localdate()
        if value < self.starts_on or (last is not None and value > last):
            until = last.isoformat() if last else "…"
            message = _("The date %(date)s lies outside the campaign (%(start)s to %(end)s).")
            params = {"date": value.isoformat(), "start": self.starts_on.isoformat(), "end": until}
            raise ValidationError({field: ValidationError(message, params=params)})


class Stage(models.Model):
    scope = REFERENCE_DATA

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="stages")
    kind = models.CharField(max_length=20, choices=StageKind.choices)
    order = models.PositiveSmallIntegerField()
    starts_on = models.DateField()
    ends_on = models.DateField()

    class Meta:
        ordering = ["campaign", "order"]
        constraints = [models.UniqueConstraint(fields=["campaign", "kind"], name="stage_unique_kind")]

    def __str__(self) -> str:
        return self.get_kind_display()


class Domain(models.Model):
    scope = REFERENCE_DATA

    code = models.CharField(max_length=20, choices=DomainCode.choices, unique=True)
    name = models.CharField(max_length=50)
    short_name = models.CharField(max_length=20)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order"]

    def __str__(self) -> str:
        return self.name


class ProjectType(models.Model):
    """Which project types belong to a domain is configuration, extended by notices."""

    scope = REFERENCE_DATA

    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="project_types")
    name = models.CharField(max_length=50)
    added_by = models.CharField(max_length=200, blank=True, help_text="notice that added the type")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["domain", "order"]
        constraints = [models.UniqueConstraint(fields=["domain", "name"], name="project_type_unique")]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """A supervised body: league/city (with counties below it) or a department."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=UnitKind.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    former_names = models.JSONField(default=list, blank=True)
    order = models.PositiveIntegerField(default=0)

    scope = ScopePath(unit=("pk", "parent"), county="pk", writers=OFFICE_ONLY)

    class Meta:
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.kind == UnitKind.COUNTY and self.parent_id is None:
            raise ValidationError({"parent": _("A county belongs to a league/city.")})
        if self.kind != UnitKind.COUNTY and self.parent_id is not None:
            raise ValidationError({"parent": _("Only counties have a parent unit.")})


class SupervisionGroup(models.Model):
    scope = REFERENCE_DATA  # who supervises whom is public within the campaign

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="groups")
    code = models.SlugField(max_length=30)
    name = models.CharField(max_length=100)
    lead_domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["campaign", "lead_domain__order"]
        constraints = [models.UniqueConstraint(fields=["campaign", "code"], name="group_unique_code")]

    def __str__(self) -> str:
        return self.name


class Assignment(models.Model):
    """Group ↔ unit, with the dedicated supervisor (专人督导). One group per unit and campaign."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="assignments")
    group = models.ForeignKey(SupervisionGroup, on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="assignments")
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    scope = ScopePath(unit="unit")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "unit"], name="assignment_one_group_per_unit")]

    def __str__(self) -> str:
        return f"{self.group} → {self.unit}"

    def clean(self) -> None:
        if self.group_id and self.campaign_id and self.group.campaign_id != self.campaign_id:
            raise ValidationError({"group": _("The group belongs to another campaign.")})


class Role(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role")
    kind = models.CharField(max_length=20, choices=RoleKind.choices)
    group = models.ForeignKey(SupervisionGroup, null=True, blank=True, on_delete=models.PROTECT)
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT)

    def __str__(self) -> str:
        return f"{self.user} ({self.get_kind_display()})"

    def clean(self) -> None:
        if self.kind == RoleKind.GROUP_MEMBER and self.group_id is None:
            raise ValidationError({"group": _("A group member needs a group.")})
        if self.kind == RoleKind.UNIT_REPORTER and self.unit_id is None:
            raise ValidationError({"unit": _("A unit reporter needs a unit.")})


def active_campaign() -> Campaign | None:
    """The campaign the web pages and `ducha stats` work on by default."""
    return Campaign.objects.filter(is_active=True).order_by("-scope_start").first()


class ApiToken(models.Model):
    """A user's token for the REST API (`Authorization: Bearer <token>`). Only the token's
    SHA-256 is stored: the token itself is shown once, when it is made (org/tokens.py)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(_("token begins with"), max_length=12)  # how the user tells tokens apart
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name or self.user})"

    @property
    def active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
