"""The red-flag settings file: Cardinal's INI syntax and defaults (docs/redflags.md).

One file configures every indicator. A section enables its indicator (`[R024]`, even
empty); properties before the first section are global (`currency`,
`no_price_comparison_procurement_methods`, `price_comparison_procurement_methods`);
`[exclusions] procurement_method_details` drops processes from all indicators. Comments
start with `;` or `#`, also after a value (`threshold = 15 # default`, as Cardinal's pages
write it). Lists are pipe-separated.

Cardinal's eleven indicators get typed settings (`settings.r003` … `settings.r058`, None when
the section is absent). Sections this module does not know — the Chinese platform
indicators' `[CN-SAME-DEVICE]`, `[CN-SPLIT]` … — are read through the generic accessor:
`settings.enabled("CN-SPLIT")` (the section is present), `settings.section("CN-SPLIT")`
(its raw `dict[str, str]`, empty if absent) and the typed getters `settings.integer(…)`,
`settings.decimal(…)`, `settings.pipe_list(…)`, which raise SettingsError naming the
section, the property and the reason.

A key a section does not take is refused (a misspelt `treshold` would otherwise leave the
default in force unseen); the CN- sections' keys are checked by collusion.check_settings.
Every message is an English msgid with its values apart (`SettingsError.message`,
`.params`), marked with gettext_noop: the Django side shows it translated
(analyses/redflag_settings.py); `str(error)` is the English text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

CARDINAL_CODES = ("R003", "R018", "R024", "R025", "R028", "R030", "R035", "R036", "R038", "R048", "R058")
GLOBAL = ""  # the section name of properties before the first section
_SECTION = re.compile(r"^\[\s*([^\]]+?)\s*\]$")
_INLINE_COMMENT = re.compile(r"\s+[;#].*$")


def gettext_noop(message: str) -> str:
    """Marks a msgid for the catalogue (makemessages reads the name); no Django here."""
    return message


class SettingsError(ValueError):
    """A settings file that cannot be read: the message names the section, key, value and
    reason; `message` is the msgid, `params` its values."""

    def __init__(self, message: str, **params: object):
        super().__init__(message % params)
        self.message, self.params = message, params


NOT_WHOLE = gettext_noop("Settings, section [%(section)s], key “%(key)s”: the value “%(value)s” is not a whole number.")
TOO_SMALL = gettext_noop(
    "Settings, section [%(section)s], key “%(key)s”: the value “%(value)s” is less than %(minimum)s, the least allowed."
)
NOT_DECIMAL = gettext_noop(
    "Settings, section [%(section)s], key “%(key)s”: the value “%(value)s” is not a decimal number."
)
UNKNOWN_KEY = gettext_noop(
    "Settings, section [%(section)s]: the key “%(key)s” (value “%(value)s”) is not one of this section's: %(known)s."
)
NO_KEYS = gettext_noop(
    "Settings, section [%(section)s]: the key “%(key)s” (value “%(value)s”) is not taken; this section has no keys."
)
UNKNOWN_SECTION = gettext_noop(
    "Settings: the section [%(section)s] is not an indicator's; the sections are Cardinal's (%(cardinal)s), "
    "the platform's (%(platform)s), [exclusions] and [R003.procurement_method_details]."
)
BAD_LINE = gettext_noop("Settings, line %(line)s: “%(text)s” is neither “[section]” nor “key = value”.")

# The keys each section takes (GLOBAL: the properties before the first section);
# R003.procurement_method_details takes any method's name.
KEYS: dict[str, tuple[str, ...]] = {
    GLOBAL: ("currency", "no_price_comparison_procurement_methods", "price_comparison_procurement_methods"),
    "exclusions": ("procurement_method_details",),
    "R003": ("threshold", "procurement_methods"),
    "R018": ("procurement_methods",),
    "R024": ("threshold",),
    "R025": ("percentile", "threshold"),
    "R028": (),
    "R030": (),
    "R035": ("threshold",),
    "R036": (),
    "R038": ("threshold", "minimum_submitted_bids", "minimum_contracting_processes"),
    "R048": ("digits", "threshold", "minimum_contracting_processes"),
    "R058": ("threshold",),
}


def check_keys(name: str, props: dict[str, str], known: tuple[str, ...] | list[str]) -> None:
    """A key the section does not take is refused, naming the keys it does."""
    for key, value in props.items():
        if key not in known:
            if known:
                raise SettingsError(UNKNOWN_KEY, section=name or "—", key=key, value=value, known=", ".join(known))
            raise SettingsError(NO_KEYS, section=name, key=key, value=value)


@dataclass(frozen=True)
class R003:
    threshold: int = 15
    procurement_methods: frozenset[str] | None = None  # None: every method
    procurement_method_details: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class R018:
    procurement_methods: frozenset[str] = frozenset({"open", "selective"})


@dataclass(frozen=True)
class Fence:
    """An outlier indicator whose computed fence `threshold` replaces (R024, R058)."""

    threshold: float | None = None


@dataclass(frozen=True)
class R025:
    percentile: int = 75
    threshold: float | None = None


@dataclass(frozen=True)
class R035:
    threshold: int = 1


@dataclass(frozen=True)
class R038:
    threshold: float | None = None
    minimum_submitted_bids: int = 2
    minimum_contracting_processes: int = 2


@dataclass(frozen=True)
class R048:
    digits: int = 2
    threshold: int | None = None
    minimum_contracting_processes: int = 20


@dataclass(frozen=True)
class Unconfigurable:
    """R028, R030, R036: enabled or not, nothing to set."""


@dataclass(frozen=True)
class Settings:
    sections: dict[str, dict[str, str]] = field(default_factory=dict)
    currency: str | None = None
    no_price_comparison_procurement_methods: frozenset[str] | None = None
    price_comparison_procurement_methods: frozenset[str] | None = None
    excluded_procurement_method_details: frozenset[str] = frozenset()
    r003: R003 | None = None
    r018: R018 | None = None
    r024: Fence | None = None
    r025: R025 | None = None
    r028: Unconfigurable | None = None
    r030: Unconfigurable | None = None
    r035: R035 | None = None
    r036: Unconfigurable | None = None
    r038: R038 | None = None
    r048: R048 | None = None
    r058: Fence | None = None

    # The generic accessor, for sections this module does not type.
    def enabled(self, name: str) -> bool:
        return name in self.sections

    def section(self, name: str) -> dict[str, str]:
        return dict(self.sections.get(name, {}))

    def integer(self, name: str, key: str, default: int | None = None, *, minimum: int = 0) -> int | None:
        return _integer(self.sections.get(name, {}), name, key, default, minimum)

    def decimal(self, name: str, key: str, default: float | None = None) -> float | None:
        return _decimal(self.sections.get(name, {}), name, key, default)

    def pipe_list(self, name: str, key: str) -> frozenset[str] | None:
        return _pipe_list(self.sections.get(name, {}), key)

    def enabled_cardinal(self) -> list[str]:
        return [code for code in CARDINAL_CODES if getattr(self, code.lower()) is not None]


def parse_ini(text: str) -> dict[str, dict[str, str]]:
    """Sections in file order, each a dict of properties; GLOBAL holds those before any section."""
    sections: dict[str, dict[str, str]] = {GLOBAL: {}}
    current = GLOBAL
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line[0] in ";#":
            continue
        header = _SECTION.match(line)
        if header:
            current = header.group(1)
            sections.setdefault(current, {})
            continue
        key, equals, value = line.partition("=")
        if not equals or not key.strip():
            raise SettingsError(BAD_LINE, line=number, text=raw.strip())
        sections[current][key.strip()] = _INLINE_COMMENT.sub("", value.strip()).strip()
    return sections


def load(path: str | Path | None) -> Settings:
    """Read a settings file; None gives Cardinal's defaults with every indicator enabled."""
    if path is None:
        return from_text("\n".join(f"[{code}]" for code in CARDINAL_CODES))
    return from_text(Path(path).read_text(encoding="utf-8-sig"))


