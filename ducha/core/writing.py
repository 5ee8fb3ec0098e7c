"""SQLite: a transaction's bulk writes run on a second thread while this one goes on.

SQLite lets go of the interpreter while a statement runs, so a large import's inserts
(problems, steps, change-log rows) can be written while its next rows are checked, on the
machine's second core. Both threads use the one connection, hence the one transaction:
what is written beside commits or rolls back with the rest.

    with transaction.atomic(), writing_beside():
        ...   # insert_objects / insert_rows / record_changes hand their statements over

Order is kept: statements run in the order handed over, one at a time; a statement of
this thread that writes (anything but a SELECT) waits until every statement handed over
has run, and so does any statement on the change log's tables; savepoints are handed over
in their place (a rollback to one then undoes exactly what followed it). A statement that
failed beside is raised at the next wait, at the latest on leaving the block, before the
transaction ends. Only inside a transaction on SQLite; elsewhere the block changes nothing.
"""

import threading
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any
from weakref import WeakKeyDictionary

from django.db import DEFAULT_DB_ALIAS, connections

_active: "WeakKeyDictionary[Any, Writer]" = WeakKeyDictionary()
_LOG_TABLES = ("core_changelogentry", "core_changeloghead")


class Writer:
    """One transaction's statements, run in order on one other thread."""

    def __init__(self, connection):
        self.connection = connection
        self.raw = connection.connection  # the sqlite3 connection (opened with check_same_thread=False)
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ducha-writer")
        self.pending: deque[Future] = deque()
        self.lock = threading.Lock()
        # The change log's head as written last (record_changes reads it here, not behind
        # the statements still to run).
        self.head: tuple[int, str] | None = None

    def submit(self, sql: str, params: Sequence = (), *, fetch: bool = False) -> Future:
        """Run `sql` (qmark placeholders, the driver's own) after everything handed over
        before it; the future gives the rows when `fetch`."""
        future = self.pool.submit(self._run, sql, params, fetch)
        with self.lock:
            self.pending.append(future)
        return future

    def _run(self, sql: str, params: Sequence, fetch: bool) -> list | None:
        with self.connection.wrap_database_errors:  # (Django's errors, as for its own cursors)
            cursor = self.raw.cursor()
            try:
                cursor.execute(sql, params)
                return cursor.fetchall() if fetch else None
            finally:
                cursor.close()

    def wait(self) -> None:
        """Until every statement handed over has run; the first that failed is raised."""
        while True:
            with self.lock:
                if not self.pending:
                    return
                future = self.pending.popleft()
            future.result()

    def close(self) -> None:
        """Let the statements handed over finish (raising the first failure), then stop."""
        try:
            self.wait()
        finally:
            # After a failure, what is still queued runs too (SQLite refuses nothing of the
            # kind once a statement failed, and the transaction is rolled back anyway).
            self.pool.shutdown(wait=True)

    def intercept(self, execute, sql: str, params, many: bool, context: dict):
        """Every statement of this thread on the connection: savepoints handed over in their
        place, writes and the change log's reads only once the writes before them ran."""
        verb = sql.lstrip()[:10].upper()
        if verb.startswith(("SAVEPOINT", "RELEASE")):
            self.submit(sql)
            return None
        if not verb.startswith("SELECT") or any(table in sql for table in _LOG_TABLES):
            self.wait()
        if verb.startswith("ROLLBACK"):
            self.head = None  # (the head may go back with what is undone: read it again)
        return execute(sql, params, many, context)


def writer(using: str = DEFAULT_DB_ALIAS) -> Writer | None:
    """The writer beside this thread's transaction on `using`, if a block opened one."""
    return _active.get(connections[using])


@contextmanager
def writing_beside(using: str = DEFAULT_DB_ALIAS) -> Iterator[Writer | None]:
    connection = connections[using]
    if connection.vendor != "sqlite" or not connection.in_atomic_block or connection in _active:
        yield None
        return
    connection.ensure_connection()
    beside = Writer(connection)
    _active[connection] = beside
    try:
        with connection.execute_wrapper(beside.intercept):
            yield beside
            beside.wait()
    finally:
        del _active[connection]
        beside.close()
