"""List filters of the work plans."""

import django_filters as df
from django.utils.translation import gettext_lazy as _

from ducha.ledger.filtersets import ListFilterSet, _groups
from ducha.org.models import Stage, active_campaign


def _stages(request):
    return Stage.objects.filter(campaign=active_campaign())


class WorkPlanFilterSet(ListFilterSet):
    group = df.ModelChoiceFilter(queryset=_groups, to_field_name="code", label=_("supervision group"))
    stage = df.ModelChoiceFilter(queryset=_stages, label=_("stage"))
