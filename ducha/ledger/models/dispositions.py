"""Dispositions (处置): clue transfers, filed cases, exposed typical cases,
documents enacted/revised/abolished, trainings."""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ducha.ledger.choices import ClueAuthority, DocumentAction
from ducha.ledger.models.base import UnitRecord


class ProblemLink(UnitRecord):
    problem = models.ForeignKey(
        "ledger.Problem",
        verbose_name=_("problem"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        abstract = True

    def clean(self) -> None:
        super().clean()
        if self.problem is not None and self.problem.unit_id != self.unit_id:
            raise ValidationError({"problem": _("The problem belongs to another unit.")})


class ClueTransfer(ProblemLink):
    authority = models.CharField(_("receiving authority"), max_length=12, choices=ClueAuthority.choices)
    transferred_on = models.DateField(_("transferred on"))
    dated_by = "transferred_on"  # what a past day's figures count it from (ledger/as_of.py)
    summary = models.TextField(_("summary"))
    feedback = models.TextField(_("feedback"), blank=True)
    feedback_on = models.DateField(_("feedback on"), null=True, blank=True)

    class Meta:
        verbose_name = _("clue transfer")

    def __str__(self) -> str:
        return self.summary[:40]


class FiledCase(ProblemLink):
    filed_on = models.DateField(_("filed on"))
    dated_by = "filed_on"  # what a past day's figures count it from (ledger/as_of.py)
    filed_by = models.CharField(_("filing authority"), max_length=100)
    case_number = models.CharField(_("case number"), max_length=100, blank=True)
    summary = models.TextField(_("summary"))

    class Meta:
        verbose_name = _("filed case")

    def __str__(self) -> str:
        return self.case_number or self.summary[:40]


class ExposedCase(ProblemLink):
    title = models.CharField(_("title"), max_length=300)
    exposed_on = models.DateField(_("exposed on"))
    dated_by = "exposed_on"  # what a past day's figures count it from (ledger/as_of.py)
    channel = models.CharField(_("channel"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("exposed typical case")

    def __str__(self) -> str:
        return self.title


class PolicyDocument(UnitRecord):
    title = models.CharField(_("title"), max_length=300)
    doc_number = models.CharField(_("document number"), max_length=100, blank=True)
    action = models.CharField(_("action"), max_length=10, choices=DocumentAction.choices)
    issued_on = models.DateField(_("issued on"))
    dated_by = "issued_on"  # what a past day's figures count it from (ledger/as_of.py)

    class Meta:
        verbose_name = _("document")

    def __str__(self) -> str:
        return self.title


class Training(UnitRecord):
    title = models.CharField(_("title"), max_length=300)
    held_on = models.DateField(_("held on"))
    dated_by = "held_on"  # what a past day's figures count it from (ledger/as_of.py)
    attendees = models.PositiveIntegerField(_("attendees"), validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = _("training")

    def __str__(self) -> str:
        return self.title
