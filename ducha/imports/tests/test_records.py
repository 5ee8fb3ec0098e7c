"""Who sees an import's record: the importer's unit (a league/city also its counties') and
the unit's group; the office and viewers everything. An office or group import names no unit."""

import pytest

from ducha.core.access import restrict
from ducha.imports.importer import run_import
from ducha.imports.models import ImportRecord
from ducha.imports.tests import books

pytestmark = pytest.mark.django_db


def test_an_import_record_is_seen_by_the_importers_unit(small):
    for user in ("office", "group_a", "league_a", "county_a", "league_b"):
        run_import("projects", f"{user}.xlsx", books.xlsx([books.project()]), actor=small.users[user], dry_run=True)

    def seen(user):
        records = restrict(ImportRecord.objects.all(), small.users[user])
        return sorted(r.user.username for r in records)

    everything = sorted(["office", "group_a", "league_a", "county_a", "league_b"])
    assert seen("office") == seen("viewer") == everything
    assert seen("league_a") == ["county_a", "league_a"]
    assert seen("county_a") == ["county_a"]
    assert seen("league_b") == ["league_b"]
    # A group sees its units' imports, as their records; its own import names no unit.
    assert seen("group_a") == ["county_a", "league_a"]
    assert seen("dept_a") == []
