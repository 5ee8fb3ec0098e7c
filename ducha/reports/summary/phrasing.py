"""How the summary report writes numbers and sentences, as the seed account writes them
(shared/seed): "自查9651个项目，抽查4058个项目", "移交问题线索6条", "共督导30余次".

A sentence is a list of parts: text, and `Figure`s (a figure from the statistics, the way
it is written, and the list behind it). Sentences only format figures; none is computed."""

from dataclasses import dataclass, field

from ducha.reports.chinese import chinese_number


def ordinal(n: int) -> str:
    """The n-th item of a paragraph list: 一是, 二是 …"""
    return f"{chinese_number(n)}是"


def about(n: int) -> str:
    """A count of supervision activity as officials write it: 20 or more rounded down to
    the ten with 余 ("64" → "60余"); a round ten or less than 20 exactly (余 means "more than")."""
    if n >= 20 and n % 10:
        return f"{n // 10 * 10}余"
    return str(n)


@dataclass(frozen=True)
class Trace:
    """The list behind a figure: a ledger (its registry key) or page (URL name), and its
    filters; the report adds the group and the as-of date."""

    target: str
    filters: tuple[tuple[str, str], ...] = ()
    by_group: bool = True


@dataclass(frozen=True)
class Figure:
    key: str  # the statistics' key ("problems", "supervision.contacts_phone")
    value: int
    text: str  # as written: "1105", "60余"
    trace: Trace | None = None


Part = str | Figure


@dataclass
class Sentence:
    """Parts joined into text; `add` appends "<before><figure><after>" when the figure is
    not zero (or `always`)."""

    parts: list[Part] = field(default_factory=list)

    def say(self, text: str) -> "Sentence":
        self.parts.append(text)
        return self

    def add(self, before: str, figure: Figure, after: str, *, always: bool = False) -> bool:
        if figure.value == 0 and not always:
            return False
        if before:
            self.parts.append(before)
        self.parts.append(figure)
        self.parts.append(after)
        return True

    @property
    def empty(self) -> bool:
        return not any(isinstance(p, Figure) for p in self.parts)


def list_join(items: list[list[Part]], *, separator: str = "，") -> list[Part]:
    """Clauses joined by the separator."""
    joined: list[Part] = []
    for index, item in enumerate(items):
        if index:
            joined.append(separator)
        joined.extend(item)
    return joined


def plain_text(parts: list[Part]) -> str:
    return "".join(p if isinstance(p, str) else p.text for p in parts)
