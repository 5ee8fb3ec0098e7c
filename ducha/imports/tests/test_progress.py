"""run_import's progress callback: told after reading, every PROGRESS_EVERY rows while
validating, after validating and once applied; a refused file is never told "applied"."""

import pytest

from ducha.imports import importer
from ducha.imports.importer import run_import
from ducha.imports.tests import books

pytestmark = pytest.mark.django_db


def test_progress_is_told_while_reading_validating_and_applying(small, monkeypatch):
    monkeypatch.setattr(importer, "PROGRESS_EVERY", 2)
    calls: list[tuple[int, int, int]] = []
    rows = [books.project(项目编号=f"GC-P-{i}") for i in range(5)]
    content, league = books.xlsx(rows), small.users["league_a"]
    result = run_import("projects", "p.xlsx", content, actor=league, progress=lambda *c: calls.append(c))
    assert result.applied
    assert calls == [(5, 0, 0), (5, 2, 0), (5, 4, 0), (5, 5, 0), (5, 5, 5)]


def test_a_refused_file_is_not_told_applied(small):
    calls: list[tuple[int, int, int]] = []
    rows = [books.project(项目编号="GC-P-1"), books.project(项目编号="GC-P-2", 交易领域="不存在")]
    content, league = books.xlsx(rows), small.users["league_a"]
    result = run_import("projects", "p.xlsx", content, actor=league, progress=lambda *c: calls.append(c))
    assert not result.applied
    assert calls == [(2, 0, 0), (2, 2, 0)]
