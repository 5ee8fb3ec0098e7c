"""Red flags per project for sampling's flag weight (ledger/sampling.py), counted by the app
that holds them: analyses registers its counter when ready (the ledger may not import it).
Light on purpose: setting up Django imports it, and must load no analytics library."""

import datetime as dt
from collections.abc import Callable

# ids → {id: count} of the runs finished by a moment: a draw counts as of its start, a
# check as of the draw's time, so both see the same flags.
FlagCounter = Callable[[list[int], dt.datetime], dict[int, int]]
_counters: list[FlagCounter] = []


def register_flag_counter(counter: FlagCounter) -> None:
    if counter not in _counters:
        _counters.append(counter)


def flags(ids: list[int], as_of: dt.datetime) -> list[int]:
    """The flags of each project of `ids`, in their order (0 when none or no counter)."""
    counts: dict[int, int] = {}
    for counter in _counters:
        for pk, n in counter(ids, as_of).items():
            counts[pk] = counts.get(pk, 0) + n
    return [counts.get(pk, 0) for pk in ids]
