"""Lagging units (发现问题数量较少、工作进展不均衡): the one rule, read by the group's
dashboard and `ducha lagging`.

A group's units are compared with one another (the units it supervises; a league/city
with its counties) on five criteria; each criterion that flags a unit says why in words,
and a unit with any flag lags:

1. Discovery (发现问题数量较少): problems found (those of a trading domain, dismissed
   ones included, as the statistics count problems) per self-inspected project, set against
   what the group's units find in the same trading domains: a unit's expected problems
   are its self-inspected projects in each domain times the group's rate in that domain
   (problems found ÷ projects self-inspected, all its units), and its ratio is found ÷
   expected (1 = like its peers with the same mix of domains). The ratios of the units
   with at least MIN_PROJECTS self-inspected projects are compared by a robust z-score
   (the median, and the MAD × 1.4826 as the spread; when the MAD is 0, the mean absolute
   deviation × 1.2533); a z of −2 or below flags, when the ratio is also at most 0.8.
2. Sign-off rate (工作进展不均衡): the same z-score over the sign-off rates of the units
   with at least MIN_PROBLEMS problems; −2 or below flags, when also 5 points (MIN_GAP)
   under the median.
3. Overdue problems: the same z-score over the share of a unit's problems (dismissed
   ones not counted) that are overdue; +2 or above flags, when also 5 points over the median.
The floors keep a large z from flagging a small difference: when most units are alike
the spread is small (1 overdue problem of 262 is not lagging).
4. Weekly reports: any report missing, or more than LATE_SHARE of those due late.
5. Contact rules: any complete week in which the group's contacts with the unit fell
   short of a rule (ducha.supervision.compliance).

Fewer than MIN_UNITS units to compare: no z-score, hence no flag on 1–3 (the rule's
description says how many were compared). Ranking: lagging units first, then more flags
first, then the lowest discovery z, the lowest sign-off rate, the most overdue.
Every figure comes from `statistics.campaign_statistics` and `compliance`; a group's
own (scoped) statistics give the same ranking as the office's.
"""

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from statistics import mean, median
from typing import Any

from django.utils.translation import gettext as _

from ducha.org.models import Campaign, SupervisionGroup, Unit
from ducha.reports.statistics import campaign_statistics
from ducha.supervision.compliance import Shortfall, contact_shortfalls

MIN_PROJECTS = 10
MIN_PROBLEMS = 5
MIN_UNITS = 5
Z_LIMIT = 2.0
# And far enough to matter, whatever the z (units alike make a small spread, a large z):
MAX_DISCOVERY_RATIO = 0.8  # finds at most 80% of what its domains would let one expect
MIN_GAP = 0.05  # sign-off rate 5 points under the median, overdue share 5 points over it
LATE_SHARE = 0.25
MAD_SCALE = 1.4826  # MAD → standard deviation, for normal data
MEAN_AD_SCALE = 1.2533  # mean absolute deviation → standard deviation


@dataclass(frozen=True)
class Comparison:
    """Robust z-scores of one criterion over the units compared."""

    z: dict[str, float]  # unit code → z
    median: float | None
    compared: int

    @property
    def applies(self) -> bool:
        return bool(self.z)


def robust_z(values: Mapping[str, float]) -> Comparison:
    if len(values) < MIN_UNITS:
        return Comparison({}, None, len(values))
    middle = median(values.values())
    deviations = [abs(v - middle) for v in values.values()]
    scale = MAD_SCALE * median(deviations) or MEAN_AD_SCALE * mean(deviations)
    if not scale:  # every unit alike: nobody stands out
        return Comparison({}, middle, len(values))
    return Comparison({code: (v - middle) / scale for code, v in values.items()}, middle, len(values))


def _counted(u: Mapping[str, Any]) -> int:
    return u["problems"] - u["problems_dismissed"]


def _found(u: Mapping[str, Any]) -> int:
    """Problems found in a trading domain: what the domain rates count."""
    return sum(u["problems_by_domain"].values())


def _expected(u: Mapping[str, Any], rates: Mapping[str, float]) -> float:
    return sum(n * rates.get(domain, 0.0) for domain, n in u["projects_self_inspected_by_domain"].items())


def _pct(x: float) -> str:
    return f"{x * 100:.1f}%"


def _z(x: float) -> str:
    return f"{x:+.1f}"


