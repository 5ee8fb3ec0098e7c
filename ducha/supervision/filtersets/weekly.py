"""List filters of the weekly reports (codes in URLs, as every list: ?group=engineering&unit=150600)."""

from functools import reduce
from operator import or_

import django_filters as df
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ducha.ledger.filtersets import ListFilterSet, _groups, _units
from ducha.ledger.forms import DATE
from ducha.org.models import active_campaign
from ducha.supervision.choices import Timeliness
from ducha.supervision.models import ReportingSchedule, UnitWeeklyReport
from ducha.supervision.weeks import reporting_weeks

SUBMITTED = [(Timeliness.ON_TIME.value, Timeliness.ON_TIME.label), (Timeliness.LATE.value, Timeliness.LATE.label)]


class WeeklyReportFilterSet(ListFilterSet):
    group = df.ModelChoiceFilter(queryset=_groups, to_field_name="code", label=_("supervision group"))
    week = df.DateFilter(field_name="week_starts", label=_("week starting"), widget=DATE)
    timeliness = df.ChoiceFilter(choices=SUBMITTED, method="filter_timeliness", label=_("timeliness"))

    def filter_timeliness(self, queryset, name, value):
        """Late: submitted after its own week's due time (ducha.supervision.weeks); on time: by it."""
        campaign = active_campaign()
        if campaign is None:
            return queryset.none()
        weeks = reporting_weeks(ReportingSchedule.for_campaign(campaign), until=timezone.localdate())
        unit = queryset.model is UnitWeeklyReport
        late = [Q(week_starts=w.starts, submitted_at__gt=w.unit_due if unit else w.group_due) for w in weeks]
        late_q = reduce(or_, late, Q(pk__in=[]))
        return queryset.filter(late_q) if value == Timeliness.LATE else queryset.exclude(late_q)


class UnitWeeklyReportFilterSet(WeeklyReportFilterSet):
    unit = df.ModelChoiceFilter(queryset=_units, to_field_name="code", label=_("unit"))
