"""Narratives (报告文稿): the passages of the campaign summary report that are words, not
figures, written by the people whose work they describe. A group keeps its opening
sentence, its work items (一是、二是……: a lead phrase and a paragraph each), the common
problems it found and its recommendations; the office (no group) keeps the report's
title, its opening overview, and its own common problems, recommendations and closing.
The report prints what is written and leaves out what is not: nothing is invented."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from ducha.core.access import SUPERVISORS, ScopePath


class NarrativeSection(models.TextChoices):
    TITLE = "title", _("report title")
    OVERVIEW = "overview", _("overview")
    INTRODUCTION = "introduction", _("opening of the group's section")
    WORK = "work", _("work item")
    COMMON_PROBLEMS = "common_problems", _("common problems found")
    RECOMMENDATIONS = "recommendations", _("recommendations")
    CLOSING = "closing", _("next steps")


OFFICE_SECTIONS = frozenset({NarrativeSection.TITLE, NarrativeSection.OVERVIEW, NarrativeSection.CLOSING})
GROUP_SECTIONS = frozenset({NarrativeSection.INTRODUCTION, NarrativeSection.WORK})
# One passage each (per group, or the office's); the others are numbered items in order.
SINGLE_SECTIONS = frozenset({NarrativeSection.TITLE, NarrativeSection.OVERVIEW, NarrativeSection.INTRODUCTION})


class Narrative(models.Model):
    campaign = models.ForeignKey("org.Campaign", on_delete=models.PROTECT, related_name="+")
    group = models.ForeignKey(
        "org.SupervisionGroup",
        verbose_name=_("supervision group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("empty: the campaign office's passage"),
    )
    section = models.CharField(_("section"), max_length=20, choices=NarrativeSection.choices)
    order = models.PositiveSmallIntegerField(_("order"), default=1, help_text=_("1 is 一是, 2 is 二是 …"))
    heading = models.CharField(
        _("lead phrase"), max_length=200, blank=True, help_text=_("e.g. 强化思想认识，形成督查合力 (work items)")
    )
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope = ScopePath(group="group", writers=SUPERVISORS)

    class Meta:
        verbose_name = _("report narrative")
        ordering = ("group__code", "section", "order", "pk")

    def __str__(self) -> str:
        return f"{self.get_section_display()} {self.order}"

    def clean(self) -> None:
        if self.group is not None and self.campaign_id and self.group.campaign_id != self.campaign_id:
            raise ValidationError({"group": _("The group belongs to another campaign.")})
        if self.group is not None and self.section in OFFICE_SECTIONS:
            raise ValidationError({"section": _("This section is the campaign office's: leave the group empty.")})
        if self.group is None and self.section in GROUP_SECTIONS:
            raise ValidationError({"group": _("This section belongs to a group: choose the group.")})
        if self.order is not None and self.order < 1:
            raise ValidationError({"order": _("The order starts at 1 (一是).")})
        if self.section in SINGLE_SECTIONS and self.order != 1:
            raise ValidationError({"order": _("This section has one passage: its order is 1.")})
        if not (self.text or "").strip():
            raise ValidationError({"text": _("Write the passage's text.")})
        same = Narrative.objects.filter(
            campaign_id=self.campaign_id, group_id=self.group_id, section=self.section, order=self.order
        ).exclude(pk=self.pk)
        if self.campaign_id and same.exists():
            raise ValidationError({"order": _("This section already has a passage with this order.")})

    def check_update(self, role: str | None, changed: set[str]) -> None:
        """A passage stays its writer's: a group's is not moved to another group or the office."""
        if "group" in changed:
            raise ValidationError({"group": _("A passage keeps its group.")})
