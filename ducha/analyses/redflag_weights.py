"""The sampling weight "flagged lots first" (ledger/flag_weights.register_flag_counter, registered
when the app is ready): only the models, so that setting up Django loads no analytics library."""

import datetime as dt

from django.db.models import Count

from ducha.analyses.redflag_models import RedFlag
from ducha.core.pieces import in_pieces


def flags_per_project(ids: list[int], as_of: dt.datetime) -> dict[int, int]:
    """The red flags naming each project, of runs finished by `as_of` (a draw's check counts
    the flags its draw counted)."""
    counts: dict[int, int] = {}
    for piece in in_pieces(ids):  # a campaign's population: more ids than one query may bind
        flags = RedFlag.objects.filter(project__in=piece, run__finished_at__lte=as_of)
        counts |= dict(flags.values_list("project").annotate(n=Count("pk")).order_by())
    return counts
