"""Long lists (a campaign's project ids) in pieces one query may bind: SQLite takes at most
32,766 parameters in a statement, and a very long IN list plans badly on either database."""

from collections.abc import Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")

IDS_PER_QUERY = 10000


def in_pieces(values: Sequence[T], size: int | None = None) -> Iterator[Sequence[T]]:
    size = size or IDS_PER_QUERY  # (read now: a test makes the pieces small)
    for start in range(0, len(values), size):
        yield values[start : start + size]
