"""How the summary report writes numbers and sentences, as the seed account writes them
(shared/seed): "自查9651个项目，抽查4058个项目", "移交问题线索6条", "共督导30余次".

A sentence is a list of parts: text, and `Figure`s (a figure from the statistics, the way
it is written, and the list behind it). Sentences only format figures; none is computed."""

import datetime as dt
from dataclasses import dataclass, field

DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一 (headings and 一是、二是 run below a hundred)."""
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    return (DIGITS[tens] if tens > 1 else "") + ("十" if tens else "") + (DIGITS[ones] if ones else "")


def ordinal(n: int) -> str:
    """The n-th item of a paragraph list: 一是, 二是 …"""
    return f"{chinese_number(n)}是"


def chinese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


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