def from_text(text: str) -> Settings:
    return from_sections(parse_ini(text))


def from_sections(sections: dict[str, dict[str, str]]) -> Settings:
    for name, known in KEYS.items():
        check_keys(name, sections.get(name, {}), known)
    top = sections.get(GLOBAL, {})
    s = sections.get
    return Settings(
        sections={name: dict(props) for name, props in sections.items() if name != GLOBAL},
        currency=top.get("currency") or None,
        no_price_comparison_procurement_methods=_pipe_list(top, "no_price_comparison_procurement_methods"),
        price_comparison_procurement_methods=_pipe_list(top, "price_comparison_procurement_methods"),
        excluded_procurement_method_details=_pipe_list(s("exclusions", {}), "procurement_method_details")
        or frozenset(),
        r003=_r003(sections) if "R003" in sections else None,
        r018=R018(_pipe_list(sections["R018"], "procurement_methods") or R018().procurement_methods)
        if "R018" in sections
        else None,
        r024=_fence(sections, "R024"),
        r025=R025(
            percentile=_req_int(sections["R025"], "R025", "percentile", 75),
            threshold=_decimal(sections["R025"], "R025", "threshold", None),
        )
        if "R025" in sections
        else None,
        r028=Unconfigurable() if "R028" in sections else None,
        r030=Unconfigurable() if "R030" in sections else None,
        # Cardinal raises a threshold below 1 to 1.
        r035=R035(max(1, _req_int(sections["R035"], "R035", "threshold", 1))) if "R035" in sections else None,
        r036=Unconfigurable() if "R036" in sections else None,
        r038=R038(
            threshold=_decimal(sections["R038"], "R038", "threshold", None),
            minimum_submitted_bids=_req_int(sections["R038"], "R038", "minimum_submitted_bids", 2),
            minimum_contracting_processes=_req_int(sections["R038"], "R038", "minimum_contracting_processes", 2),
        )
        if "R038" in sections
        else None,
        r048=R048(
            digits=_req_int(sections["R048"], "R048", "digits", 2, minimum=1),
            threshold=_integer(sections["R048"], "R048", "threshold", None, 0),
            minimum_contracting_processes=_req_int(sections["R048"], "R048", "minimum_contracting_processes", 20),
        )
        if "R048" in sections
        else None,
        r058=_fence(sections, "R058"),
    )


