"""The three-way comparison's forms: the upload of the three sources with the window and
the price floor; the findings' filters; turning chosen findings into problems."""

from decimal import Decimal
from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from ducha.analyses.comparison import SOURCES
from ducha.analyses.turning import STATE_PROPERTY_LIST
from ducha.analytics.reconcile import FINDINGS, ReconcileSettings
from ducha.core.access import restrict
from ducha.imports.reading import FileRefused, check_file
from ducha.ledger.models import ProblemItem
from ducha.org.models import Unit
from ducha.web.listing import search

DEFAULTS = ReconcileSettings()


class UploadForm(forms.Form):
    """The files are checked as ledger files are (type, size, a real workbook, no macros,
    no zip bomb) before anything is stored; each refusal at its file's field."""

    exchange = forms.FileField(label=SOURCES["exchange"][1])
    registry = forms.FileField(label=SOURCES["registry"][1])
    self_reports = forms.FileField(label=SOURCES["self_reports"][1])
    window_days = forms.IntegerField(
        label=_("Window (days)"),
        min_value=1,
        max_value=3650,
        initial=DEFAULTS.window_days,
        help_text=_("how far a registry change or self-report may lie from its deal"),
    )
    price_floor = forms.DecimalField(
        label=_("Price floor (percent of the appraisal)"),
        min_value=Decimal(1),
        max_value=Decimal(100),
        decimal_places=1,
        initial=f"{DEFAULTS.price_floor * 100:g}",  # 90, not 9E+1
        help_text=_("a deal below this share of its appraisal is 低价成交"),
    )

    def clean(self):
        cleaned = super().clean() or {}
        for kind in SOURCES:
            upload = cleaned.get(kind)
            if upload is None:
                continue
            content = b"".join(upload.chunks())
            try:
                check_file(upload.name, content)
            except FileRefused as refused:
                self.add_error(kind, str(refused.message) % refused.params)
                continue
            cleaned[f"{kind}_content"] = content
        return cleaned

    def settings(self) -> ReconcileSettings:
        return ReconcileSettings(
            window_days=self.cleaned_data["window_days"],
            price_floor=float(self.cleaned_data["price_floor"] / 100),
        )


class FilterForm(forms.Form):
    finding = forms.ChoiceField(label=_("Finding"), required=False)
    unit = forms.ChoiceField(label=_("Unit"), required=False)
    turned = forms.ChoiceField(
        label=_("Turned into a problem"),
        required=False,
        choices=[("", "—"), ("yes", _("Yes")), ("no", _("No"))],
    )
    q = forms.CharField(label=_("Enterprise name or code"), required=False, max_length=100)

    def __init__(self, *args, units: list[Unit], **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["finding"]).choices = [("", "—"), *((f, f) for f in FINDINGS)]
        cast(forms.ChoiceField, self.fields["unit"]).choices = [("", "—"), *((u.code, u.name) for u in units)]

    def apply(self, findings):
        if not self.is_valid():
            return findings.none()
        data = self.cleaned_data
        if data["finding"]:
            findings = findings.filter(finding=data["finding"])
        if data["unit"]:
            findings = findings.filter(unit__code=data["unit"])
        if data["turned"]:
            findings = findings.filter(problem__isnull=data["turned"] == "no")
        return search(findings, ("enterprise_name", "enterprise"), data["q"])


class TurnForm(forms.Form):
    """The findings chosen (their ids, checked against the run's visible findings by the
    view), the item for findings whose rule gives none, the unit for those naming none."""

    item = forms.ModelChoiceField(
        label=_("Item (for findings without a default item)"),
        queryset=ProblemItem.objects.filter(category__code=STATE_PROPERTY_LIST),
        required=False,
        empty_label=_("None: the category only"),
    )
    unit = forms.ModelChoiceField(
        label=_("Unit (for findings naming none)"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label="—",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # The owning units in the user's view (the action refuses one the user may not add problems to).
        units = restrict(Unit.objects.filter(parent=None), user).order_by("kind", "order", "code")
        cast(forms.ModelChoiceField, self.fields["unit"]).queryset = units
