"""Forms of the work plans and their documents."""

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from ducha.core.access import Action, user_scope
from ducha.ledger.forms import MultipleFileField, ScopedForm
from ducha.org.models import Stage, SupervisionGroup, active_campaign
from ducha.supervision.models import WorkPlan


class WorkPlanForm(ScopedForm):
    class Meta:
        model = WorkPlan
        fields = ["group", "stage", "title", "issued_on", "summary"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        campaign = active_campaign()
        groups = SupervisionGroup.objects.filter(campaign=campaign)
        scope = user_scope(self.user, Action.ADD)
        if not scope.everything:
            groups = groups.filter(pk__in=scope.group_ids)  # a member writes its own group's plans
        group = cast(forms.ModelChoiceField, self.fields["group"])
        group.queryset = groups
        if not scope.everything:
            group.empty_label = None  # a member's own group, chosen
        cast(forms.ModelChoiceField, self.fields["stage"]).queryset = Stage.objects.filter(campaign=campaign)


class WorkPlanDocumentForm(forms.Form):
    documents = MultipleFileField(label=_("Plan documents"))
