"""List filters of the letters and of their recipients (each unit's response), by codes
as the ledger lists take them (?group=engineering&kind=reminder&overdue=true), so that
the figures link to the list behind them."""

import django_filters as df
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ducha.ledger.filtersets import ListFilterSet, _groups, _units
from ducha.org.models import active_campaign
from ducha.supervision.choices import LetterKind
from ducha.supervision.models.letters import response_overdue_q


class LetterFilterSet(ListFilterSet):
    group = df.ModelChoiceFilter(queryset=_groups, to_field_name="code", label=_("issued by group"))
    by_office = df.BooleanFilter(field_name="group", lookup_expr="isnull", label=_("issued by the office"))
    kind = df.ChoiceFilter(choices=LetterKind.choices, label=_("kind"))
    issued_after = df.DateFilter(field_name="issued_on", lookup_expr="gte", label=_("issued from"))
    issued_before = df.DateFilter(field_name="issued_on", lookup_expr="lte", label=_("issued until"))


class LetterRecipientFilterSet(ListFilterSet):
    group = df.ModelChoiceFilter(
        queryset=_groups, to_field_name="code", field_name="letter__group", label=_("issued by group")
    )
    unit = df.ModelChoiceFilter(queryset=_units, to_field_name="code", label=_("unit"))
    kind = df.ChoiceFilter(field_name="letter__kind", choices=LetterKind.choices, label=_("kind"))
    letter = df.NumberFilter(field_name="letter_id", label=_("letter"))
    answered = df.BooleanFilter(field_name="responded_on", lookup_expr="isnull", exclude=True, label=_("answered"))
    accepted = df.BooleanFilter(label=_("response accepted"))
    overdue = df.BooleanFilter(method="filter_overdue", label=_("response overdue"))

    def filter_overdue(self, queryset, name, value):
        campaign = active_campaign()
        overdue = response_overdue_q(campaign.as_of() if campaign else timezone.localdate())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)
