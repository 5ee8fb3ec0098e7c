"""What the supervision records share: the campaign, and the group whose work they are."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from ducha.core.access import SUPERVISORS, ScopePath
from ducha.org.models import Assignment


class GroupRecord(models.Model):
    """A record of a supervision group's own work (its work plan, its weekly report, a
    site round, a letter): seen by its members and the office, written by them."""

    campaign = models.ForeignKey("org.Campaign", on_delete=models.PROTECT, related_name="+")
    group = models.ForeignKey(
        "org.SupervisionGroup", verbose_name=_("supervision group"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope = ScopePath(group="group", writers=SUPERVISORS)

    class Meta:
        abstract = True

    def clean(self) -> None:
        if self.group_id and self.campaign_id and self.group.campaign_id != self.campaign_id:
            raise ValidationError({"group": _("The group belongs to another campaign.")})


def supervises(group_id: int, unit_id: int, campaign_id: int) -> bool:
    """Whether the group supervises the unit (a league/city or department) in the campaign."""
    return Assignment.objects.filter(campaign_id=campaign_id, group_id=group_id, unit_id=unit_id).exists()


def check_supervised(record: models.Model, field: str = "unit") -> None:
    """The record's group supervises its unit: a group records its own units' work only."""
    group_id, unit_id = getattr(record, "group_id", None), getattr(record, f"{field}_id", None)
    campaign_id = getattr(record, "campaign_id", None)
    if group_id and unit_id and campaign_id and not supervises(group_id, unit_id, campaign_id):
        raise ValidationError({field: _("The unit is not supervised by this group.")})
