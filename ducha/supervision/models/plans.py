"""Work plans (工作方案): each group's plan for a stage of the campaign, with its documents."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from ducha.core.access import SUPERVISORS, ScopePath
from ducha.ledger.models.base import StoredFileRecord
from ducha.supervision.models.base import GroupRecord


class WorkPlan(GroupRecord):
    stage = models.ForeignKey(
        "org.Stage", verbose_name=_("stage"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=300)
    issued_on = models.DateField(_("issued on"))
    summary = models.TextField(_("summary"), blank=True)

    class Meta:
        verbose_name = _("work plan")

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        if self.stage is not None and self.campaign_id and self.stage.campaign_id != self.campaign_id:
            raise ValidationError({"stage": _("The stage belongs to another campaign.")})
        if self.campaign_id:
            self.campaign.check_date("issued_on", self.issued_on, not_after_today=True)


class WorkPlanDocument(StoredFileRecord):
    """A file of a work plan, stored like evidence (by checksum, checked the same way)."""

    work_plan = models.ForeignKey(WorkPlan, on_delete=models.PROTECT, related_name="documents")

    scope = ScopePath(group="work_plan__group", writers=SUPERVISORS)
