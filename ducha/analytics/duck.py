"""The one way the analytics open DuckDB: every engine's connection is held to the same
memory limit and spills into its own temporary folder under the same directory, removed
when the connection closes (never DuckDB's default `.tmp` in the working directory).

The library knows no Django: the Django side hands over where the limits come from once
(`use_limits`, in analyses/apps.py: ANALYTICS_MEMORY_LIMIT and ANALYTICS_SPILL_DIR, read at
each connection, so a changed setting counts). Without it: 3GB and the system's temporary
directory. An engine may be given its own `Limits` (the comparison's settings).

DuckDB itself is imported only when a connection opens: setting up Django loads no
analytics library (core/tests/test_start_up.py)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import duckdb


@dataclass(frozen=True)
class Limits:
    memory_limit: str = "3GB"  # DuckDB's; beyond it, it spills
    spill_directory: str = ""  # where each connection's spill folder is made ("": the system's temporary directory)


_source: Callable[[], Limits] = Limits


def use_limits(source: Callable[[], Limits]) -> None:
    """Where every connection without its own limits takes them from (called once by Django)."""
    global _source
    _source = source


def limits() -> Limits:
    return _source()


@contextmanager
def connect(given: Limits | None = None, **config: Any) -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory DuckDB held to the limits (given, else the configured ones); `config`
    adds DuckDB settings (`preserve_insertion_order=False` …). Closed, and its spill folder
    removed, on leaving."""
    import duckdb

    chosen = given or limits()
    base = chosen.spill_directory or None
    if base:
        Path(base).mkdir(mode=0o700, parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ducha-duckdb-", dir=base) as spill:
        con = duckdb.connect(config={"memory_limit": chosen.memory_limit, "temp_directory": spill} | config)
        try:
            con.execute("SET enable_progress_bar = false")  # batch jobs: no bars on the console
            yield con
        finally:
            con.close()
