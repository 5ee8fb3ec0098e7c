"""Keeping the database's query planner informed.

SQLite has no autovacuum/autoanalyze: without ANALYZE it guesses that `campaign = ?`
is selective and walks a small index row by row instead of the covering index or the
index that already holds the list's order (measured on the 1,000,000-project benchmark:
problem list 260 ms → 48 ms, statistics 1.3 s → 0.56 s). Large imports therefore refresh
the statistics once their transaction has committed. PostgreSQL's autovacuum does this
on its own; an explicit ANALYZE there is cheap and harmless.
"""

from django.conf import settings
from django.db import connection, transaction


def refresh_planner_statistics() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # Sample a few hundred rows per index instead of reading gigabytes.
            cursor.execute("PRAGMA analysis_limit=400")
        cursor.execute("ANALYZE")


def refresh_after_commit(rows: int) -> None:
    """Once per transaction, however many bulk actions it holds."""
    if rows < settings.ANALYZE_AFTER_ROWS:
        return
    if any(entry[1] is refresh_planner_statistics for entry in connection.run_on_commit):  # (sids, func, robust)
        return
    transaction.on_commit(refresh_planner_statistics)


def use_sqlite_parameter_limit(sender, connection, **kwargs) -> None:
    """Django assumes SQLite's old limit of 999 parameters per statement, so a bulk
    INSERT of a 20-field row carries 47 rows. SQLite 3.32+ takes 32,766: ask the
    connection for its real limit (connection_created, every new connection)."""
    if connection.vendor != "sqlite":
        return
    import sqlite3

    limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    connection.features.max_query_params = max(999, limit)
