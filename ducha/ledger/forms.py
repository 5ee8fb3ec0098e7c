"""Create/edit forms. Unit and county choices are cut to what the user may write."""

from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from ducha.core.access import Action, restrict
from ducha.ledger.choices import InspectionKind
from ducha.ledger.models import (
    ClueTransfer,
    DeadlineExtension,
    ExposedCase,
    FiledCase,
    Inspection,
    PolicyDocument,
    Problem,
    Project,
    Training,
)
from ducha.org.models import Unit

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ScopedForm(forms.ModelForm):
    reason = forms.CharField(label=_("Reason for the change"), required=False, max_length=500)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if "unit" in self.fields:
            # The owning units in scope, and for a county's reporter the league/city above its county.
            units = restrict(Unit.objects.filter(parent__isnull=True), user, Action.VIEW)
            counties = restrict(Unit.objects.filter(parent__isnull=False), user, Action.VIEW)
            cast(forms.ModelChoiceField, self.fields["unit"]).queryset = Unit.objects.filter(
                Q(pk__in=units.values("pk")) | Q(pk__in=counties.values("parent_id"))
            )
        if "county" in self.fields:
            county = cast(forms.ModelChoiceField, self.fields["county"])
            county.queryset = restrict(Unit.objects.filter(parent__isnull=False), user, Action.VIEW)
        # Projects and problems are named by the unit's own number, not picked from a
        # list of a million; clean() finds the record inside the chosen unit.
        for name, model in (("project", Project), ("problem", Problem)):
            if name in self.fields:
                label = self.fields[name].label
                linked = getattr(self.instance, name, None) if self.instance.pk else None
                self.fields[name] = forms.CharField(
                    label=label,
                    required=False,
                    help_text=_("the unit's own number; leave empty if none"),
                )
                # The instance's initial value is the linked record's id; the field shows its number.
                self.initial[name] = linked.number if linked else ""
                self._lookups = {**getattr(self, "_lookups", {}), name: model}
        if self.instance.pk is None:
            self.fields.pop("reason")
        for field in self.fields.values():
            if isinstance(field, forms.DateField):
                field.widget = DATE

    def clean(self):
        cleaned = super().clean() or {}
        unit = cleaned.get("unit")
        for name, model in getattr(self, "_lookups", {}).items():
            number = (cleaned.get(name) or "").strip()
            if not number:
                cleaned[name] = None
                continue
            found = restrict(model.objects.filter(unit=unit, number=number), self.user, Action.VIEW).first()
            if found is None:
                self.add_error(name, _("No record with this number in the chosen unit."))
            cleaned[name] = found
        return cleaned


