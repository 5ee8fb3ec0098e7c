"""The translation catalogues in ducha/locale: complete, compiled, and holding every
string the code marks for translation.

When a test here fails: run `ducha translations` (from anywhere; it works in the
package directory), translate the zh_Hans entries it lists in
ducha/locale/zh_Hans/LC_MESSAGES/django.po, remove the fuzzy flags you checked, run
it again. docs/architecture.md, "Translations", has the details.
"""

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import translation

from ducha.core.management.commands.translations import (
    PLURAL_FORMS,
    SOURCE_LANGUAGE,
    makemessages_options,
    po_path,
)

FIX = "run `ducha translations`, translate what it lists, run it again (docs/architecture.md, Translations)"
LANGUAGES = list(PLURAL_FORMS)
# Django's language code for each catalogue (zh_Hans → zh-hans).
DJANGO_CODES = {"zh_Hans": "zh-hans", "en": "en"}

# printf style (%(name)s, %s, %d ...) and str.format style ({name}, {0}, {}).
PLACEHOLDER = re.compile(
    r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]"
    r"|%[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGc]"
    r"|\{\w*(?:[.!:][^{}]*)?\}"
)
CJK = re.compile(r"[\u4e00-\u9fff]")


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text.replace("%%", "")))


def catalogue(language: str) -> polib.POFile:
    path = po_path(language)
    assert path.is_file(), f"{path} is missing: {FIX}"  # polib would parse the path itself as a catalogue
    return polib.pofile(str(path))


def key(entry) -> tuple[str | None, str, str]:
    return (entry.msgctxt or None, entry.msgid, entry.msgid_plural or "")


def describe(entry) -> str:
    context = f" [context {entry.msgctxt}]" if entry.msgctxt else ""
    where = ", ".join(path for path, _line in entry.occurrences)
    return f"{entry.msgid!r}{context} ({where})"


def forms(entry) -> Iterator[tuple[str, str]]:
    """(msgstr form, the source text it translates) for every form of an entry."""
    if not entry.msgid_plural:
        yield entry.msgstr, entry.msgid
        return
    for index, text in sorted(entry.msgstr_plural.items()):
        # With one plural form (Chinese) form 0 stands for every n: the plural source.
        yield text, entry.msgid if index == 0 and len(entry.msgstr_plural) > 1 else entry.msgid_plural


@pytest.fixture(params=LANGUAGES)
def language(request) -> str:
    return request.param


def test_one_catalogue_per_language_under_locale_paths():
    locale_dir = Path(settings.BASE_DIR) / "locale"
    assert [Path(p) for p in settings.LOCALE_PATHS] == [locale_dir]
    for language in LANGUAGES:
        assert po_path(language).is_file(), f"{po_path(language)} is missing: {FIX}"
        assert po_path(language).with_suffix(".mo").is_file(), f"{language} is not compiled: {FIX}"
    # Every app's strings go to ducha/locale, never to an app's own locale/ directory.
    strays = [p for p in Path(settings.BASE_DIR).rglob("locale") if p.is_dir() and p != locale_dir]
    assert strays == [], f"app-level locale directories: {strays}; {FIX}"


def test_header(language):
    po = catalogue(language)
    assert po.metadata.get("Language") == language
    assert po.metadata.get("Plural-Forms") == PLURAL_FORMS[language]
    assert not po.metadata_is_fuzzy, "a fuzzy header is skipped by msgfmt, plural rules and all"


def test_every_entry_translated_none_fuzzy(language):
    po = catalogue(language)
    assert len(po) > 0
    untranslated = [describe(e) for e in po.untranslated_entries()]
    fuzzy = [describe(e) for e in po.fuzzy_entries()]
    obsolete = [describe(e) for e in po.obsolete_entries()]
    assert untranslated == [], f"{language}: {len(untranslated)} untranslated: {untranslated}; {FIX}"
    assert fuzzy == [], f"{language}: {len(fuzzy)} fuzzy (check, then remove the flag): {fuzzy}"
    assert obsolete == [], f"{language}: obsolete entries: {obsolete}; {FIX}"


