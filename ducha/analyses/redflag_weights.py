"""The sampling weight "flagged lots first" (ledger/flag_weights.register_flag_counter, registered
when the app is ready): only the models, so that setting up Django loads no analytics library."""

import datetime as dt

from django.db.models import Count

from ducha.analyses.redflag_models import RedFlag

_IDS_PER_QUERY = 10000  # a campaign's population: more ids than one query may bind


def flags_per_project(ids: list[int], as_of: dt.datetime) -> dict[int, int]:
    """The red flags naming each project, of runs finished by `as_of` (a draw's check counts
    the flags its draw counted)."""
    counts: dict[int, int] = {}
    for start in range(0, len(ids), _IDS_PER_QUERY):
        chosen = ids[start : start + _IDS_PER_QUERY]
        flags = RedFlag.objects.filter(project__in=chosen, run__finished_at__lte=as_of)
        counts |= dict(flags.values_list("project").annotate(n=Count("pk")).order_by())
    return counts