class ProjectForm(ScopedForm):
    class Meta:
        model = Project
        fields = [
            "unit", "county", "domain", "project_type", "number", "name", "platform_code", "amount",
            "tenderer", "tenderer_uscc", "agency", "winner", "winner_uscc", "trade_date", "remarks",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["domain"].required = True  # Project.clean: a project belongs to a trading domain


class ProjectSearchInput(forms.TextInput):
    """The project of a problem, entered as its number: as one types, htmx asks the
    project lookup (web) for the matching projects of the chosen unit and county, listed
    below the field; choosing one (web/lookup.js) fills number, unit, county and domain."""

    template_name = "web/widgets/lookup.html"

    class Media:
        js = ["web/lookup.js"]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        suggestions = f"{widget['attrs'].get('id', name)}-suggestions"
        widget["suggestions"] = suggestions
        widget["attrs"].update(
            {
                "hx-get": reverse("projects-lookup"),
                "hx-trigger": "input changed delay:250ms",
                "hx-target": f"#{suggestions}",
                "hx-include": "[name='unit'],[name='county']",
                "hx-sync": "this:replace",
                "autocomplete": "off",
                "role": "combobox",
                "aria-autocomplete": "list",
                "aria-controls": suggestions,
            }
        )
        return context


class ProblemForm(ScopedForm):
    class Meta:
        model = Problem
        fields = [
            "unit", "county", "project", "domain", "number", "category", "item", "entity_type",
            "description", "discovery_method", "found_on", "measures", "deadline", "responsible", "remarks",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        project = self.fields["project"]
        project.widget = ProjectSearchInput()
        project.widget.is_required = project.required
        project.help_text = _("type the project's number or part of its name; leave empty if none")


class ClueTransferForm(ScopedForm):
    class Meta:
        model = ClueTransfer
        fields = ["unit", "domain", "problem", "authority", "transferred_on", "summary", "feedback", "feedback_on"]


class FiledCaseForm(ScopedForm):
    class Meta:
        model = FiledCase
        fields = ["unit", "domain", "problem", "filed_on", "filed_by", "case_number", "summary"]


class ExposedCaseForm(ScopedForm):
    class Meta:
        model = ExposedCase
        fields = ["unit", "domain", "problem", "title", "exposed_on", "channel"]


class PolicyDocumentForm(ScopedForm):
    class Meta:
        model = PolicyDocument
        fields = ["unit", "domain", "title", "doc_number", "action", "issued_on"]


class TrainingForm(ScopedForm):
    class Meta:
        model = Training
        fields = ["unit", "domain", "title", "held_on", "attendees"]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class TransitionForm(forms.Form):
    """The form of one workflow step: only the fields its transition needs (the same
    flags check_requirements reads), each required. What the form cannot see (evidence
    files, a completion date inside the campaign) the action checks, and its errors land
    on these fields (add_errors)."""

    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    measures = forms.CharField(label=capfirst(_("rectification measures")), widget=forms.Textarea(attrs={"rows": 3}))
    opinion = forms.CharField(label=capfirst(_("sign-off opinion")), widget=forms.Textarea(attrs={"rows": 2}))
    completed_on = forms.DateField(label=_("Completion date"), widget=DATE)
    evidence = MultipleFileField(label=_("Evidence files"))

    NEEDS = {
        "reason": "needs_reason",
        "measures": "needs_measures",
        "opinion": "needs_opinion",
        "completed_on": "needs_completion_date",
        "evidence": "needs_evidence",
    }

    def __init__(self, *args, transition, **kwargs):
        # Several steps' forms share a page: ids carry the step (start-measures, reject-reason).
        kwargs.setdefault("auto_id", f"{transition.verb}-%s")
        super().__init__(*args, **kwargs)
        self.transition = transition
        for name, flag in self.NEEDS.items():
            if not getattr(transition, flag):
                del self.fields[name]

    def step(self) -> dict:
        """The action's keyword arguments (do_transition_problem) from the cleaned data."""
        data = self.cleaned_data
        return {
            "reason": data.get("reason", ""),
            "measures": data.get("measures", ""),
            "opinion": data.get("opinion", ""),
            "completed_on": data.get("completed_on"),
            "evidence": data.get("evidence", []),
        }


def add_errors(form: forms.BaseForm, error: ValidationError, rest: str | None = None) -> None:
    """An action's ValidationError onto a form: each message on its field; the others
    on the field `rest` when the form has it (a step's file errors: on its files), else
    on the form itself."""
    default = rest if rest in form.fields else None
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            form.add_error(name if name in form.fields else default, messages)
    else:
        form.add_error(default, error.messages)


class ExtensionRequestForm(forms.ModelForm):
    """A unit asks for a later deadline (do_request_extension). The instance names the
    problem, so the model's own checks (after the current deadline, inside the
    campaign) run on the form too."""

    class Meta:
        model = DeadlineExtension
        fields = ["new_deadline", "reason"]
        widgets = {"new_deadline": DATE, "reason": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "extension-%s")
        super().__init__(*args, **kwargs)


class ExtensionDecisionForm(forms.Form):
    """The group grants or refuses a pending request (do_decide_extension); a refusal
    says why (the action insists)."""

    decision = forms.ChoiceField(choices=[("grant", "grant"), ("refuse", "refuse")])  # the two buttons
    decision_note = forms.CharField(
        label=capfirst(_("decision note")),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("required when refusing"),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "decision-%s")
        super().__init__(*args, **kwargs)


class InspectionForm(forms.ModelForm):
    """One inspection of a project (do_record_inspection), of a kind the user may record
    now (inspection_kinds_allowed); when and with what result are required."""

    class Meta:
        model = Inspection
        fields = ["kind", "inspected_on", "result", "inspector", "findings"]
        widgets = {"inspected_on": DATE, "findings": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, kinds, **kwargs):
        kwargs.setdefault("auto_id", "inspection-%s")
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["kind"]).choices = [(k, InspectionKind(k).label) for k in kinds]
        self.fields["inspected_on"].required = True
        self.fields["result"].required = True
