"""The red-flag settings file on the Django side: read and checked whole (every section an
indicator's, every key one its section takes), its refusal in the user's language (the
engine's msgid translated, then its values put in)."""

from pathlib import Path

from django.utils.translation import gettext

from ducha.analytics.redflags import settings as redflag_settings
from ducha.analytics.redflags.collusion import check_settings
from ducha.analytics.redflags.settings import Settings, SettingsError


def read_settings(text: str | None = None, path: str | Path | None = None) -> Settings:
    """The settings from their text or file (neither: Cardinal's defaults, all enabled)."""
    settings = redflag_settings.from_text(text) if text is not None else redflag_settings.load(path)
    check_settings(settings)
    return settings


def refusal(error: SettingsError) -> str:
    return gettext(error.message) % error.params
