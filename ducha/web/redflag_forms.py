"""The red-flag pages' forms: the upload of the data file (and a settings file),
the flags' filters, and turning chosen flags into problems (the unit for flags naming none)."""

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from ducha.analyses.models import RedFlagRun
from ducha.analyses.redflag_files import check_data_file, source_of
from ducha.analyses.redflag_settings import read_settings, refusal
from ducha.analytics.redflags.collusion import ALL as INDICATORS
from ducha.analytics.redflags.settings import SettingsError
from ducha.imports.reading import FileRefused
from ducha.org.models import Domain, Unit
from ducha.web.comparison_forms import TurnForm as ComparisonTurnForm
from ducha.web.listing import search


class UploadForm(forms.Form):
    """The data file — the platform's bids or OCDS compiled releases, the kind chosen or told
    by its name — is checked on its size and first bytes before anything is stored (never
    read whole here); the settings file (INI, Cardinal's and the CN- sections) is read and
    checked at once, its error at its field."""

    source = forms.ChoiceField(
        label=_("Kind of data"), required=False,
        choices=[("", _("By the file's name")), *RedFlagRun.Source.choices],
    )  # fmt: skip
    bids = forms.FileField(label=_("Data file"),
                           help_text=_("the platform's bids (.xlsx or .csv, one row per bid) or OCDS compiled "
                                       "releases (.jsonl)"))  # fmt: skip
    settings_file = forms.FileField(label=_("Settings file (optional)"), required=False,
                                    help_text=_("INI: the indicators' parameters"))  # fmt: skip

    def clean(self):
        cleaned = super().clean() or {}
        upload = cleaned.get("bids")
        if upload is not None:
            try:
                cleaned["source"] = source_of(upload.name, cleaned.get("source") or "")
                check_data_file(upload.name, upload.size, upload.chunks, cleaned["source"])
            except FileRefused as refused:
                self.add_error("bids", str(refused.message) % refused.params)
        text = ""
        if (settings := cleaned.get("settings_file")) is not None:
            try:
                text = b"".join(settings.chunks()).decode("utf-8-sig")
                read_settings(text)
            except UnicodeDecodeError as error:
                self.add_error("settings_file", _("Not a settings file: %(error)s") % {"error": error})
            except SettingsError as error:
                self.add_error("settings_file", refusal(error))
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
