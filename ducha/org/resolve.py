"""Find a unit from what people type: a code, today's name, a short or former name."""

import unicodedata

from ducha.org.models import Unit

_SUFFIXES = ("市", "盟", "旗", "县", "区")


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().replace(" ", "")


def _short(name: str) -> str:
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > 2:
            return name[: -len(suffix)]
    return name


def resolve_unit(text: str, *, parent: Unit | None = None) -> Unit | None:
    """The unit `text` names, or None. With `parent`, only counties inside it.

    伊克昭盟 → 鄂尔多斯市 (former name), 鄂尔多斯 → 鄂尔多斯市 (short name),
    150600 → 鄂尔多斯市 (GB/T 2260 code)."""
    wanted = _normalise(text)
    if not wanted:
        return None
    units = list(Unit.objects.filter(parent=parent) if parent else Unit.objects.all())
    for match in (
        lambda u: u.code == wanted,
        lambda u: u.name == wanted,
        lambda u: wanted in u.former_names,
        lambda u: _short(u.name) == _short(wanted),
    ):
        found = [u for u in units if match(u)]
        if len(found) == 1:
            return found[0]
        if found:
            # Prefer a league/city to a county of the same name (通辽市 the city vs an old county).
            tops = [u for u in found if u.parent_id is None]
            if len(tops) == 1:
                return tops[0]
    return None
