from django.db import models
from django.utils.translation import gettext_lazy as _


class InspectionKind(models.TextChoices):
    SELF = "self", _("Self-inspection")
    SAMPLE = "sample", _("Sampling")
    VERIFY = "verify", _("Verification")


class CategoryKind(models.TextChoices):
    CAMPAIGN_FOUR = "campaign_four", _("The four categories of the campaign")
    DOMAIN_LIST = "domain_list", _("Domain-specific list")


class DiscoveryMethod(models.TextChoices):
    SELF = "self", _("Self-inspection")
    SAMPLE = "sample", _("Sampling")
    VERIFY = "verify", _("Verification")
    SUPERVISION = "supervision", _("Supervision")
    COMPLAINT = "complaint", _("Complaint")
    ANALYTICS = "analytics", _("Data analysis")


class ProblemStatus(models.TextChoices):
    FOUND = "found", _("To be rectified")
    RECTIFYING = "rectifying", _("Rectifying")
    RECTIFIED = "rectified", _("Rectified")
    SIGNED_OFF = "signed_off", _("Signed off")
    DISMISSED = "dismissed", _("Dismissed")


# The one definition of each: open (the unit still works on it), rectified
# (rectification complete: signed off or awaiting sign-off) and cleared.
OPEN_STATUSES = (ProblemStatus.FOUND, ProblemStatus.RECTIFYING)
RECTIFIED_STATUSES = (ProblemStatus.RECTIFIED, ProblemStatus.SIGNED_OFF)
# Cleared (清零销号): nothing left to do, the group has signed it off (or it was no problem).
CLEARED_STATUSES = (ProblemStatus.SIGNED_OFF, ProblemStatus.DISMISSED)


class ExtensionStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")


class InspectionResult(models.TextChoices):
    CLEAN = "clean", _("No problem found")
    PROBLEMS = "problems", _("Problems were found")


class ClueAuthority(models.TextChoices):
    POLICE = "police", _("Public security organ")
    DISCIPLINE = "discipline", _("Discipline inspection and supervision organ")
    INDUSTRY = "industry", _("Industry regulator")


class DocumentAction(models.TextChoices):
    ENACTED = "enacted", _("Enacted")
    REVISED = "revised", _("Revised")
    ABOLISHED = "abolished", _("Abolished")