def _r003(sections: dict[str, dict[str, str]]) -> R003:
    props = sections["R003"]
    details_name = "R003.procurement_method_details"
    details = sections.get(details_name, {})
    return R003(
        threshold=_req_int(props, "R003", "threshold", 15),
        procurement_methods=_pipe_list(props, "procurement_methods"),
        procurement_method_details={key: _req_int(details, details_name, key, 0) for key in details},
    )


def _fence(sections: dict[str, dict[str, str]], name: str) -> Fence | None:
    if name not in sections:
        return None
    return Fence(_decimal(sections[name], name, "threshold", None))


def _pipe_list(props: dict[str, str], key: str) -> frozenset[str] | None:
    value = props.get(key)
    if not value:
        return None
    return frozenset(part.strip() for part in value.split("|") if part.strip())


def _req_int(props: dict[str, str], name: str, key: str, default: int, minimum: int = 0) -> int:
    value = _integer(props, name, key, default, minimum)
    assert value is not None
    return value


def _integer(props: dict[str, str], name: str, key: str, default: int | None, minimum: int) -> int | None:
    value = props.get(key, "")
    if value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise SettingsError(NOT_WHOLE, section=name, key=key, value=value) from None
    if number < minimum:
        raise SettingsError(TOO_SMALL, section=name, key=key, value=value, minimum=minimum)
    return number


def _decimal(props: dict[str, str], name: str, key: str, default: float | None) -> float | None:
    value = props.get(key, "")
    if value == "":
        return default
    try:
        return float(value)
    except ValueError:
        raise SettingsError(NOT_DECIMAL, section=name, key=key, value=value) from None
