"""The campaign's figures through the API: `ducha stats --json`'s object (the same
function, reports/cache.cached_statistics over reports/statistics.py, keys in
docs/statistics.md), counted over what the user may see, as of a day (`as_of`: a past
day's figures as they stood at its end; not after today, as on the dashboards)."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import create_model

from ducha.api.errors import ERRORS, ApiError
from ducha.core.access import role_kind
from ducha.org.models import Campaign, active_campaign
from ducha.reports.cache import cached_statistics
from ducha.reports.statistics import Figures
from ducha.reports.supervision_figures import SUPERVISION_FIGURES, UNIT_FIGURES


def _schema(title: str, /, **fields: Any) -> type[Schema]:
    return create_model(title, __base__=Schema, **fields)


# The shapes of statistics.py's object, built from its own definitions (Figures, the
# supervision figures' names), so a figure added there is documented here.
_FIGURES = {name: (kind, ...) for name, kind in Figures.__annotations__.items()}
Supervision = _schema(
    "SupervisionFigures",
    **{name: (int, ...) for name in SUPERVISION_FIGURES} | {"letters_by_kind": (dict[str, int], ...)},
)
_SLICE = {"name": (str, ...), **_FIGURES}
Campaign_ = _schema("CampaignInfo", code=(str, ...), name=(str, ...), scope_start=(str, ...),
                    scope_end=(str, ...), starts_on=(str, ...), closes_on=(str | None, ...))  # fmt: skip
Total: Any = _schema("TotalFigures", units=(int, ...), **_FIGURES, supervision=(Supervision, ...))
ByGroup: Any = _schema("GroupFigures", group=(str, ...), lead_domain=(str, ...), units=(int, ...), leagues=(int, ...),
                       departments=(int, ...), **_SLICE, supervision=(Supervision, ...))  # fmt: skip
ByDomain: Any = _schema("DomainFigures", domain=(str, ...), units=(int, ...), **_SLICE)
ByUnit: Any = _schema("UnitFigures", unit=(str, ...), kind=(str, ...), group=(str | None, ...), **_SLICE)
UnitSupervision: Any = _schema("UnitSupervisionFigures", unit=(str, ...), name=(str, ...), kind=(str, ...),
                               group=(str | None, ...), **{n: (int, ...) for n in UNIT_FIGURES})  # fmt: skip
Statistics = _schema(
    "Statistics",
    campaign=(Campaign_, ...),
    as_of=(str, ...),
    total=(Total, ...),
    by_group=(list[ByGroup], ...),
    by_domain=(list[ByDomain], ...),
    by_unit=(list[ByUnit], ...),
    supervision_by_unit=(list[UnitSupervision], ...),
)


class StatisticsQuery(Schema):
    as_of: dt.date | None = None  # default today; a later day is today
    campaign: str | None = None  # its code; default the active campaign


def router() -> Router:
    r = Router(tags=["statistics"])

    @r.get("/statistics/", response={200: Statistics, **ERRORS}, operation_id="get_statistics")
    def statistics(request: HttpRequest, query: Query[StatisticsQuery]):
        """Every figure (total, by group, by domain, by unit, and the supervision figures),
        counted over what the user may see: a unit's own, a group's units, the office's all."""
        if role_kind(request.user) is None:
            raise ApiError(403, _("You may not do this."))
        campaign = Campaign.objects.filter(code=query.campaign).first() if query.campaign else active_campaign()
        if campaign is None:
            raise ApiError(404, _("Not found."))
        today = timezone.localdate()
        day = min(query.as_of, today) if query.as_of else today
        return cached_statistics(campaign, user=request.user, today=day)

    return r
