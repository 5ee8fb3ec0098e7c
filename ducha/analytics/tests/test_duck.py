"""Every DuckDB of the analytics opens through duck.connect: held to the configured memory
limit, spilling under the configured directory, never into `.tmp` in the working directory."""

from decimal import Decimal

import pyarrow as pa
import pytest

from ducha.analytics import duck, sampling
from ducha.analytics.redflags import collusion
from ducha.analytics.redflags.platform_synthetic import Spec, generate
from ducha.analytics.sampling_rule import SamplingRule


@pytest.fixture
def configured(tmp_path, monkeypatch):
    """The limits as the Django side hands them over, a working directory of its own."""
    work, spill = tmp_path / "work", tmp_path / "spill"
    work.mkdir()
    monkeypatch.chdir(work)
    before = duck._source
    duck.use_limits(lambda: duck.Limits("200MB", str(spill)))
    yield work, spill
    duck.use_limits(before)


def test_a_connection_takes_the_limits_and_spills_under_the_directory(configured):
    work, spill = configured
    with duck.connect() as con:
        limit, temp = con.sql("SELECT current_setting('memory_limit'), current_setting('temp_directory')").fetchall()[0]
        assert limit == "190.7 MiB" and temp.startswith(str(spill / "ducha-duckdb-"))
        con.execute("SET memory_limit = '40MB'")  # more than fits: the table goes to disk
        con.execute("CREATE TABLE t AS SELECT range AS i, md5(range::VARCHAR) AS h FROM range(2000000)")
        assert con.sql("SELECT count(DISTINCT h) FROM t").fetchall()[0] == (2_000_000,)
        spilled = [f for folder in spill.iterdir() for f in folder.iterdir()]
        assert any(f.stat().st_size > 0 for f in spilled)  # it spilled there
    assert list(spill.iterdir()) == [] and list(work.iterdir()) == []  # removed; no .tmp here


def test_the_engines_open_their_duckdb_through_it(configured):
    work, spill = configured
    population = pa.table({"id": [1, 2, 3], "unit": [1, 1, 2], "domain": ["a"] * 3, "project_type": ["x"] * 3,
                           "amount": [1.0] * 3, "flags": [0] * 3})  # fmt: skip
    assert sampling.draw(population, SamplingRule(proportion=Decimal("0.5"), minimum=1, seed="s")).sample.num_rows
    collusion.run(generate(Spec(lots=30, planted=1, bidders=40, experts=20)).rows)
    assert spill.is_dir() and list(spill.iterdir()) == []  # made by the helper, each run's folder removed
    assert list(work.iterdir()) == []


def test_an_engine_may_be_given_its_own_limits(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with duck.connect(duck.Limits("1GB", str(tmp_path / "own"))) as con:
        assert con.sql("SELECT current_setting('temp_directory')").fetchall()[0][0].startswith(str(tmp_path / "own"))
    assert [p.name for p in tmp_path.iterdir()] == ["own"]
