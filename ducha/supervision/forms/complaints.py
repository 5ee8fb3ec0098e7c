"""Forms of the complaints: received and assigned (the add and edit pages; a group member
for its own group and units), and on the complaint's page the unit's progress and
closing, and the one step that makes it a problem or a clue transfer."""

from django import forms
from django.forms.models import fields_for_model
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from ducha.ledger.forms import DATE, ScopedForm
from ducha.ledger.models import ClueTransfer, Problem
from ducha.supervision.forms.letters import issuing_groups
from ducha.supervision.models import Complaint

TEXT = forms.Textarea(attrs={"rows": 3})


class ComplaintForm(ScopedForm):
    """Receiving (a group member for its own group; the office may leave the group for
    later) and, on edit, assigning and handling: the model's check_update leaves a unit
    its progress, outcome and closing."""

    class Meta:
        model = Complaint
        fields = [
            "number", "source", "received_on", "summary", "group", "unit", "county", "deadline",
            "status", "progress", "outcome", "closed_on",
        ]  # fmt: skip
        widgets = {"summary": TEXT, "progress": TEXT, "outcome": TEXT}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        issuing_groups(self, self.user)
        if self.instance.pk is None:
            for name in ("status", "progress", "outcome", "closed_on"):
                del self.fields[name]  # a complaint starts as received; the unit handles it
            self.initial.setdefault("received_on", timezone.localdate())


class AssignForm(ScopedForm):
    """To a group and one of its units, with a deadline (do_assign_complaint): a group
    member within its own group, the office to any."""

    class Meta:
        model = Complaint
        fields = ["group", "unit", "county", "deadline"]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "assign-%s")
        super().__init__(*args, **kwargs)
        issuing_groups(self, self.user)
        self.fields["group"].required = True

    def action_arguments(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in ("group", "unit", "county", "deadline", "reason")}


class ProgressForm(forms.Form):
    """How the handling stands (do_record_complaint_progress)."""

    progress = forms.CharField(label=capfirst(_("handling progress")), widget=TEXT)

    def __init__(self, *args, complaint: Complaint, **kwargs):
        kwargs.setdefault("auto_id", "progress-%s")
        super().__init__(*args, **kwargs)
        self.initial.setdefault("progress", complaint.progress)


class CloseForm(forms.Form):
    """The outcome and the closing day (do_close_complaint)."""

    outcome = forms.CharField(label=capfirst(_("outcome")), widget=TEXT)
    closed_on = forms.DateField(label=capfirst(_("closed on")), widget=DATE)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "close-%s")
        super().__init__(*args, **kwargs)
        self.initial.setdefault("closed_on", timezone.localdate())


class ToProblemForm(forms.Form):
    """The problem a complaint becomes (do_complaint_to_problem): the problem's own fields,
    as the problem ledger names them; unit, county and discovery method are the complaint's."""

    def __init__(self, *args, complaint: Complaint, **kwargs):
        kwargs.setdefault("auto_id", "problem-%s")
        super().__init__(*args, **kwargs)
        names = ["number", "domain", "category", "description", "found_on", "deadline"]
        self.fields.update(fields_for_model(Problem, fields=names, widgets={"description": TEXT}))
        for name in ("found_on", "deadline"):
            self.fields[name].widget = DATE
        self.fields["found_on"].required = True
        self.initial.setdefault("description", complaint.summary)
        self.initial.setdefault("found_on", timezone.localdate())


class ToClueForm(forms.Form):
    """The clue transfer a complaint becomes (do_complaint_to_clue_transfer)."""

    def __init__(self, *args, complaint: Complaint, **kwargs):
        kwargs.setdefault("auto_id", "clue-%s")
        super().__init__(*args, **kwargs)
        names = ["authority", "domain", "transferred_on", "summary"]
        self.fields.update(fields_for_model(ClueTransfer, fields=names, widgets={"summary": TEXT}))
        self.fields["transferred_on"].widget = DATE
        self.initial.setdefault("summary", complaint.summary)
        self.initial.setdefault("transferred_on", timezone.localdate())
