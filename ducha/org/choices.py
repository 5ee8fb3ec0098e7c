from django.db import models
from django.utils.translation import gettext_lazy as _


class DomainCode(models.TextChoices):
    ENGINEERING = "engineering", _("Engineering construction projects")
    PROCUREMENT = "procurement", _("Government procurement")
    NATURAL_RESOURCES = "natural_resources", _("Natural resources trading")
    STATE_PROPERTY = "state_property", _("State-owned property rights trading")


class StageKind(models.TextChoices):
    SELF_CHECK = "self_check", _("Self-inspection, sampling and verification")
    LOOK_BACK = "look_back", _("Look-back")
    RECTIFICATION = "rectification", _("Centralised rectification")
    SUMMARY = "summary", _("Summing up")


class UnitKind(models.TextChoices):
    LEAGUE = "league", _("League/city")
    COUNTY = "county", _("County")
    DEPARTMENT = "department", _("Autonomous-region department")