def test_placeholders_preserved(language):
    wrong = []
    for entry in catalogue(language):
        for text, source in forms(entry):
            if placeholders(text) != placeholders(source):
                wrong.append(f"{describe(entry)}: {sorted(placeholders(source))} → {text!r}")
    assert wrong == [], f"{language}: placeholders changed in translation: {wrong}"


def test_english_catalogue_is_the_source_text():
    wrong = [describe(e) for e in catalogue(SOURCE_LANGUAGE) for text, source in forms(e) if text != source]
    assert wrong == [], f"en msgstr differs from msgid: {wrong}; {FIX}"


def test_chinese_catalogue_is_chinese():
    # An English string copied into the Chinese catalogue is not a translation.
    wrong = [describe(e) for e in catalogue("zh_Hans") for text, _source in forms(e) if not CJK.search(text)]
    assert wrong == [], f"zh_Hans entries without any Chinese: {wrong}"


def _translations(entries) -> dict:
    return {
        key(e): tuple(e.msgstr_plural[i] for i in sorted(e.msgstr_plural)) if e.msgid_plural else e.msgstr
        for e in entries
        if e.msgid  # the header
    }


def test_compiled_catalogue_matches_po(language):
    po = catalogue(language)
    mo = polib.mofile(str(po_path(language).with_suffix(".mo")))
    assert mo.metadata.get("Plural-Forms") == PLURAL_FORMS[language], f"the .mo is stale: {FIX}"
    compiled, source = _translations(mo), _translations(po.translated_entries())
    stale = sorted({k for k in compiled.keys() | source.keys() if compiled.get(k) != source.get(k)}, key=str)
    assert stale == [], f"{language}: the .mo differs from the .po for {stale}: {FIX}"


def served(entry) -> str:
    """What Django's gettext returns for the entry (plural: for n = 2)."""
    if entry.msgid_plural:
        if entry.msgctxt:
            return translation.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, 2)
        return translation.ngettext(entry.msgid, entry.msgid_plural, 2)
    if entry.msgctxt:
        return translation.pgettext(entry.msgctxt, entry.msgid)
    return translation.gettext(entry.msgid)


def test_django_serves_the_chinese_catalogue():
    po = catalogue("zh_Hans")
    with translation.override(DJANGO_CODES["zh_Hans"]):
        wrong = [
            f"{describe(e)}: {served(e)!r} instead of {want!r}"
            for e in po
            if served(e) != (want := e.msgstr_plural[0] if e.msgid_plural else e.msgstr)
        ]
        assert translation.gettext("Sign in") == "登录"
    assert wrong == [], f"Django does not serve the zh_Hans catalogue as written: {wrong}; {FIX}"
    with translation.override(DJANGO_CODES["en"]):
        assert translation.gettext("Sign in") == "Sign in"


def test_catalogue_holds_every_marked_string(tmp_path, settings, monkeypatch):
    """Extract the strings from a copy of the package, exactly as `ducha translations`
    does, and compare with the committed catalogues (about two seconds)."""
    if not (shutil.which("xgettext") and shutil.which("msgmerge")):
        pytest.skip("GNU gettext (xgettext, msgmerge) is not installed")
    committed = {language: catalogue(language) for language in LANGUAGES}
    package = tmp_path / "ducha"
    shutil.copytree(
        settings.BASE_DIR,
        package,
        ignore=shutil.ignore_patterns("locale", "static", "__pycache__", "*.pyc", "*.mo", "*.po"),
    )
    settings.LOCALE_PATHS = [package / "locale"]
    monkeypatch.chdir(package)
    call_command("makemessages", **makemessages_options([SOURCE_LANGUAGE]), keep_pot=True)
    marked = {key(e): e for e in polib.pofile(str(package / "locale" / "django.pot")) if e.msgid}
    assert marked, "makemessages found no strings at all"
    for language in LANGUAGES:
        held = {key(e): e for e in committed[language]}
        missing = [describe(marked[k]) for k in sorted(marked.keys() - held.keys(), key=str)]
        stale = [describe(held[k]) for k in sorted(held.keys() - marked.keys(), key=str)]
        assert missing == [], f"{language}: marked in the code but not in the catalogue: {missing}; {FIX}"
        assert stale == [], f"{language}: in the catalogue but no longer in the code: {stale}; {FIX}"
