"""Statistics cached until the next change: every write goes through an action that
moves the change log's head, so a cached entry knows what it has counted (the head it was
counted at). A dashboard is a cache read, however large the campaign, until somebody
changes something; then only the units the new log rows touched are counted again
(statistics.collect_cells(units=…)) and the rest of the cells are kept."""

import datetime as dt
import hashlib
from collections import defaultdict
from typing import Any

from django.apps import apps
from django.core.cache import cache
from django.utils import translation

from ducha.core.access import ScopePath, user_scope
from ducha.core.models import ChangeLogEntry, ChangeLogHead
from ducha.org.models import Campaign
from ducha.reports.lagging import campaign_lagging
from ducha.reports.statistics import collect_cells, figures_from, trend_cells, trend_from


def _scope_key(user) -> str:
    if user is None:
        return "all"
    scope = user_scope(user)
    if scope.everything:
        return "all"
    # The groups too: a group's own records (work plans, its weekly reports) count in its figures.
    text = f"{sorted(scope.unit_ids)}|{sorted(scope.county_ids)}|{sorted(scope.group_ids)}"
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def _head() -> str:
    # The head's hash, not its number: two databases (a test run, the demo) that share
    # the cache directory never have the same chain, though they may have the same length.
    return ChangeLogHead.objects.filter(pk=1).values_list("last_hash", flat=True).first() or "empty"


def cached_statistics(campaign: Campaign, *, user=None, today: dt.date) -> dict[str, Any]:
    return counted_statistics(campaign, user=user, today=today)[0]


def counted_statistics(campaign: Campaign, *, user=None, today: dt.date) -> tuple[dict[str, Any], str]:
    """The figures, and how they were had: "cached", "recounted" (the touched units only) or
    "counted" (every unit)."""
    as_of = campaign.as_of(today)
    key = f"ducha:cells:{campaign.pk}:{_scope_key(user)}:{as_of.isoformat()}"
    head = ChangeLogHead.objects.filter(pk=1).values_list("last_seq", "last_hash").first() or (0, "empty")
    entry = cache.get(key)
    if entry is not None and entry["head"] == head:
        return entry["figures"], "cached"
    touched = touched_units(entry["head"], head[0]) if entry is not None else None
    if touched is None:
        cells, how = collect_cells(campaign, user, as_of), "counted"
    else:
        cells = {cell: counter for cell, counter in entry["cells"].items() if cell[0] not in touched}
        cells.update(collect_cells(campaign, user, as_of, units=touched))
        how = "recounted"
    figures = figures_from(campaign, cells, user=user, as_of=as_of)
    cache.set(key, {"head": head, "cells": cells, "figures": figures}, timeout=24 * 3600)
    return figures, how


RECOUNT_AT_MOST = 2000  # log rows since the cached count; beyond, everything is counted again
# What changes no ledger figure (the supervision figures are counted on every recount).
NO_LEDGER_FIGURE = frozenset({"supervision", "imports", "reports"})


def touched_units(counted_at: tuple[int, str], now_seq: int) -> set[int] | None:
    """The owning units of the ledger records changed since the log row `counted_at` (seq,
    hash), or None when they cannot be told: another log (the row differs), too many rows,
    or a change to reference data (units, catalogue, groups), which may move any figure."""
    seq, last_hash = counted_at
    if seq > now_seq or now_seq - seq > RECOUNT_AT_MOST:
        return None
    if seq and ChangeLogEntry.objects.filter(seq=seq).values_list("hash", flat=True).first() != last_hash:
        return None
    touched: set[int] = set()
    ids: dict[type, set[str]] = defaultdict(set)
    for object_type, object_id, before, after in ChangeLogEntry.objects.filter(seq__gt=seq).values_list(
        "object_type", "object_id", "before", "after"
    ):
        app_label, model_name = object_type.split(".")
        if app_label in NO_LEDGER_FIGURE:
            continue
        model = apps.get_model(app_label, model_name)
        scope = getattr(model, "scope", None)
        if app_label != "ledger" or not isinstance(scope, ScopePath) or not scope.unit_paths:
            return None
        ids[model].add(object_id)
        for values in (before, after):  # a deleted record's unit, and a moved record's old one
            if values and values.get("unit_id"):
                touched.add(values["unit_id"])
    for model, pks in ids.items():
        path = model.scope.unit_paths[0]
        touched.update(u for u in model._default_manager.filter(pk__in=pks).values_list(path, flat=True) if u)
    return touched


def cached_weekly_trend(campaign: Campaign, *, user=None, until: dt.date | None = None) -> list[dict[str, Any]]:
    """The weekly trend, kept like the figures: after a change only the touched units' weeks
    are counted again (counting all 200,000 problems' dates took 0.3 s per scope per change)."""
    key = f"ducha:trend:{campaign.pk}:{_scope_key(user)}:{until}"
    head = ChangeLogHead.objects.filter(pk=1).values_list("last_seq", "last_hash").first() or (0, "empty")
    entry = cache.get(key)
    if entry is not None and entry["head"] == head:
        return entry["trend"]
    touched = touched_units(entry["head"], head[0]) if entry is not None else None
    if touched is None:
        cells = trend_cells(campaign, user=user, until=until)
    else:
        cells = {cell: n for cell, n in entry["cells"].items() if cell[0] not in touched}
        cells.update(trend_cells(campaign, user=user, until=until, units=touched))
    trend = trend_from(cells)
    cache.set(key, {"head": head, "cells": cells, "trend": trend}, timeout=24 * 3600)
    return trend


def cached_lagging(campaign: Campaign, *, user=None, today: dt.date, group: str | None = None) -> dict[str, Any]:
    """The lagging ranking (of one group), from the statistics `user` sees (a group's
    member: its own units, all the rule compares). Its reasons are words: one entry per language."""
    as_of = campaign.as_of(today).isoformat()
    language = translation.get_language()
    key = f"ducha:lagging:{campaign.pk}:{_scope_key(user)}:{group or '*'}:{as_of}:{language}:{_head()}"
    ranking = cache.get(key)
    if ranking is None:
        stats = cached_statistics(campaign, user=user, today=today)
        ranking = campaign_lagging(campaign, today=today, group=group, stats=stats)
        cache.set(key, ranking, timeout=24 * 3600)
    return ranking
