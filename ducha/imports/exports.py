"""The full-field export of the project and problem ledgers in the import layout
(layouts.py): every column of the template, with the values written the way the importer
reads them back, so that importing an export changes nothing.

    ledger_rows(kind, queryset, user) -> iterator of rows (one list per record, in the
                                         order of the layout's columns)

The queryset is the caller's (already scoped and filtered); records are read in chunks.
Amounts are 万元 numbers (exact: a value a spreadsheet number cannot hold exactly is
written as text), dates are dates, flags 是/否, statuses and methods their Chinese words,
units their names, catalogue entries their names (their codes when a name is not unique)."""

from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from itertools import islice
from typing import Any

from django.db.models import Prefetch

from ducha.core.access import restrict
from ducha.imports.layouts import PROBLEM_COLUMNS, PROJECT_COLUMNS, Column
from ducha.imports.problems import AUTHORITY_WORDS, DISCOVERY_WORDS, STATUS_NAMES
from ducha.imports.values import clean_header
from ducha.ledger.choices import ProblemStatus
from ducha.ledger.models import (
    ClueTransfer,
    ExposedCase,
    FiledCase,
    MarketEntityType,
    ProblemCategory,
    ProblemItem,
    RectificationStep,
)
from ducha.org.choices import UnitKind

CHUNK = 2000
_YUAN_PER_WAN = Decimal(10000)
DISCOVERY_NAMES = {v: k for k, v in DISCOVERY_WORDS.items()}
AUTHORITY_NAMES = {v: k for k, v in AUTHORITY_WORDS.items()}


def columns_of(kind: str) -> Sequence[Column]:
    return PROJECT_COLUMNS if kind == "projects" else PROBLEM_COLUMNS


def headers_of(kind: str) -> list[str]:
    return [c.header for c in columns_of(kind)]


def wan_yuan(amount: Decimal | None) -> float | str | None:
    """Yuan as 万元: a number when a spreadsheet's double holds it exactly as written
    (15 significant digits), else the exact decimal as text (the importer reads both)."""
    if amount is None:
        return None
    wan = amount / _YUAN_PER_WAN
    text = format(wan.normalize(), "f")
    if len(text.replace(".", "").lstrip("0")) <= 15:
        return float(wan)
    return text


def yes_no(flag: bool) -> str:
    return "是" if flag else "否"


def catalogue_labels(objects: Iterable[Any]) -> dict[int, str]:
    """Each entry's name, or its code when another entry has the same name (the importer
    finds an entry by a name only when the name is unique)."""
    objects = list(objects)
    counts: dict[str, int] = {}
    for o in objects:
        counts[clean_header(o.name)] = counts.get(clean_header(o.name), 0) + 1
    return {o.pk: o.name if counts[clean_header(o.name)] == 1 else o.code for o in objects}


def _chunks(queryset, size: int = CHUNK) -> Iterator[list]:
    iterator = queryset.iterator(chunk_size=size)
    while chunk := list(islice(iterator, size)):
        yield chunk


def ledger_rows(kind: str, queryset, user) -> Iterator[list]:
    if kind == "projects":
        return project_rows(queryset)
    if kind == "problems":
        return problem_rows(queryset, user)
    raise ValueError(kind)


def _owner(unit) -> tuple[str, str]:
    """(所属盟市, 主管部门) of a record's owning unit."""
    return (unit.name, "") if unit.kind == UnitKind.LEAGUE else ("", unit.name)


def project_rows(queryset) -> Iterator[list]:
    qs = queryset.select_related("unit", "county", "domain", "project_type")
    seq = 0
    for chunk in _chunks(qs):
        for p in chunk:
            seq += 1
            league, department = _owner(p.unit)
            yield [
                seq,
                p.number,
                p.name,
                p.domain.short_name,
                p.project_type.name if p.project_type else "",
                league,
                p.county.name if p.county else "",
                department,
                p.tenderer,
                p.tenderer_uscc,
                p.agency,
                p.winner,
                p.winner_uscc,
                wan_yuan(p.amount),
                p.trade_date,
                p.platform_code,
                yes_no(p.self_inspected),
                yes_no(p.sampled),
                yes_no(p.verified),
                p.remarks,
            ]


def problem_rows(queryset, user) -> Iterator[list]:
    categories = catalogue_labels(ProblemCategory.objects.all())
    items = catalogue_labels(ProblemItem.objects.all())
    entity_types = catalogue_labels(MarketEntityType.objects.all())
    last_steps = Prefetch(
        "steps",
        queryset=RectificationStep.objects.filter(
            to_status__in=(ProblemStatus.SIGNED_OFF, ProblemStatus.DISMISSED)
        ).order_by("acted_at", "pk"),
        to_attr="closing_steps",
    )
    qs = queryset.select_related("unit", "project").prefetch_related(last_steps)
    seq = 0
    for chunk in _chunks(qs):
        ids = [p.pk for p in chunk]
        clues: dict[int, str] = {}
        for problem_id, authority in (
            restrict(ClueTransfer.objects.filter(problem_id__in=ids), user).order_by("pk").values_list(
                "problem_id", "authority")
        ):  # fmt: skip
            clues.setdefault(problem_id, authority)
        filed = set(restrict(FiledCase.objects.filter(problem_id__in=ids), user).values_list("problem_id", flat=True))
        exposed = set(
            restrict(ExposedCase.objects.filter(problem_id__in=ids), user).values_list("problem_id", flat=True)
        )
        for p in chunk:
            seq += 1
            opinion = next((s.opinion for s in reversed(p.closing_steps) if s.to_status == "signed_off"), "")
            reason = next((s.reason for s in reversed(p.closing_steps) if s.to_status == "dismissed"), "")
            yield [
                seq,
                p.number,
                p.project.number if p.project else "",
                p.unit.name,
                categories.get(p.category_id, "") if p.category_id else "",
                items.get(p.item_id, "") if p.item_id else "",
                entity_types.get(p.entity_type_id, "") if p.entity_type_id else "",
                p.description,
                DISCOVERY_NAMES.get(p.discovery_method, p.discovery_method),
                p.found_on,
                p.measures,
                p.deadline,
                STATUS_NAMES[ProblemStatus(p.status)],
                p.rectified_on,
                opinion if p.status == ProblemStatus.SIGNED_OFF else "",
                reason if p.status == ProblemStatus.DISMISSED else "",
                yes_no(p.pk in clues),
                AUTHORITY_NAMES.get(clues[p.pk], "") if p.pk in clues else "",
                yes_no(p.pk in filed),
                yes_no(p.pk in exposed),
                p.responsible,
                p.remarks,
            ]
