"""What every analysis run shares (the three-way comparison, the red-flag run): its
campaign and group (none: the office's own), the job's steps and the engine's summary,
the scope (the office, the run's group and viewers; never the units) and its folder."""

from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ducha.core.access import SUPERVISORS, ScopePath
from ducha.imports.models import Job


class AnalysisRun(Job):
    campaign = models.ForeignKey("org.Campaign", on_delete=models.PROTECT, related_name="+")
    group = models.ForeignKey(
        "org.SupervisionGroup",
        verbose_name=_("supervision group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    steps_done = models.PositiveSmallIntegerField(default=0)  # of STEPS
    summary = models.JSONField(default=dict, blank=True)  # the engine's summary

    scope = ScopePath(group="group", writers=SUPERVISORS)

    STEPS = 3
    FOLDER = ""  # under VAR_DIR: where the job writes its outputs for download

    class Meta(Job.Meta):
        abstract = True

    @property
    def percent(self) -> int:
        return 100 if self.finished else self.steps_done * 100 // self.STEPS

    @property
    def folder(self) -> Path:
        return Path(settings.VAR_DIR) / self.FOLDER / str(self.pk)
