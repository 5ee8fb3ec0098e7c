"""A run's findings as ComparisonFinding rows: the engine's rule by its key, the unit the
source rows name (resolved as imports resolve units: org.resolve), the rows' values as
read (header → value), for the page and the evidence workbook."""

import datetime as dt
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from ducha.analyses.comparison import SOURCES
from ducha.analyses.comparison import Comparison as Compared
from ducha.analyses.models import Comparison, ComparisonFinding
from ducha.analytics.reconcile import RULES
from ducha.core.access import Actor, restrict
from ducha.org.models import Unit
from ducha.org.resolve import resolve_unit

RULE_KEYS = {text: key for key, text in RULES.items()}
ROWS_FIELD = {"exchange": "exchange_rows", "registry": "registry_rows", "self_reports": "self_rows"}
ROW_HEADER = "行号"  # the row in the source file, first in each source's rows
# Where the sources name the unit a finding concerns, in this order; a registry names its
# authority (鄂尔多斯市市场监督管理局), whose region is the unit.
_UNIT_COLUMNS = (("exchange", "league"), ("self_reports", "reporter"), ("registry", "authority"))
_AUTHORITY_SUFFIXES = ("市场监督管理局", "市场监管局", "行政审批和政务服务局")


def finding_objects(run: Comparison, compared: Compared, actor: Actor) -> list[ComparisonFinding]:
    """The findings of `compared`, unsaved, for the run; a unit the actor may not see is
    left out (its name kept), since the run's findings are the actor's to act on."""
    found = compared.result.findings.to_pylist()
    wanted: dict[str, set[int]] = {kind: set() for kind in SOURCES}
    for f in found:
        for kind, field in ROWS_FIELD.items():
            wanted[kind].update(f[field])
    read = {kind: _rows_as_read(kind, compared.tables[kind], wanted[kind]) for kind in SOURCES}
    units = UnitNames(actor)
    objects = []
    for f in found:
        rows = {kind: [read[kind][n] for n in f[field] if n in read[kind]] for kind, field in ROWS_FIELD.items()}
        named, unit = units.named_in(rows)
        objects.append(
            ComparisonFinding(
                comparison=run,
                finding=f["finding"],
                rule=RULE_KEYS.get(f["rule"], f["rule"])[:40],
                enterprise=(f["enterprise"] or "")[:64],
                enterprise_name=(f["enterprise_name"] or "")[:255],
                date=f["date"],
                unit=unit,
                unit_named=named[:100],
                exchange_rows=f["exchange_rows"],
                registry_rows=f["registry_rows"],
                self_rows=f["self_rows"],
                source_values=rows,
                evidence=f["evidence"] or "",
            )
        )
    return objects


def _rows_as_read(kind: str, table: pa.Table, numbers: set[int]) -> dict[int, dict[str, Any]]:
    """{row: {行号: row, header: value}} of the rows asked for, headers as the layout writes them."""
    headers = {key: header for header, key in SOURCES[kind][0].items()}
    if not numbers:
        return {}
    chosen = table.filter(pc.is_in(table["row"], value_set=pa.array(sorted(numbers), pa.int64())))
    out = {}
    for record in chosen.to_pylist():
        values = {ROW_HEADER: record["row"]}
        values |= {headers[key]: _plain(record.get(key)) for key in headers}
        out[record["row"]] = values
    return out


def _plain(value: Any) -> Any:
    """A value as JSON keeps it: a date as 2024-06-01, 30.0 as 30."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


class UnitNames:
    """Unit names resolved once each; a county stands for its league/city (a problem's
    owning unit); a unit outside the actor's view is none."""

    def __init__(self, actor: Actor):
        self.visible = set(restrict(Unit.objects.filter(parent=None), actor).values_list("pk", flat=True))
        self.known: dict[str, Unit | None] = {}

    def named_in(self, rows: dict[str, list[dict]]) -> tuple[str, Unit | None]:
        """The first name in the rows that is a unit's, and that unit if the actor sees it
        (else the first name written, and none)."""
        first = ""
        for kind, key in _UNIT_COLUMNS:
            header = next(h for h, k in SOURCES[kind][0].items() if k == key)
            for row in rows[kind]:
                text = str(row.get(header) or "").strip()
                if text and (unit := self.resolve(text)) is not None:
                    return text, unit if unit.pk in self.visible else None
                first = first or text
        return first, None

    def resolve(self, text: str) -> Unit | None:
        if text not in self.known:
            self.known[text] = self._resolve(text)
        return self.known[text]

    def _resolve(self, text: str) -> Unit | None:
        for suffix in _AUTHORITY_SUFFIXES:
            text = text.removesuffix(suffix)
        unit = resolve_unit(text)
        return unit.parent if unit is not None and unit.parent_id is not None else unit
