import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ducha.core.access import RoleKind, ScopePath
from ducha.ledger.choices import OPEN_STATUSES, DiscoveryMethod, ExtensionStatus, ProblemStatus
from ducha.ledger.models.base import CountyRecord, StoredFileRecord


def overdue_q(as_of: dt.date, *, status: str = "status", deadline: str = "deadline") -> Q:
    """The one definition of overdue: still open, and its deadline has passed by `as_of`
    (the campaign's as-of day: Campaign.as_of). `Problem.is_overdue` says the same in Python.
    A past day's figures name the replayed status and deadline (ducha/ledger/as_of.py)."""
    return Q(**{f"{status}__in": OPEN_STATUSES, f"{deadline}__lt": as_of})


def is_overdue(status: str, deadline: dt.date | None, as_of: dt.date) -> bool:
    """overdue_q in Python: for a problem in memory, or a cell of figures (status, deadline)."""
    return status in OPEN_STATUSES and deadline is not None and deadline < as_of


class ProblemQuerySet(models.QuerySet):
    def overdue(self, as_of: dt.date) -> "ProblemQuerySet":
        return self.filter(overdue_q(as_of))


class Problem(CountyRecord):
    """A problem found in a project or a unit. `status` changes only through
    ducha.ledger.rectification (the rectification workflow)."""

    number = models.CharField(_("problem number"), max_length=64)
    project = models.ForeignKey(
        "ledger.Project",
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="problems",
    )
    category = models.ForeignKey(
        "ledger.ProblemCategory",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    item = models.ForeignKey(
        "ledger.ProblemItem",
        verbose_name=_("item"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    entity_type = models.ForeignKey(
        "ledger.MarketEntityType",
        verbose_name=_("market-entity type"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    description = models.TextField(_("description"))
    discovery_method = models.CharField(_("discovery method"), max_length=12, choices=DiscoveryMethod.choices)
    found_on = models.DateField(_("found on"))
    dated_by = "found_on"  # what a past day\'s figures count it from (ledger/as_of.py)
    measures = models.TextField(_("rectification measures"), blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=ProblemStatus.choices, default=ProblemStatus.FOUND)
    rectified_on = models.DateField(_("rectified on"), null=True, blank=True)
    responsible = models.CharField(_("responsible person"), max_length=100, blank=True)
    remarks = models.TextField(_("remarks"), blank=True)

    objects = ProblemQuerySet.as_manager()
    # Changed only by the rectification workflow (ducha.ledger.rectification), never by a plain update.
    workflow_fields = ("status", "rectified_on")

    class Meta:
        verbose_name = _("problem")
        constraints = [models.UniqueConstraint(fields=["unit", "number"], name="problem_unit_number")]
        indexes = [
            # The statistics read these indexes alone, never the rows (with their long
            # descriptions): one covering the counts, one per breakdown, each in the
            # order the query groups by, so SQLite needs no temporary sort.
            # found_on last: a past day's figures (ledger/as_of.py) are served by the same indexes.
            models.Index(
                fields=[
                    "campaign",
                    "unit",
                    "domain",
                    "status",
                    "category",
                    "entity_type",
                    "deadline",
                    "project",
                    "found_on",
                ],
                name="problem_stats",
            ),  # fmt: skip
            models.Index(fields=["campaign", "unit", "domain", "category", "found_on"], name="problem_by_category"),
            models.Index(
                fields=["campaign", "unit", "domain", "entity_type", "found_on"], name="problem_by_entity_type"
            ),
            models.Index(
                fields=["campaign", "unit", "domain", "discovery_method", "found_on"], name="problem_by_discovery"
            ),
            models.Index(fields=["status", "deadline"], name="problem_overdue"),
            # The list's default order and its date sort: a page is read in index order.
            # The dates lead, not the campaign: SQLite would otherwise prefer these to the
            # covering indexes above for the statistics' `campaign = ?`. Campaign and unit
            # behind the dates make the weekly trend an index-only scan (450 → 50 ms).
            models.Index(fields=["found_on", "campaign", "unit"], name="problem_list_found"),
            models.Index(fields=["rectified_on", "campaign", "unit"], name="problem_trend_rectified"),
            models.Index(fields=["deadline"], name="problem_list_deadline"),
            # A unit's (or group's) open problems by deadline, status by status (the
            # dashboards' earliest_deadlines): a unit of 10,000 problems 32 → 0.4 ms a status.
            models.Index(fields=["campaign", "unit", "status", "deadline"], name="problem_unit_status_deadline"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.description[:40]}"

    def is_overdue(self, as_of: dt.date) -> bool:
        return is_overdue(self.status, self.deadline, as_of)

    def clean(self) -> None:
        super().clean()
        if self.project is not None:
            # A problem in a project takes the project's domain (every path: form, import, bulk).
            if not self.domain_id:
                self.domain_id = self.project.domain_id
            if self.project.unit_id != self.unit_id:
                raise ValidationError({"project": _("The project belongs to another unit.")})
            if self.county_id and self.project.county_id != self.county_id:
                raise ValidationError({"project": _("The project lies in another county.")})
            if self.domain_id != self.project.domain_id:
                raise ValidationError({"domain": _("The domain differs from the project's.")})
        if self.item is not None and self.item.category_id != self.category_id:
            raise ValidationError({"item": _("The item does not belong to the category.")})
        if self.campaign_id:
            self.campaign.check_date("found_on", self.found_on, not_after_today=True)
            self.campaign.check_date("deadline", self.deadline)
        if self.deadline and self.found_on and self.deadline < self.found_on:
            raise ValidationError({"deadline": _("The deadline lies before the day it was found.")})

    def check_update(self, role: str | None, changed: set[str]) -> None:
        """Who may change what once the problem exists (do_update_object runs this).
        A unit rectifies: it neither edits a problem that is past its hands (rectified,
        signed off, dismissed) nor moves its own deadline, which only an extension does."""
        if role != RoleKind.UNIT_REPORTER:
            return
        if self.status not in OPEN_STATUSES:
            raise ValidationError(
                _("A rectified, signed-off or dismissed problem can no longer be edited by the unit.")
            )
        if "deadline" in changed:
            raise ValidationError({"deadline": _("The deadline moves only by an extension granted by the group.")})


def earliest_deadlines(problems: "models.QuerySet[Problem]", limit: int) -> list["Problem"]:
    """The open problems among `problems` with the earliest deadlines (those without one
    last), at most `limit`. Read status by status along (campaign, unit, status, deadline)
    and merged: SQLite cannot read an IN list of statuses in deadline order, and walks the
    deadline index through every signed-off problem instead (a group's dashboard at
    200,000 problems: 92 ms; so, a few)."""
    dated = [
        p
        for status in OPEN_STATUSES
        for p in problems.filter(status=status, deadline__isnull=False).order_by("deadline", "pk")[:limit]
    ]
    dated.sort(key=lambda p: (p.deadline, p.pk))
    undated = problems.filter(status__in=OPEN_STATUSES, deadline__isnull=True).order_by("pk")[:limit]
    return (dated + list(undated))[:limit]  # (the same queries however many there are)


class RectificationStep(models.Model):
    """One transition of a problem, with its business date; statistics "as of a
    date" replay these. A problem's steps form a chain in time: each holds from its
    `acted_at` until the next one's (`superseded_at`; empty for the last), kept by the
    actions that add steps (ledger/actions.py `_chain_steps`)."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="steps")
    from_status = models.CharField(max_length=12, choices=ProblemStatus.choices)
    to_status = models.CharField(max_length=12, choices=ProblemStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    acted_at = models.DateTimeField()
    reason = models.TextField(_("reason"), blank=True)
    measures = models.TextField(_("rectification measures"), blank=True)  # 整改措施, on starting
    opinion = models.TextField(_("sign-off opinion"), blank=True)  # 销号意见, on signing off
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True, editable=False)

    scope = ScopePath(unit="problem__unit", county="problem__county")
    # Derived from the next step's time (which the log holds): not copied into the change log.
    derived_fields = ("superseded_at",)

    class Meta:
        ordering = ["acted_at", "pk"]
        indexes = [models.Index(fields=["problem", "acted_at"])]

    def __str__(self) -> str:
        return f"{self.problem_id}: {self.from_status} → {self.to_status}"


class Evidence(StoredFileRecord):
    """A file that backs a problem or one of its steps. The bytes live under
    EVIDENCE_ROOT by checksum; the database keeps name, size and sha256."""

    problem = models.ForeignKey(Problem, on_delete=models.PROTECT, related_name="evidence")
    step = models.ForeignKey(
        RectificationStep, null=True, blank=True, on_delete=models.PROTECT, related_name="evidence"
    )

    scope = ScopePath(unit="problem__unit", county="problem__county")


class DeadlineExtension(models.Model):
    """A request to move a problem's deadline (延期): the unit asks with a reason, the
    group or the office grants or refuses. Granting is what moves the deadline."""

    problem = models.ForeignKey(Problem, verbose_name=_("problem"), on_delete=models.CASCADE, related_name="extensions")
    status = models.CharField(
        _("status"), max_length=10, choices=ExtensionStatus.choices, default=ExtensionStatus.REQUESTED
    )
    old_deadline = models.DateField(_("deadline until now"), null=True, blank=True)
    new_deadline = models.DateField(_("requested deadline"))
    reason = models.TextField(_("reason"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(_("requested at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    scope = ScopePath(unit="problem__unit", county="problem__county")
    workflow_fields = ("status",)

    class Meta:
        verbose_name = _("deadline extension")
        ordering = ["requested_at", "pk"]
        constraints = [
            # One open request at a time: a second waits for the first to be decided.
            models.UniqueConstraint(fields=["problem"], condition=Q(status="requested"), name="extension_one_pending")
        ]

    def __str__(self) -> str:
        return f"{self.problem.number}: {self.old_deadline} → {self.new_deadline}"

    def clean(self) -> None:
        problem = self.problem
        if self.new_deadline and problem.deadline and self.new_deadline <= problem.deadline:
            raise ValidationError({"new_deadline": _("The new deadline must lie after the current one.")})
        problem.campaign.check_date("new_deadline", self.new_deadline)
