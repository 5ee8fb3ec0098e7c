"""do_draw_sample: the population within the drawer's scope, the draw and its sampling
inspections in one change-log batch, the same sample from the same seed."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from ducha.core import pieces
from ducha.core.access import AccessDenied
from ducha.core.models import ChangeLogEntry
from ducha.ledger import sampling
from ducha.ledger.choices import InspectionKind
from ducha.ledger.models import Inspection, Project, SampleDraw
from ducha.ledger.sampling import do_draw_sample, drawn_again, population


def _draw(small, user: str, **kwargs) -> SampleDraw:
    rule = {"proportion": Decimal("0.5"), "minimum": 1, "seed": "抽查-2024-1"} | kwargs
    return do_draw_sample(small.campaign, actor=small.users[user], **rule)


def test_the_office_draws_from_every_unit_and_records_the_sampling_inspections(small):
    draw = _draw(small, "office")
    inspections = Inspection.objects.filter(draw=draw)
    chosen = set(inspections.values_list("project_id", flat=True))
    # Every unit with self-inspected projects gets at least its minimum (here 1 each).
    units = Project.objects.filter(pk__in=chosen).values_list("unit_id", flat=True)
    assert set(units) == set(Project.objects.values_list("unit_id", flat=True))
    assert all(i.kind == InspectionKind.SAMPLE and i.sampling_seed == "抽查-2024-1" for i in inspections)
    assert set(Project.objects.filter(sampled=True).values_list("pk", flat=True)) == chosen
    assert draw.population == len(small.projects) and draw.drawn == len(chosen)
    assert sorted(row["unit"] for row in draw.figures) == sorted(set(units))
    # One batch: the draw, its inspections and the projects' flags.
    batch = ChangeLogEntry.objects.get(object_type="ledger.sampledraw").batch
    logged = ChangeLogEntry.objects.filter(batch=batch)
    assert logged.filter(object_type="ledger.inspection").count() == len(chosen)
    assert logged.filter(object_type="ledger.project").count() == len(chosen)
    assert "population_ids" not in logged.get(object_type="ledger.sampledraw").after


def test_the_same_seed_on_the_stored_population_gives_the_same_sample(small):
    draw = _draw(small, "office", proportion=Decimal("0.3"), minimum=0)
    recorded = sorted(Inspection.objects.filter(draw=draw).values_list("project_id", flat=True))
    assert sorted(drawn_again(draw)) == recorded


def test_a_population_read_back_in_parts_checks_out_and_a_tampered_sample_does_not(small, monkeypatch):
    draw = _draw(small, "office", proportion=Decimal("0.5"), minimum=0)
    monkeypatch.setattr(pieces, "IDS_PER_QUERY", 2)  # (5 projects: read in 3 parts)
    assert sampling.sample_holds(draw)
    Inspection.objects.filter(draw=draw).update(draw=None)  # (the recorded sample tampered with)
    assert not sampling.sample_holds(draw)


def test_a_project_sampled_before_is_not_drawn_again(small):
    first = _draw(small, "office", proportion=Decimal("0.2"), minimum=1)
    before = set(Inspection.objects.filter(draw=first).values_list("project_id", flat=True))
    second = _draw(small, "office", proportion=Decimal("1"), minimum=0, seed="again")
    assert not before & set(second.population_ids)
    assert Project.objects.filter(sampled=False).count() == 0


def test_a_group_draws_within_its_units_only(small):
    draw = _draw(small, "group_a", group=small.groups["A"], proportion=Decimal("1"))
    drawn = set(Inspection.objects.filter(draw=draw).values_list("project__number", flat=True))
    assert drawn == {"P-hohhot", "P-xincheng", "P-fgw"}
    with pytest.raises(AccessDenied):
        _draw(small, "group_a", group=small.groups["B"])
    with pytest.raises(AccessDenied):
        _draw(small, "group_a", unit=small.units["150200"])
    assert not population(small.campaign, actor=small.users["group_a"], unit=small.units["150200"]).exists()


def test_a_unit_draws_its_own_projects_or_a_countys(small):
    draw = _draw(small, "office", unit=small.units["150102"], proportion=Decimal("1"))
    assert list(Inspection.objects.filter(draw=draw).values_list("project__number", flat=True)) == ["P-xincheng"]


@pytest.mark.parametrize("user", ["league_a", "county_a", "viewer", "norole"])
def test_units_and_viewers_do_not_draw(small, user):
    with pytest.raises(AccessDenied):
        _draw(small, user, unit=small.units["150100"])
    assert not SampleDraw.objects.exists() and not Inspection.objects.filter(kind="sample").exists()


def test_a_bad_rule_is_refused_and_nothing_written(small):
    for bad in ({"proportion": Decimal("0")}, {"minimum": -1}, {"seed": "  "}):
        with pytest.raises(ValidationError):
            _draw(small, "office", **bad)
    with pytest.raises(ValidationError):
        _draw(small, "office", unit=small.units["150100"], group=small.groups["A"])
    assert not SampleDraw.objects.exists()


def test_the_queries_of_a_draw_do_not_grow_with_its_sample(small):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        first = _draw(small, "office", unit=small.units["150200"], proportion=Decimal("1"), seed="q-1")
    with CaptureQueriesContext(connection) as every:
        rest = _draw(small, "office", proportion=Decimal("1"), seed="q-2")
    assert first.drawn == 1 and rest.drawn >= 4
    # (a query per inspection, e.g. its clean() reading the project's campaign, would show here)
    assert len(every.captured_queries) <= len(one.captured_queries)
    campaign_reads = [q for q in every.captured_queries if 'FROM "org_campaign"' in q["sql"]]
    assert len(campaign_reads) <= 1, campaign_reads
