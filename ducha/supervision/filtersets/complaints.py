"""List filters of the complaints, by codes as the ledger lists take them
(?group=engineering&source=forwarded&status=closed&overdue=true), so that the figures
link to the list behind them."""

import django_filters as df
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ducha.ledger.filtersets import ListFilterSet, _counties, _groups, _units
from ducha.org.models import active_campaign
from ducha.supervision.choices import ComplaintSource, ComplaintStatus
from ducha.supervision.models.complaints import complaint_overdue_q


class ComplaintFilterSet(ListFilterSet):
    group = df.ModelChoiceFilter(queryset=_groups, to_field_name="code", label=_("supervision group"))
    unit = df.ModelChoiceFilter(queryset=_units, to_field_name="code", label=_("unit"))
    county = df.ModelChoiceFilter(queryset=_counties, to_field_name="code", label=_("county"))
    source = df.ChoiceFilter(choices=ComplaintSource.choices, label=_("source"))
    status = df.ChoiceFilter(choices=ComplaintStatus.choices, label=_("handling status"))
    overdue = df.BooleanFilter(method="filter_overdue", label=_("overdue"))
    to_problem = df.BooleanFilter(field_name="problem", lookup_expr="isnull", exclude=True, label=_("became a problem"))
    to_clue = df.BooleanFilter(
        field_name="clue_transfer", lookup_expr="isnull", exclude=True, label=_("became a clue transfer")
    )
    received_after = df.DateFilter(field_name="received_on", lookup_expr="gte", label=_("received from"))
    received_before = df.DateFilter(field_name="received_on", lookup_expr="lte", label=_("received until"))

    def filter_overdue(self, queryset, name, value):
        campaign = active_campaign()
        overdue = complaint_overdue_q(campaign.as_of() if campaign else timezone.localdate())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)
