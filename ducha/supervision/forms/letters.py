"""Forms of the letters: issuing one to several units (the add page), a recipient added
to a letter, the unit's answer and the issuer's decision (the recipient's page)."""

from typing import cast

from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from ducha.core.access import Action, restrict
from ducha.ledger.forms import DATE, ScopedForm
from ducha.org.models import SupervisionGroup, Unit, active_campaign
from ducha.supervision.actions.rounds import actor_group_id
from ducha.supervision.models import Letter, LetterRecipient

TEXT = forms.Textarea(attrs={"rows": 3})


def issuing_groups(form: forms.BaseForm, user) -> None:
    """A group member issues as its own group; the office as a group or, left empty, itself."""
    field = cast(forms.ModelChoiceField, form.fields["group"])
    groups = SupervisionGroup.objects.filter(campaign=active_campaign())
    if own := actor_group_id(user):
        field.queryset, field.required, field.empty_label = groups.filter(pk=own), True, None
        form.initial.setdefault("group", own)
    else:
        field.queryset, field.empty_label = groups, str(_("the campaign office"))


class LetterForm(ScopedForm):
    units = forms.ModelMultipleChoiceField(
        label=_("Addressed to"), queryset=Unit.objects.none(), widget=forms.CheckboxSelectMultiple,
        help_text=_("one recipient each: every unit answers on its own"),
    )  # fmt: skip

    class Meta:
        model = Letter
        fields = ["group", "kind", "number", "title", "points", "issued_on", "respond_by"]
        widgets = {"points": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        issuing_groups(self, self.user)
        if self.instance.pk is not None:
            del self.fields["units"]  # the recipients are added as records of their own
        else:
            units = restrict(Unit.objects.filter(parent__isnull=True), self.user, Action.VIEW)
            cast(forms.ModelMultipleChoiceField, self.fields["units"]).queryset = units.order_by("order", "code")
            self.initial.setdefault("issued_on", timezone.localdate())


class LetterRecipientForm(ScopedForm):
    """Adding a unit to a letter already issued; on edit, the fields the user may change
    (the model's check_update leaves the unit its answer, the issuer its decision)."""

    class Meta:
        model = LetterRecipient
        fields = ["letter", "unit", "response", "responded_on", "accepted", "decision_note"]
        widgets = {"response": TEXT, "decision_note": TEXT}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            for name in ("response", "responded_on", "accepted", "decision_note"):
                del self.fields[name]
            letters = Letter.objects.filter(campaign=active_campaign()).order_by("-issued_on", "-pk")
            cast(forms.ModelChoiceField, self.fields["letter"]).queryset = restrict(letters, self.user, Action.CHANGE)


class AnswerForm(forms.Form):
    """The unit's response to a letter (do_answer_letter)."""

    response = forms.CharField(label=capfirst(_("response")), widget=TEXT)
    responded_on = forms.DateField(label=capfirst(_("responded on")), widget=DATE)

    def __init__(self, *args, recipient: LetterRecipient, **kwargs):
        kwargs.setdefault("auto_id", "answer-%s")
        super().__init__(*args, **kwargs)
        self.initial.setdefault("response", recipient.response)
        self.initial.setdefault("responded_on", recipient.responded_on or timezone.localdate())


class DecisionForm(forms.Form):
    """The issuer accepts the response or refuses it, saying why (do_decide_response)."""

    decision = forms.ChoiceField(choices=[("accept", "accept"), ("refuse", "refuse")])  # the two buttons
    decision_note = forms.CharField(
        label=capfirst(_("decision note")), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("required when refusing"),
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "decision-%s")
        super().__init__(*args, **kwargs)

    def action_arguments(self) -> dict:
        return {"accepted": self.cleaned_data["decision"] == "accept", "note": self.cleaned_data["decision_note"]}
