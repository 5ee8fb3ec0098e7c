"""The sampling engine on hand-made populations: quotas, strata, seeds, weights."""

import math
import random
from collections import Counter
from decimal import Decimal

import pyarrow as pa
import pytest

from ducha.analytics.sampling import draw, draw_counties
from ducha.analytics.sampling_rule import SamplingRule, Weighting


def population(rows: list[tuple]) -> pa.Table:
    """rows: (id, unit, domain, project_type[, amount])"""
    return pa.table(
        {
            "id": [r[0] for r in rows],
            "unit": [r[1] for r in rows],
            "domain": [r[2] for r in rows],
            "project_type": [r[3] for r in rows],
            "amount": [r[4] if len(r) > 4 else None for r in rows],
            "flags": [0] * len(rows),
        }
    )


def big(n: int = 3000, units: int = 7, seed: int = 5) -> pa.Table:
    rng = random.Random(seed)
    return population(
        [(i, rng.randrange(units), rng.choice("abc"), rng.choice(["x", "y"]), rng.random() * 1e6) for i in range(n)]
    )


def test_each_unit_gets_its_proportion_rounded_up_or_its_minimum_or_all():
    rows = [(i, 1, "a", "x") for i in range(30)] + [(100 + i, 2, "a", "x") for i in range(7)]
    rows += [(200 + i, 3, "a", "x") for i in range(2)]
    drawn = draw(population(rows), SamplingRule(Decimal("0.1"), 5, "s"))
    per_unit = Counter(drawn.sample.column("unit").to_pylist())
    # 10 % of 30 is exactly 3 (decimal, not 3.0000000000000004 → 4), below the minimum 5;
    # 7 → 5; 2 → all.
    assert per_unit == {1: 5, 2: 5, 3: 2}
    assert drawn.units.to_pylist() == [
        {"unit": 1, "population": 30, "quota": 5},
        {"unit": 2, "population": 7, "quota": 5},
        {"unit": 3, "population": 2, "quota": 2},
    ]
    drawn = draw(population(rows), SamplingRule(Decimal("0.1"), 0, "s"))
    assert Counter(drawn.sample.column("unit").to_pylist()) == {1: 3, 2: 1, 3: 1}


def test_every_stratum_is_drawn_once_when_the_quota_reaches_them_then_in_proportion():
    rows = [(i, 1, "a", "x") for i in range(80)] + [(100 + i, 1, "b", "x") for i in range(15)]
    rows += [(200 + i, 1, "b", "y") for i in range(5)]
    drawn = draw(population(rows), SamplingRule(Decimal("0.1"), 0, "s"))  # quota 10
    sample = drawn.sample
    strata = Counter(zip(sample["domain"].to_pylist(), sample["project_type"].to_pylist(), strict=True))
    # one each first; the other 7 over the rooms left (79, 14, 4 of 97): 5.70, 1.01, 0.29,
    # whole parts 5 + 1 + 0, the one left to the largest remainder (0.70)
    assert strata == {("a", "x"): 1 + 5 + 1, ("b", "x"): 1 + 1, ("b", "y"): 1}


def test_the_same_seed_draws_the_same_sample_whatever_the_rows_order_and_another_seed_another():
    table = big()
    rule = SamplingRule(Decimal("0.2"), 3, "2024-抽查-1")
    first = draw(table, rule).sample.column("id").to_pylist()
    shuffled = table.take(random.Random(1).sample(range(table.num_rows), table.num_rows))
    assert draw(shuffled, rule).sample.column("id").to_pylist() == first
    other = draw(table, SamplingRule(Decimal("0.2"), 3, "2024-抽查-2")).sample.column("id").to_pylist()
    assert len(other) == len(first) and set(other) != set(first)


def test_a_draw_is_uniform_within_a_stratum():
    """1,000 units of 40 records, 10 drawn in each: each place in a unit drawn about 250 times."""
    table = population([(u * 40 + i, u, "a", "x") for u in range(1000) for i in range(40)])
    ids = draw(table, SamplingRule(Decimal("0.25"), 0, "uniform")).sample["id"].to_pylist()
    hits = Counter(i % 40 for i in ids)
    assert sum(hits.values()) == 10000
    assert all(190 < n < 310 for n in hits.values()), hits  # (binomial: sd ≈ 13.7)


def test_weighting_by_amount_favours_the_large_amounts():
    """100 units of 50 small amounts and 10 large ones, 6 drawn in each."""
    rows = [(u * 100 + i, u, "a", "x", 1e8 if i < 10 else 1000.0) for u in range(100) for i in range(60)]
    large = {}
    for weighting in (Weighting.NONE, Weighting.AMOUNT):
        ids = draw(population(rows), SamplingRule(Decimal("0.1"), 0, "w", weighting)).sample["id"].to_pylist()
        large[weighting] = sum(i % 100 < 10 for i in ids)
    assert large[Weighting.AMOUNT] == 600  # all from the large amounts
    assert 50 < large[Weighting.NONE] < 150  # about one in six


def test_bad_rules_and_populations_are_refused():
    for proportion in ("0", "1.5", "-0.1"):
        with pytest.raises(ValueError):
            SamplingRule(Decimal(proportion), 1, "s")
    with pytest.raises(ValueError):
        SamplingRule(Decimal("0.1"), -1, "s")
    with pytest.raises(ValueError):
        SamplingRule(Decimal("0.1"), 1, "")
    with pytest.raises(ValueError, match="twice"):
        draw(population([(1, 1, "a", "x"), (1, 1, "a", "x")]), SamplingRule(Decimal("0.5"), 0, "s"))


def test_an_empty_population_draws_nothing():
    drawn = draw(population([]), SamplingRule(Decimal("0.5"), 3, "s"))
    assert drawn.sample.num_rows == 0 and drawn.units.num_rows == 0


def test_counties_drawn_per_league_weighted_and_reproducible():
    counties = pa.table({"id": [1, 2, 3, 4, 5], "parent": [9, 9, 9, 8, 8], "weight": [1.0, 1000.0, None, 2.0, 0.0]})
    first = draw_counties(counties, per_parent=2, seed="下沉")
    assert Counter(first.column("parent").to_pylist()) == {9: 2, 8: 2}
    assert first.column("id").to_pylist() == draw_counties(counties, per_parent=2, seed="下沉").column("id").to_pylist()
    heavy = sum(2 in draw_counties(counties, per_parent=1, seed=f"s{s}").column("id").to_pylist() for s in range(50))
    assert heavy >= 48  # weight 1000 against 1 and 1
    with pytest.raises(ValueError):
        draw_counties(counties, per_parent=0, seed="s")


def test_quota_sizes_hold_on_a_larger_population():
    table = big(20000, units=13)
    rule = SamplingRule(Decimal("0.15"), 10, "x")
    drawn = draw(table, rule)
    sizes = Counter(table.column("unit").to_pylist())
    assert Counter(drawn.sample.column("unit").to_pylist()) == {
        u: min(n, max(math.ceil(Decimal(n) * Decimal("0.15")), 10)) for u, n in sizes.items()
    }
