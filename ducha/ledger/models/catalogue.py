"""The problem catalogue: editable data, defaults in ledger/data/catalogue.json."""

from django.db import models

from ducha.core.access import REFERENCE_DATA
from ducha.ledger.choices import CategoryKind


class ProblemCategory(models.Model):
    scope = REFERENCE_DATA

    code = models.CharField(max_length=10, unique=True)
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=CategoryKind.choices)
    domain = models.ForeignKey("org.Domain", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class ProblemItem(models.Model):
    scope = REFERENCE_DATA

    category = models.ForeignKey(ProblemCategory, on_delete=models.PROTECT, related_name="items")
    code = models.CharField(max_length=10, unique=True)
    name = models.CharField(max_length=200)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["category__order", "order"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class MarketEntityType(models.Model):
    scope = REFERENCE_DATA

    code = models.CharField(max_length=10, unique=True)
    name = models.CharField(max_length=100)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order"]

    def __str__(self) -> str:
        return self.name