@dataclass
class Reference:
    """What a group's units are compared with: the group's domain rates and the z-scores."""

    rates: dict[str, float]
    discovery: Comparison
    sign_off: Comparison
    overdue: Comparison

    @classmethod
    def of(cls, units: list[Mapping[str, Any]]) -> "Reference":
        """The reference of a group's units (their rows of the statistics' by_unit)."""
        found: Counter = Counter()
        inspected: Counter = Counter()
        for u in units:
            found.update(u["problems_by_domain"])
            inspected.update(u["projects_self_inspected_by_domain"])
        rates = {d: found[d] / n for d, n in inspected.items() if n}
        ratios = {}
        for u in units:
            expected = _expected(u, rates)
            if u["projects_self_inspected"] >= MIN_PROJECTS and expected > 0:
                ratios[u["unit"]] = _found(u) / expected
        with_problems = [u for u in units if _counted(u) >= MIN_PROBLEMS]
        return cls(
            rates,
            robust_z(ratios),
            robust_z({u["unit"]: u["sign_off_rate"] for u in with_problems}),
            robust_z({u["unit"]: u["problems_overdue"] / _counted(u) for u in with_problems}),
        )

    def describe(self) -> dict[str, Any]:
        def part(c: Comparison) -> dict[str, Any]:
            return {"compared": c.compared, "median": c.median, "applies": c.applies}

        return {
            "z_limit": Z_LIMIT,
            "min_units": MIN_UNITS,
            "min_projects": MIN_PROJECTS,
            "min_problems": MIN_PROBLEMS,
            "late_share": LATE_SHARE,
            "max_discovery_ratio": MAX_DISCOVERY_RATIO,
            "min_gap": MIN_GAP,
            "domain_rates": {k: round(v, 4) for k, v in self.rates.items()},
            "discovery": part(self.discovery),
            "sign_off": part(self.sign_off),
            "overdue": part(self.overdue),
        }


ZERO_LEDGER = {
    "projects_self_inspected": 0,
    "problems": 0,
    "problems_dismissed": 0,
    "problems_overdue": 0,
    "sign_off_rate": 1.0,
    "projects_self_inspected_by_domain": {},
    "problems_by_domain": {},
}


def _row(own: Mapping[str, Any], ledger: Mapping[str, Any], ref: Reference, short: list[Shortfall]) -> dict[str, Any]:
    code = own["unit"]
    inspected, found = ledger["projects_self_inspected"], _found(ledger)
    expected = _expected(ledger, ref.rates)
    row: dict[str, Any] = {
        "unit": code,
        "name": own["name"],
        "kind": own["kind"],
        "group": own["group"],
        "projects_self_inspected": inspected,
        "problems": found,
        "discovery_rate": round(found / inspected, 4) if inspected else None,
        "expected_rate": round(expected / inspected, 4) if inspected else None,
        "discovery_ratio": round(found / expected, 4) if expected else None,
        "discovery_z": ref.discovery.z.get(code),
        "sign_off_rate": ledger["sign_off_rate"],
        "sign_off_z": ref.sign_off.z.get(code),
        "problems_overdue": ledger["problems_overdue"],
        "overdue_share": round(ledger["problems_overdue"] / _counted(ledger), 4) if _counted(ledger) else 0.0,
        "overdue_z": ref.overdue.z.get(code),
        "unit_reports_due": own["unit_reports_due"],
        "unit_reports_late": own["unit_reports_late"],
        "unit_reports_missing": own["unit_reports_missing"],
        "contact_shortfall_weeks": len({s.week_starts for s in short}),
        "contacts_short": sum(s.missing for s in short),
    }
    row["flags"] = _flags(row, ref)
    row["lagging"] = bool(row["flags"])
    for key in ("discovery_z", "sign_off_z", "overdue_z"):
        row[key] = round(row[key], 2) if row[key] is not None else None
    return row


