"""Forms of the site rounds, contacts, contact rules and look-back checks. A group
member's choices are its own group, its own rounds and its own units."""

from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from ducha.core.access import Action, restrict
from ducha.ledger.forms import DATE, ProblemForm, ScopedForm
from ducha.ledger.models import Problem, Project
from ducha.org.models import SupervisionGroup, Unit, active_campaign
from ducha.supervision.actions.rounds import actor_group_id, supervisor_name
from ducha.supervision.choices import LookBackOutcome, RoundKind, RoundMethod
from ducha.supervision.models import Contact, ContactRule, LookBackCheck, SupervisionRound


def _groups_for(form: forms.ModelForm, user, *, optional: bool = False) -> None:
    """The group field offers the user's own group (a member), else the campaign's groups.
    A new record is of the active campaign already, so that the model's rules (inside the
    campaign, a unit the group supervises) answer at the form's fields."""
    if form.instance.pk is None and getattr(form.instance, "campaign_id", None) is None:
        form.instance.campaign = active_campaign()
    field = cast(forms.ModelChoiceField, form.fields["group"])
    own = actor_group_id(user)
    groups = SupervisionGroup.objects.filter(campaign=active_campaign())
    field.queryset = groups.filter(pk=own) if own else groups
    if own and not optional:
        form.initial.setdefault("group", own)


class SiteRoundForm(ScopedForm):
    methods = forms.MultipleChoiceField(
        label=capfirst(_("methods")), choices=RoundMethod.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = SupervisionRound
        fields = ["group", "number", "kind", "starts_on", "ends_on", "methods", "summary"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _groups_for(self, self.user)


class ContactForm(ScopedForm):
    class Meta:
        model = Contact
        fields = ["group", "unit", "county", "kind", "contacted_on", "round", "supervisor", "content", "follow_up"]
        widgets = {"content": forms.Textarea(attrs={"rows": 3}), "follow_up": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _groups_for(self, self.user)
        rounds = SupervisionRound.objects.filter(campaign=active_campaign()).select_related("group")
        cast(forms.ModelChoiceField, self.fields["round"]).queryset = restrict(rounds, self.user, Action.CHANGE)
        self.fields["round"].help_text = _("an on-site visit names its round")
        if self.instance.pk is None and self.user is not None:
            self.initial.setdefault("supervisor", supervisor_name(self.user))


class ContactRuleForm(ScopedForm):
    class Meta:
        model = ContactRule
        fields = ["group", "kind", "per_week", "starts_on", "ends_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _groups_for(self, self.user, optional=True)
        cast(forms.ModelChoiceField, self.fields["group"]).empty_label = _("every group")
        self.fields["group"].help_text = _("leave empty for every group")


class RoundProblemForm(ProblemForm):
    """A problem a round found: the problem ledger's form, discovered by supervision."""

    class Meta(ProblemForm.Meta):
        fields = [f for f in ProblemForm.Meta.fields if f not in ("discovery_method", "measures")]

    def __init__(self, *args, round: SupervisionRound, **kwargs):
        kwargs.setdefault("auto_id", "found-%s")
        super().__init__(*args, **kwargs)
        units = Unit.objects.filter(assignments__group_id=round.group_id, parent__isnull=True)
        unit = cast(forms.ModelChoiceField, self.fields["unit"])
        unit.queryset = cast(QuerySet, unit.queryset).filter(pk__in=units.values("pk"))
        self.fields["domain"].required = True


class LookBackCheckForm(forms.ModelForm):
    """One re-check of a look-back round (do_record_look_back_check): a self-inspected
    project or a rectified or signed-off problem of one of the group's units, named by its
    number, and what it found. Not truly rectified asks for a reason (the reopening's); a
    new problem for its number and description. On the round's page the round is given;
    on the ledger's add page it is chosen. A recorded check changes only its note."""

    unit = forms.ModelChoiceField(label=capfirst(_("unit")), queryset=Unit.objects.none())
    project = forms.CharField(label=capfirst(_("project number")), required=False)
    problem = forms.CharField(label=capfirst(_("problem number")), required=False)
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("required when the problem is reopened"),
    )  # fmt: skip
    new_number = forms.CharField(label=_("New problem's number"), required=False, max_length=64)
    new_description = forms.CharField(
        label=_("New problem's description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    new_deadline = forms.DateField(label=_("New problem's deadline"), required=False, widget=DATE)

    class Meta:
        model = LookBackCheck
        fields = ["round", "unit", "project", "problem", "checked_on", "outcome", "note"]
        widgets = {"checked_on": DATE, "note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, user, round: SupervisionRound | None = None, **kwargs):
        if round is not None:
            kwargs.setdefault("auto_id", "check-%s")
        super().__init__(*args, **kwargs)
        self.user, self.round = user, round
        if self.instance.pk is not None:
            for name in set(self.fields) - {"note"}:
                del self.fields[name]  # what the check found stands (LookBackCheck.check_update)
            return
        field = cast(forms.ModelChoiceField, self.fields["round"])
        units = Unit.objects.filter(parent__isnull=True)
        if round is not None:
            del self.fields["round"]
            units = units.filter(assignments__group_id=round.group_id)
        else:
            rounds = SupervisionRound.objects.filter(campaign=active_campaign(), kind=RoundKind.LOOK_BACK)
            field.queryset = restrict(rounds.select_related("group"), user, Action.CHANGE)
            units = restrict(units, user)
        cast(forms.ModelChoiceField, self.fields["unit"]).queryset = units
        self.fields["checked_on"].required = True

    def clean(self):
        data = super().clean() or {}
        if self.instance.pk is not None:
            return data
        for name, model in (("project", Project), ("problem", Problem)):
            number = (data.get(name) or "").strip()
            found = None
            if number and data.get("unit") is not None:
                found = restrict(model.objects.filter(unit=data["unit"], number=number), self.user).first()
                if found is None:
                    self.add_error(name, _("No record with this number in the chosen unit."))
            data[name] = found
        if not self.errors and (data["project"] is None) == (data["problem"] is None):
            raise ValidationError(_("Name one project or one problem to re-check."))
        outcome = data.get("outcome")
        if outcome == LookBackOutcome.NOT_RECTIFIED and not (data.get("reason") or "").strip():
            self.add_error("reason", _("A reason is required."))
        if outcome == LookBackOutcome.NEW_PROBLEM:
            for name in ("new_number", "new_description"):
                if not (data.get(name) or "").strip():
                    self.add_error(name, _("Required for a new problem."))
        return data

    def action_arguments(self) -> dict:
        return look_back_arguments(self.cleaned_data)

    def _post_clean(self):
        # A new check is validated whole by its action, after the reopening or the new
        # problem it brings exists; the model's rules would refuse it half-made here.
        if self.instance.pk is not None:
            super()._post_clean()  # type: ignore[misc]


def look_back_arguments(data: dict) -> dict:
    """do_record_look_back_check's keyword arguments from the form's cleaned data."""
    new = None
    if data["outcome"] == LookBackOutcome.NEW_PROBLEM:
        new = {"number": data["new_number"], "description": data["new_description"],
               "found_on": data["checked_on"], "deadline": data.get("new_deadline")}  # fmt: skip
    names = ("outcome", "checked_on", "project", "problem", "note", "reason")
    return {**{name: data.get(name) or ("" if name in ("note", "reason") else None) for name in names},
            "new_problem": new}  # fmt: skip
