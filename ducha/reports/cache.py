"""Statistics cached until the next change: the key holds the change log's head,
and every write goes through an action that moves the head. A dashboard is then a
cache read, however large the campaign, until somebody changes something."""

import datetime as dt
import hashlib
from typing import Any

from django.core.cache import cache
from django.utils import translation

from ducha.core.access import user_scope
from ducha.core.models import ChangeLogHead
from ducha.org.models import Campaign
from ducha.reports.lagging import campaign_lagging
from ducha.reports.statistics import campaign_statistics, weekly_trend


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
    key = f"ducha:stats:{campaign.pk}:{_scope_key(user)}:{campaign.as_of(today).isoformat()}:{_head()}"
    figures = cache.get(key)
    if figures is None:
        figures = campaign_statistics(campaign, user=user, today=today)
        cache.set(key, figures, timeout=24 * 3600)
    return figures


def cached_weekly_trend(campaign: Campaign, *, user=None) -> list[dict[str, Any]]:
    key = f"ducha:trend:{campaign.pk}:{_scope_key(user)}:{_head()}"
    trend = cache.get(key)
    if trend is None:
        trend = weekly_trend(campaign, user=user)
        cache.set(key, trend, timeout=24 * 3600)
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