def _flags(r: dict[str, Any], ref: Reference) -> list[dict[str, str]]:
    flags = []
    ratio = r["discovery_ratio"]
    if r["discovery_z"] is not None and r["discovery_z"] <= -Z_LIMIT and ratio <= MAX_DISCOVERY_RATIO:
        reason = _(
            "Finds %(rate)s problems per 100 self-inspected projects, %(ratio)s of the %(expected)s the group's "
            "units find in the same trading domains (robust z %(z)s; flagged at −2 or below and under 80%%)."
        ) % {
            "rate": f"{r['discovery_rate'] * 100:.1f}",
            "expected": f"{r['expected_rate'] * 100:.1f}",
            "ratio": _pct(ratio),
            "z": _z(r["discovery_z"]),
        }
        flags.append({"criterion": "discovery", "reason": reason})
    median = ref.sign_off.median or 0.0  # set whenever a z is
    if r["sign_off_z"] is not None and r["sign_off_z"] <= -Z_LIMIT and r["sign_off_rate"] <= median - MIN_GAP:
        reason = _(
            "Sign-off rate %(rate)s against a median of %(median)s among the group's units "
            "(robust z %(z)s; flagged at −2 or below and 5 points under the median)."
        ) % {"rate": _pct(r["sign_off_rate"]), "median": _pct(median), "z": _z(r["sign_off_z"])}
        flags.append({"criterion": "sign_off", "reason": reason})
    median = ref.overdue.median or 0.0
    if r["overdue_z"] is not None and r["overdue_z"] >= Z_LIMIT and r["overdue_share"] >= median + MIN_GAP:
        reason = _(
            "%(overdue)s of its problems overdue (%(share)s) against a median of %(median)s among the group's "
            "units (robust z %(z)s; flagged at +2 or above and 5 points over the median)."
        ) % {
            "overdue": r["problems_overdue"],
            "share": _pct(r["overdue_share"]),
            "median": _pct(median),
            "z": _z(r["overdue_z"]),
        }
        flags.append({"criterion": "overdue", "reason": reason})
    due, late, missing = r["unit_reports_due"], r["unit_reports_late"], r["unit_reports_missing"]
    if missing or (due and late > LATE_SHARE * due):
        reason = _(
            "Weekly reports: %(missing)s missing and %(late)s late of %(due)s due "
            "(flagged when any is missing or more than a quarter are late)."
        ) % {"missing": missing, "late": late, "due": due}
        flags.append({"criterion": "reports", "reason": reason})
    if r["contact_shortfall_weeks"]:
        reason = _("Fewer contacts than the contact rules ask in %(weeks)s weeks (%(short)s contacts short).") % {
            "weeks": r["contact_shortfall_weeks"],
            "short": r["contacts_short"],
        }
        flags.append({"criterion": "contacts", "reason": reason})
    return flags


def _order(r: dict[str, Any]) -> tuple:
    z = r["discovery_z"] if r["discovery_z"] is not None else float("inf")
    return (not r["lagging"], -len(r["flags"]), z, r["sign_off_rate"], -r["problems_overdue"])


def lagging_units(
    stats: Mapping[str, Any], shortfalls: list[Shortfall], unit_codes: Mapping[int, str], *, group: str | None = None
) -> dict[str, Any]:
    """The ranking of each group's units (of one group, when given), from the campaign's
    statistics (the office's, or the group's own) and the contact shortfalls as of the
    same day. `unit_codes` maps the shortfalls' unit ids to codes."""
    ledger = {u["unit"]: u for u in stats["by_unit"]}
    short: dict[str, list[Shortfall]] = defaultdict(list)
    for s in shortfalls:
        short[unit_codes[s.unit_id]].append(s)
    groups = []
    for g in stats["by_group"]:
        if group is not None and g["group"] != group:
            continue
        own = [u for u in stats["supervision_by_unit"] if u["group"] == g["group"]]
        ref = Reference.of([ledger.get(u["unit"], {**ZERO_LEDGER, "unit": u["unit"]}) for u in own])
        rows = sorted((_row(u, ledger.get(u["unit"], ZERO_LEDGER), ref, short[u["unit"]]) for u in own), key=_order)
        for rank, row in enumerate(rows, 1):
            row["rank"] = rank
        groups.append({"group": g["group"], "name": g["name"], "rule": ref.describe(), "units": rows})
    return {"as_of": stats["as_of"], "groups": groups}


def campaign_lagging(
    campaign: Campaign,
    *,
    today: dt.date | None = None,
    group: str | None = None,
    stats: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The ranking as of `campaign.as_of(today)`; `stats`, when given, are the campaign's
    statistics as of that day (a dashboard's cached ones, the group's own will do)."""
    if stats is None:
        stats = campaign_statistics(campaign, today=today)
    as_of = dt.date.fromisoformat(stats["as_of"])
    chosen = SupervisionGroup.objects.filter(campaign=campaign, code=group).first() if group else None
    shortfalls = contact_shortfalls(campaign, as_of=as_of, group=chosen)
    codes = dict(Unit.objects.filter(pk__in={s.unit_id for s in shortfalls}).values_list("pk", "code"))
    return lagging_units(stats, shortfalls, codes, group=group)
