"""List filters for the ledger pages. URLs use codes (unit=150600, domain=procurement,
group=engineering, category=A), so dashboards can link to any filtered list."""

import datetime as dt

import django_filters as df
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.widgets import BooleanWidget

from ducha.core.access import restrict
from ducha.ledger.as_of import in_state
from ducha.ledger.choices import (
    CLEARED_STATUSES,
    OPEN_STATUSES,
    RECTIFIED_STATUSES,
    ClueAuthority,
    DiscoveryMethod,
    DocumentAction,
    ProblemStatus,
)
from ducha.ledger.models import MarketEntityType, Problem, ProblemCategory
from ducha.ledger.models.problems import overdue_q
from ducha.org.models import Assignment, Domain, ProjectType, SupervisionGroup, Unit, active_campaign

ALL = _("all")


class YesNoWidget(BooleanWidget):
    """全部 / 是 / 否: "all" (no filter) first, and chosen until the user picks; the URL
    keeps true/false (?overdue=true), as the dashboards link."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("", ALL), ("true", _("yes")), ("false", _("no"))]


class ListFilterSet(df.FilterSet):
    """Every select of a list's filters starts at "all" (全部): choices without django-filter's
    "---------", yes/no filters without its "Unknown"."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.filters.values():  # the instance's own copies
            if isinstance(f, df.BooleanFilter):
                f.extra.setdefault("widget", YesNoWidget)
            elif isinstance(f, df.ChoiceFilter | df.ModelChoiceFilter):
                f.extra["empty_label"] = ALL

    def filter_queryset(self, queryset):
        day = self.form.cleaned_data.get("as_of")
        self.day = day if day is not None and day < timezone.localdate() else None  # None: now
        return super().filter_queryset(in_state(queryset, self.day, shown=True))

    def keep(self, queryset, name, value):
        return queryset  # (as_of is applied before the others, in filter_queryset)

    def overdue_on(self) -> dt.date:
        if self.day is not None:
            return self.day
        campaign = active_campaign()
        return campaign.as_of() if campaign else timezone.localdate()


def _units(request):
    return restrict(Unit.objects.filter(parent__isnull=True), request.user if request else None)


def _counties(request):
    return restrict(Unit.objects.filter(parent__isnull=False), request.user if request else None)


def _groups(request):
    return SupervisionGroup.objects.filter(campaign=active_campaign())


class UnitRecordFilterSet(ListFilterSet):
    # ?as_of=YYYY-MM-DD: the list as a past day's figures count it (ledger/as_of.py), the
    # state filters (status, overdue, inspected…) reading that day's state. Applied first.
    as_of = df.DateFilter(method="keep", label=_("as of"))
    domain = df.ModelChoiceFilter(queryset=Domain.objects.all(), to_field_name="code", label=_("domain"))
    unit = df.ModelChoiceFilter(queryset=_units, to_field_name="code", label=_("unit"))
    group = df.ModelChoiceFilter(
        queryset=_groups, to_field_name="code", method="filter_group", label=_("supervision group")
    )

    def filter_group(self, queryset, name, value):
        units = Assignment.objects.filter(group=value).values("unit_id")
        return queryset.filter(unit_id__in=units)


class CountyRecordFilterSet(UnitRecordFilterSet):
    county = df.ModelChoiceFilter(queryset=_counties, to_field_name="code", label=_("county"))


class ProjectFilterSet(CountyRecordFilterSet):
    project_type = df.ModelChoiceFilter(queryset=ProjectType.objects.all(), label=_("project type"))
    self_inspected = df.BooleanFilter(field_name="state_self_inspected", label=_("self-inspected"))
    sampled = df.BooleanFilter(field_name="state_sampled", label=_("sampled"))
    verified = df.BooleanFilter(field_name="state_verified", label=_("verified"))
    traded_after = df.DateFilter(field_name="trade_date", lookup_expr="gte", label=_("traded from"))
    traded_before = df.DateFilter(field_name="trade_date", lookup_expr="lte", label=_("traded until"))
    has_problems = df.BooleanFilter(method="filter_has_problems", label=_("has problems"))

    cleared = df.BooleanFilter(method="filter_cleared", label=_("problems cleared"))

    def problems(self):
        return in_state(Problem.objects.all(), self.day)

    def filter_cleared(self, queryset, name, value):
        """Problem projects all of whose problems are cleared (signed off or dismissed)."""
        not_cleared = self.problems().exclude(state_status__in=CLEARED_STATUSES).values("project_id")
        cleared = queryset.filter(pk__in=self.problems().values("project_id")).exclude(pk__in=not_cleared)
        return cleared if value else queryset.filter(pk__in=not_cleared)

    def filter_has_problems(self, queryset, name, value):
        with_problems = self.problems().values("project_id")
        return queryset.filter(pk__in=with_problems) if value else queryset.exclude(pk__in=with_problems)


class ProblemFilterSet(CountyRecordFilterSet):
    category = df.ModelChoiceFilter(queryset=ProblemCategory.objects.all(), to_field_name="code", label=_("category"))
    entity_type = df.ModelChoiceFilter(
        queryset=MarketEntityType.objects.all(), to_field_name="code", label=_("market-entity type")
    )
    # Checkboxes: ?status=found, or several (?status=rectified&status=signed_off).
    status = df.MultipleChoiceFilter(
        field_name="state_status",
        # A column of the problem itself, no join: no DISTINCT (django-filter's default), which
        # made PostgreSQL sort the whole filtered list by every column (3 s on 200,000 problems).
        distinct=False,
        choices=ProblemStatus.choices,
        widget=forms.CheckboxSelectMultiple,
        label=_("status"),
    )
    state = df.ChoiceFilter(
        choices=[("open", _("open")), ("rectified", _("rectified or signed off"))],
        method="filter_state",
        label=_("state"),
    )
    overdue = df.BooleanFilter(method="filter_overdue", label=_("overdue"))
    method = df.ChoiceFilter(
        field_name="discovery_method", choices=DiscoveryMethod.choices, label=_("discovery method")
    )
    kind = df.ChoiceFilter(
        choices=[("four", _("the four categories")), ("entity", _("market-entity problems"))],
        method="filter_kind",
        label=_("kind"),
    )
    found_after = df.DateFilter(field_name="found_on", lookup_expr="gte", label=_("found from"))
    found_before = df.DateFilter(field_name="found_on", lookup_expr="lte", label=_("found until"))

    def filter_state(self, queryset, name, value):
        if value == "open":
            return queryset.filter(state_status__in=OPEN_STATUSES)
        return queryset.filter(state_status__in=RECTIFIED_STATUSES)

    def filter_overdue(self, queryset, name, value):
        overdue = overdue_q(self.overdue_on(), status="state_status", deadline="state_deadline")
        return queryset.filter(overdue) if value else queryset.exclude(overdue)

    def filter_kind(self, queryset, name, value):
        if value == "four":
            return queryset.filter(category__kind="campaign_four")
        return queryset.filter(entity_type__isnull=False)


class ClueTransferFilterSet(UnitRecordFilterSet):
    authority = df.ChoiceFilter(choices=ClueAuthority.choices, label=_("receiving authority"))


class DocumentFilterSet(UnitRecordFilterSet):
    action = df.ChoiceFilter(choices=DocumentAction.choices, label=_("action"))
