"""Proportional sampling (按比例抽查), stratified and reproducible.

Each unit's quota is at least `proportion` of its population (rounded up, in exact
decimal arithmetic) and at least `minimum` (all of it when it has fewer). The quota is
shared among the unit's strata (domain × project type): one to each stratum first when
the quota reaches them all, the rest in proportion to their sizes by the largest
remainder. Within a stratum the records with the highest keys are drawn: a key is a
uniform number made from the seed and the record's id (MD5), so the same seed draws the
same sample from the same population whatever the order of its rows; with a weight
the key is ln(u) / weight (Efraimidis–Spirakis: drawn with probability in proportion
to the weight, without replacement).

    population: id, unit, domain, project_type, amount, flags  (see POPULATION)
    draw(population, SamplingRule(...)) -> Drawn(sample, units)
"""

from dataclasses import dataclass

import pyarrow as pa

from ducha.analytics.duck import connect
from ducha.analytics.sampling_rule import SamplingRule, Weighting

POPULATION = pa.schema(
    [
        ("id", pa.int64()),
        ("unit", pa.int64()),
        ("domain", pa.string()),
        ("project_type", pa.string()),
        ("amount", pa.float64()),  # yuan; None when not known
        ("flags", pa.int64()),  # red flags raised on the record (0 when none)
    ]
)


@dataclass(frozen=True)
class Drawn:
    sample: pa.Table  # id, unit, domain, project_type, key: the drawn records, by unit and key
    units: pa.Table  # unit, population, quota: one row per unit


_WEIGHT = {
    Weighting.NONE: "1.0",
    Weighting.AMOUNT: "GREATEST(COALESCE(amount, 0), 1)",
    Weighting.FLAGS: "1 + COALESCE(flags, 0)",
}

# A uniform number in (0, 1) from the seed and an id: 52 bits of their MD5.
_UNIFORM = "((('0x' || substr(md5($seed || ':' || CAST({id} AS VARCHAR)), 1, 13))::BIGINT + 0.5) / 4503599627370496.0)"

_SQL = """
WITH pop AS (
    SELECT id, unit, COALESCE(domain, '') AS domain, COALESCE(project_type, '') AS project_type, amount, flags
    FROM population
),
units AS (
    SELECT unit, COUNT(*) AS n,
           LEAST(COUNT(*), GREATEST(CAST(CEIL(COUNT(*) * $proportion) AS BIGINT), $minimum)) AS k
    FROM pop GROUP BY unit
),
strata AS (
    SELECT p.unit, p.domain, p.project_type, COUNT(*) AS size, ANY_VALUE(u.n) AS n, ANY_VALUE(u.k) AS k
    FROM pop p JOIN units u USING (unit) GROUP BY p.unit, p.domain, p.project_type
),
counted AS (
    SELECT *, COUNT(*) OVER (PARTITION BY unit) AS nstrata FROM strata
),
base AS (  -- one to each stratum first when the quota reaches every stratum
    SELECT *, CASE WHEN k >= nstrata THEN 1 ELSE 0 END AS first,
           CASE WHEN k >= nstrata THEN size - 1 ELSE size END AS room,
           CASE WHEN k >= nstrata THEN k - nstrata ELSE k END AS rest,
           CASE WHEN k >= nstrata THEN n - nstrata ELSE n END AS total_room
    FROM counted
),
shares AS (  -- the rest in proportion to the room left: whole parts, then largest remainders
    SELECT *, CASE WHEN total_room = 0 THEN 0 ELSE (rest * room) // total_room END AS whole,
           CASE WHEN total_room = 0 THEN 0 ELSE (rest * room) % total_room END AS remainder
    FROM base
),
placed AS (
    SELECT *, rest - SUM(whole) OVER (PARTITION BY unit) AS left_over,
           ROW_NUMBER() OVER (
               PARTITION BY unit ORDER BY remainder DESC, md5($seed || ':' || domain || '/' || project_type)
           ) AS place
    FROM shares
),
allocation AS (
    SELECT unit, domain, project_type, first + whole + CASE WHEN place <= left_over THEN 1 ELSE 0 END AS take
    FROM placed
),
keyed AS (
    SELECT id, unit, domain, project_type, ln({uniform}) / ({weight}) AS key FROM pop
),
ranked AS (
    SELECT *, ROW_NUMBER() OVER (PARTITION BY unit, domain, project_type ORDER BY key DESC, id) AS r FROM keyed
)
SELECT r.id, r.unit, r.domain, r.project_type, r.key
FROM ranked r JOIN allocation a USING (unit, domain, project_type)
WHERE r.r <= a.take
ORDER BY r.unit, r.key DESC, r.id
"""


def draw(population: pa.Table, rule: SamplingRule) -> Drawn:
    """The sample a rule draws from a population (POPULATION's columns)."""
    population = population.select(POPULATION.names).cast(POPULATION)
    if len(set(population.column("id").to_pylist())) != population.num_rows:
        raise ValueError("the population names a record twice")
    with connect() as con:
        con.register("population", population)
        params = {"seed": rule.seed, "proportion": rule.proportion, "minimum": rule.minimum}
        sql = _SQL.format(uniform=_UNIFORM.format(id="id"), weight=_WEIGHT[Weighting(rule.weighting)])
        sample = con.sql(sql, params=params).to_arrow_table()
        units = con.sql(
            "SELECT unit, COUNT(*) AS population, "
            "LEAST(COUNT(*), GREATEST(CAST(CEIL(COUNT(*) * $proportion) AS BIGINT), $minimum)) AS quota "
            "FROM population GROUP BY unit ORDER BY unit",
            params={"proportion": rule.proportion, "minimum": rule.minimum},
        ).to_arrow_table()
    return Drawn(sample=sample, units=units)


COUNTIES = pa.schema([("id", pa.int64()), ("parent", pa.int64()), ("weight", pa.float64())])


def draw_counties(counties: pa.Table, *, per_parent: int, seed: str) -> pa.Table:
    """Counties for site visits (下沉旗县): `per_parent` of each league/city's counties (all
    when it has fewer), with probability in proportion to their weight (e.g. their
    projects; 0 or none counts as 1). Columns id, parent, weight → id, parent, key."""
    if per_parent < 1:
        raise ValueError(f"per_parent must be at least 1, not {per_parent}")
    if not seed:
        raise ValueError("a draw needs a seed")
    counties = counties.select(COUNTIES.names).cast(COUNTIES)
    with connect() as con:
        con.register("counties", counties)
        sql = f"""
            WITH keyed AS (
                SELECT id, parent, ln({_UNIFORM.format(id="id")}) / GREATEST(COALESCE(weight, 0), 1) AS key
                FROM counties
            )
            SELECT id, parent, key FROM (
                SELECT *, ROW_NUMBER() OVER (PARTITION BY parent ORDER BY key DESC, id) AS r FROM keyed
            ) WHERE r <= $per_parent ORDER BY parent, key DESC, id
        """
        return con.sql(sql, params={"seed": seed, "per_parent": per_parent}).to_arrow_table()
