"""The narratives ledger's list filters, columns and form (reports.Narrative): a group
writes its own passages, the office any group's or, with no group, its own."""

import django_filters as df
from django import forms
from django.utils.translation import gettext_lazy as _

from ducha.core.registry import Column
from ducha.ledger.filtersets import ListFilterSet, _groups
from ducha.ledger.forms import ScopedForm
from ducha.reports.models import Narrative, NarrativeSection
from ducha.supervision.forms.letters import issuing_groups


class NarrativeFilterSet(ListFilterSet):
    group = df.ModelChoiceFilter(queryset=_groups, to_field_name="code", label=_("supervision group"))
    by_office = df.BooleanFilter(field_name="group", lookup_expr="isnull", label=_("the campaign office's"))
    section = df.ChoiceFilter(choices=NarrativeSection.choices, label=_("section"))


def writer(narrative: Narrative) -> str:
    return narrative.group.name if narrative.group else str(_("Campaign office"))


def excerpt(narrative: Narrative, length: int = 60) -> str:
    text = " ".join(narrative.text.split())
    return text if len(text) <= length else text[:length] + "…"


NARRATIVE_COLUMNS = (
    Column(_("supervision group"), writer, "group__code", nowrap=True),
    Column(_("section"), lambda o: o.get_section_display(), "section", link=True, nowrap=True),
    Column(_("order"), lambda o: o.order, "order"),
    Column(_("lead phrase"), lambda o: o.heading, "heading", link=True),
    Column(_("text"), excerpt),
    Column(_("updated"), lambda o: o.updated_at.date(), "updated_at"),
)


class NarrativeForm(ScopedForm):
    class Meta:
        model = Narrative
        fields = ["group", "section", "order", "heading", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 10})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "group" in self.fields:  # on edit the group is fixed (Narrative.check_update)
            issuing_groups(self, self.user)  # a member writes as its group; the office as a group or itself
