"""`ducha translations`: bring the catalogues in ducha/locale in step with the code.

1. `makemessages` extracts every marked string of every app into the one catalogue
   per language under LOCALE_PATHS (ducha/locale/<lang>/LC_MESSAGES/django.po);
2. the English catalogue gets msgstr = msgid (the source strings are English);
3. headers are normalised (Language, Plural-Forms, no fuzzy header);
4. `compilemessages` writes the .mo files, which are committed: the running
   server does not need gettext;
5. the zh_Hans entries that still need a translator (empty or fuzzy) are listed and
   the command fails until there are none. Translate them in the .po, run again.

Needs GNU gettext (xgettext, msgmerge, msgfmt) and polib: development tools only.
docs/architecture.md, "Translations", has the whole procedure;
ducha/core/tests/test_translations.py fails while a catalogue is incomplete.
"""

import os
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

# The catalogue languages (gettext locale names) and their plural rules.
PLURAL_FORMS = {
    "zh_Hans": "nplurals=1; plural=0;",
    "en": "nplurals=2; plural=(n != 1);",
}
SOURCE_LANGUAGE = "en"


def makemessages_options(locales: list[str]) -> dict:
    """The options both this command and the catalogue test run makemessages with
    (from the ducha/ package directory). A fresh dict each time: makemessages
    appends to the ignore list it is given."""
    return {
        "locale": list(locales),
        "ignore_patterns": ["tests", "migrations", "static", "conftest.py", "testing.py"],
        "no_obsolete": True,
        "add_location": "file",
        "verbosity": 0,
    }


def locale_dir() -> Path:
    return Path(settings.LOCALE_PATHS[0])


def po_path(language: str, root: Path | None = None) -> Path:
    return (root or locale_dir()) / language / "LC_MESSAGES" / "django.po"


def normalise_header(po, language: str) -> None:
    po.header = (
        f"Ducha (督查): the {language} catalogue of every app's strings.\n"
        "Update with `ducha translations`; see docs/architecture.md, Translations."
    )
    po.metadata["Project-Id-Version"] = "ducha"
    for name in ("Last-Translator", "Language-Team"):
        po.metadata[name] = "Ducha"
    po.metadata["Language"] = language
    po.metadata["Plural-Forms"] = PLURAL_FORMS[language]
    po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    po.metadata_is_fuzzy = []  # a fuzzy header is skipped by msgfmt, plural rules and all


def fill_source_language(po) -> int:
    """msgstr = msgid for every entry (plural: msgid, msgid_plural); returns how many changed."""
    changed = 0
    for entry in po:
        if entry.obsolete:
            continue
        if entry.msgid_plural:
            wanted = {0: entry.msgid, 1: entry.msgid_plural}
            if entry.msgstr_plural != wanted:
                entry.msgstr_plural = wanted
                changed += 1
        elif entry.msgstr != entry.msgid:
            entry.msgstr = entry.msgid
            changed += 1
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
            changed += 1
        entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
    return changed


def needs_translation(po) -> list:
    """Entries a translator still has to look at: untranslated or fuzzy."""
    return [e for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]


class Command(BaseCommand):
    help = (
        "Update the translation catalogues in ducha/locale: extract, fill the English "
        "catalogue, compile; lists the zh_Hans entries still to translate."
    )

    def handle(self, *args, **options):
        import polib  # a development dependency, like gettext itself

        package_dir = Path(settings.BASE_DIR)
        cwd = Path.cwd()
        os.chdir(package_dir)  # so that every app's strings land in LOCALE_PATHS, none in app locale/ dirs
        try:
            call_command("makemessages", **makemessages_options(list(PLURAL_FORMS)))
            for language in PLURAL_FORMS:
                po = polib.pofile(str(po_path(language)), wrapwidth=79)
                normalise_header(po, language)
                if language == SOURCE_LANGUAGE:
                    fill_source_language(po)
                po.save()
            call_command("compilemessages", locale=list(PLURAL_FORMS), verbosity=0)
        finally:
            os.chdir(cwd)

        todo = []
        for language in PLURAL_FORMS:
            po = polib.pofile(str(po_path(language)))
            todo += [(language, e) for e in needs_translation(po)]
            self.stdout.write(f"{po_path(language)}: {len(po)} entries, {po.percent_translated()}% translated")
        if todo:
            for language, entry in todo:
                state = "fuzzy" if "fuzzy" in entry.flags else "untranslated"
                where = ", ".join(path for path, _line in entry.occurrences)
                context = f" [context {entry.msgctxt}]" if entry.msgctxt else ""
                self.stderr.write(f"{language} {state}: {entry.msgid!r}{context} ({where})")
            raise CommandError(
                f"{len(todo)} entries need a translation: edit the .po file(s), "
                "remove the fuzzy flags you checked, then run `ducha translations` again."
            )
