"""The columns of the letters list and of the recipients list (the units' responses)."""

from django.utils.translation import gettext_lazy as _

from ducha.core.registry import Column


def issuer(letter) -> str:
    """Who issued a letter: its group, or the campaign office."""
    return letter.group.name if letter.group else str(_("Campaign office"))


def decision(recipient) -> str:
    if recipient.accepted is None:
        return str(_("awaiting decision")) if recipient.responded_on else ""
    return str(_("accepted")) if recipient.accepted else str(_("refused"))


KIND = Column(_("kind"), lambda o: o.get_kind_display(), "kind", nowrap=True)

LETTER_COLUMNS = (
    Column(_("issued on"), lambda o: o.issued_on, "issued_on", link=True),
    KIND,
    Column(_("document number"), lambda o: o.number, "number", nowrap=True),
    Column(_("title"), lambda o: o.title, "title", link=True),
    Column(_("issued by"), issuer, "group__code", nowrap=True),
    Column(_("respond by"), lambda o: o.respond_by, "respond_by"),
)

RECIPIENT_COLUMNS = (
    Column(_("unit"), lambda o: o.unit.name, "unit__order", link=True, nowrap=True),
    Column(_("title"), lambda o: o.letter.title, "letter__title", link=True),
    Column(_("kind"), lambda o: o.letter.get_kind_display(), "letter__kind", nowrap=True),
    Column(_("issued by"), lambda o: issuer(o.letter), nowrap=True),
    Column(_("issued on"), lambda o: o.letter.issued_on, "letter__issued_on"),
    Column(_("respond by"), lambda o: o.letter.respond_by, "letter__respond_by"),
    Column(_("responded on"), lambda o: o.responded_on, "responded_on"),
    Column(_("decision"), decision, nowrap=True),
)
