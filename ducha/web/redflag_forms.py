"""The red-flag pages' forms: the upload of the platform bid file (and a settings file),
the flags' filters, and turning chosen flags into problems (the unit for flags naming none)."""

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from ducha.analytics.redflags import settings as redflag_settings
from ducha.analytics.redflags.collusion import INDICATORS, parameters
from ducha.imports.reading import FileRefused, check_file
from ducha.org.models import Domain, Unit
from ducha.web.comparison_forms import TurnForm as ComparisonTurnForm
from ducha.web.listing import search


class UploadForm(forms.Form):
    """The bid file is checked as ledger files are before anything is stored; the settings
    file (INI, Cardinal's and the CN- sections) is parsed at once, its error at its field."""

    bids = forms.FileField(label=_("Platform bid file"), help_text=_(".xlsx or .csv, one row per bid"))
    settings_file = forms.FileField(label=_("Settings file (optional)"), required=False,
                                    help_text=_("INI: the indicators' parameters"))  # fmt: skip

    def clean(self):
        cleaned = super().clean() or {}
        upload = cleaned.get("bids")
        if upload is not None:
            content = b"".join(upload.chunks())
            try:
                check_file(upload.name, content)
                cleaned["bids_content"] = content
            except FileRefused as refused:
                self.add_error("bids", str(refused.message) % refused.params)
        text = ""
        if (settings := cleaned.get("settings_file")) is not None:
            try:
                text = b"".join(settings.chunks()).decode("utf-8-sig")
                parsed = redflag_settings.from_text(text)
                for code in INDICATORS:  # the CN- sections' numbers are read when the run uses them
                    parameters(parsed, code)
            except (UnicodeDecodeError, redflag_settings.SettingsError) as error:
                self.add_error("settings_file", _("Not a settings file: %(error)s") % {"error": error})
        cleaned["settings_text"] = text
        return cleaned


class FilterForm(forms.Form):
    indicator = forms.ChoiceField(label=_("Indicator"), required=False)
    unit = forms.ChoiceField(label=_("Unit"), required=False)
    domain = forms.ChoiceField(label=_("Domain"), required=False)
    buyer = forms.CharField(label=_("Buyer"), required=False, max_length=100)
    bidder = forms.CharField(label=_("Bidder"), required=False, max_length=100)
    turned = forms.ChoiceField(label=_("Turned into a problem"), required=False,
                               choices=[("", "—"), ("yes", _("Yes")), ("no", _("No"))])  # fmt: skip

    def __init__(self, *args, units: list[Unit], **kwargs):
        super().__init__(*args, **kwargs)
        indicators = [(code, f"{code} {i.name_zh}") for code, i in INDICATORS.items()]
        cast(forms.ChoiceField, self.fields["indicator"]).choices = [("", "—"), *indicators]
        cast(forms.ChoiceField, self.fields["unit"]).choices = [("", "—"), *((u.code, u.name) for u in units)]
        domains = [(d.code, d.name) for d in Domain.objects.order_by("order", "code")]
        cast(forms.ChoiceField, self.fields["domain"]).choices = [("", "—"), *domains]

    def apply(self, flags):
        if not self.is_valid():
            return flags.none()
        data = self.cleaned_data
        if data["indicator"]:
            flags = flags.filter(indicator=data["indicator"])
        if data["unit"]:
            flags = flags.filter(unit__code=data["unit"])
        if data["domain"]:
            flags = flags.filter(project__domain__code=data["domain"])
        if data["turned"]:
            flags = flags.filter(problem__isnull=data["turned"] == "no")
        flags = search(flags, ("buyer",), data["buyer"])
        # a bidder flag names it; a lot flag's rows do (by name or USCC)
        return search(flags, ("bidder", "explanation"), data["bidder"])


class TurnForm(ComparisonTurnForm):
    """As the comparison's, without the item: a flag's indicator gives it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["item"]
