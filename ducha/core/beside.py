"""Reading on a second connection while this one goes on: a long count split in two takes
the time of the longer half (SQLite and the PostgreSQL driver let go of the interpreter
while a query runs).

Only outside a transaction: inside one, another connection would not see its writes (a
test's, or an action's). Each connection reads the committed data when its query starts,
so a write committed between the two starts is in one half and not the other; the
statistics cache (reports/cache.py) counts the units it touched again at the next read."""

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

from django.db import connection, connections

T = TypeVar("T")


@contextmanager
def beside(read: Callable[[], T]) -> Iterator[Callable[[], T]]:
    """Run `read` on another thread with its own connection while the block runs (here,
    first, inside a transaction); gives the function that returns its result."""
    if connection.in_atomic_block:
        result = read()
        yield lambda: result
        return
    with ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(_on_own_connection, read)
        yield future.result


def _on_own_connection(read: Callable[[], T]) -> T:
    try:
        return read()
    finally:
        connections.close_all()  # (this thread's connections only)
