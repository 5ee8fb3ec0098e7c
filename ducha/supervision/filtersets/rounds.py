"""List filters of the site rounds, contacts, contact rules and look-back checks, by
codes as the ledger lists take them (?group=engineering&kind=phone&week=2024-07-01), so
that the figures and the compliance page link to the list behind them."""

import datetime as dt

import django_filters as df
from django.utils.translation import gettext_lazy as _

from ducha.ledger.filtersets import ListFilterSet, _counties, _groups, _units
from ducha.supervision.choices import ContactKind, LookBackOutcome, RoundKind
from ducha.supervision.weeks import monday_of


def _group(field_name: str = "group") -> df.ModelChoiceFilter:
    return df.ModelChoiceFilter(
        queryset=_groups, to_field_name="code", field_name=field_name, label=_("supervision group")
    )


class SiteRoundFilterSet(ListFilterSet):
    group = _group()
    kind = df.ChoiceFilter(choices=RoundKind.choices, label=_("kind"))
    county = df.ModelChoiceFilter(
        queryset=_counties, to_field_name="code", method="filter_county", label=_("counties visited")
    )
    started_after = df.DateFilter(field_name="starts_on", lookup_expr="gte", label=_("starting from"))
    started_before = df.DateFilter(field_name="starts_on", lookup_expr="lte", label=_("starting until"))

    def filter_county(self, queryset, name, value):
        """The rounds that went down to this county (下沉旗县): one of their visits names it."""
        return queryset.filter(visits__county=value).distinct()


class ContactFilterSet(ListFilterSet):
    group = _group()
    unit = df.ModelChoiceFilter(queryset=_units, to_field_name="code", label=_("unit"))
    county = df.ModelChoiceFilter(queryset=_counties, to_field_name="code", label=_("county"))
    kind = df.ChoiceFilter(choices=ContactKind.choices, label=_("kind"))
    round = df.NumberFilter(field_name="round_id", label=_("round"))
    week = df.DateFilter(method="filter_week", label=_("week of"))
    contacted_after = df.DateFilter(field_name="contacted_on", lookup_expr="gte", label=_("from"))
    contacted_before = df.DateFilter(field_name="contacted_on", lookup_expr="lte", label=_("until"))

    def filter_week(self, queryset, name, value):
        """The contacts of the reporting week (Monday to Sunday) holding the day."""
        starts = monday_of(value)
        return queryset.filter(contacted_on__range=(starts, starts + dt.timedelta(days=6)))


class ContactRuleFilterSet(ListFilterSet):
    group = _group()
    kind = df.ChoiceFilter(choices=ContactKind.choices, label=_("kind"))


class LookBackCheckFilterSet(ListFilterSet):
    group = _group("round__group")
    round = df.NumberFilter(field_name="round_id", label=_("round"))
    outcome = df.ChoiceFilter(choices=LookBackOutcome.choices, label=_("result of the check"))
    target = df.ChoiceFilter(
        choices=[("project", _("projects")), ("problem", _("problems"))], method="filter_target", label=_("re-checked")
    )

    def filter_target(self, queryset, name, value):
        return queryset.filter(**{f"{value}__isnull": False})
