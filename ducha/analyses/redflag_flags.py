"""A red-flag run's flags as RedFlag rows: the bid rows behind each with their values as
read, the lot, buyer and bidder the scope names, and the project and unit it concerns.

The unit: a flag whose rows share one 项目编号 that exactly one project of the campaign
has (a number is unique per unit only) gets that project and its unit; otherwise the
buyer (招标人) resolved as the comparison resolves names (analyses/findings.UnitNames). A
project or unit the run's user may not see is left out, as in the comparison."""

from typing import Any

import pyarrow as pa

from ducha.analyses.findings import UnitNames
from ducha.analyses.models import RedFlag, RedFlagRun
from ducha.core.access import Actor, restrict
from ducha.ledger.models import Project
from ducha.org.models import Unit


def flag_objects(
    run: RedFlagRun, flags: pa.Table, read: dict[int, list[dict[str, Any]]], actor: Actor
) -> list[RedFlag]:
    """The flags, unsaved, for the run; `read`: the evidence rows' values by row number
    (the file's, analyses/platform.rows_as_read, or the model's, collusion.model_rows)."""
    found = flags.to_pylist()
    numbers = {str(r.get("项目编号") or "") for rs in read.values() for r in rs} - {""}
    projects = _projects(run, numbers, actor)
    units = UnitNames(actor)
    buyers_unit = _BuyerUnits(units)
    objects = []
    for f in found:
        rows = [r for n in f["rows"] for r in read.get(n, [])]
        buyers = {str(r.get("招标人") or "") for r in rows} - {""}
        project_numbers = {str(r.get("项目编号") or "") for r in rows}
        buyer = f["id"] if f["scope"] == "buyer" else (next(iter(buyers)) if len(buyers) == 1 else "")
        project = projects.get(project_numbers.pop()) if len(project_numbers) == 1 else None
        unit = project.unit if project is not None else buyers_unit(buyer)
        objects.append(
            RedFlag(
                run=run,
                indicator=f["indicator"],
                scope_kind=f["scope"],
                subject=(f["id"] or "")[:255],
                value=f["value"],
                explanation=f["explanation"] or "",
                rows=f["rows"],
                row_values=rows,
                lot=(f["id"] if f["scope"] == "lot" else "")[:255],
                buyer=buyer[:255],
                bidder=(f["id"] if f["scope"] == "bidder" else "")[:255],
                unit=unit if unit is None or unit.pk in units.visible else None,
                project=project,
            )
        )
    return objects


class _BuyerUnits:
    """A buyer's unit: its name resolved (鄂尔多斯市市场监督管理局), else the league/city its
    name begins with (呼和浩特市卫生健康委员会 → 呼和浩特市); departments are named in full."""

    def __init__(self, units: UnitNames):
        self.units = units
        self.known: dict[str, Unit | None] = {}
        self.leagues = sorted(Unit.objects.filter(parent=None), key=lambda u: -len(u.name))

    def __call__(self, buyer: str) -> Unit | None:
        if not buyer:
            return None
        if buyer not in self.known:
            unit = self.units.resolve(buyer)
            self.known[buyer] = unit or next((u for u in self.leagues if buyer.startswith(u.name)), None)
        return self.known[buyer]


def _projects(run: RedFlagRun, numbers: set[str], actor: Actor) -> dict[str, Project]:
    """{number: project} for the numbers exactly one project of the campaign has, when the actor sees it."""
    found: dict[str, list[Project]] = {}
    projects = Project.objects.filter(campaign=run.campaign, number__in=numbers)
    for project in projects.select_related("unit"):
        found.setdefault(project.number, []).append(project)
    visible = set(restrict(projects, actor).values_list("pk", flat=True))
    return {number: ps[0] for number, ps in found.items() if len(ps) == 1 and ps[0].pk in visible}
