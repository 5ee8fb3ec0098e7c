"""Which enterprise each mention names (三方比对, step 2): the enterprises named in the
exchange's records, the registry's changes and the self-reports, matched in tiers, each
tier trusted less than the one before and used only for what the earlier ones left:

1. `uscc`: a valid unified social credit code (GB 32100-2015), as written or cleaned;
2. `uscc_repaired`: a code failing its check with exactly one valid code, among those
   the other sources wrote, one character away (a mistyped character);
3. `organisation_code`: a failing code whose characters 9–17 (the organisation code)
   are those of exactly one valid code;
4. `name`: the name's key (core, legal form, branch; region and brackets dropped) is
   that of exactly one enterprise matched by code;
5. `name_region`: the core and the region are those of exactly one such enterprise;
6. `fuzzy`: the core is like exactly one such enterprise's core (rapidfuzz ratio at or
   above `threshold`, the runner-up at least `margin` below), among at most
   `max_candidates` candidates sharing the region or the core's first character.

A mention two or more enterprises fit equally goes to the review list with them, never
linked silently; a mention nothing fits stands for itself (its enterprise is its name's
key, so that mentions with the same name still meet). Every link keeps its tier, rule
and evidence.

A mention's link depends only on its source, name and code: the tiers run once per
distinct (source, name, code), an identity, in DuckDB; Python sees each distinct code and
name once, a batch at a time (cleaned and checked, taken apart: enterprises.py), and the
few mentions the exact tiers leave (the fuzzy tier). A campaign's sources name each
enterprise thousands of times, and a province's registry holds millions of rows.

    mentions: id, source, name, uscc  (MENTIONS)  → Matched(links, review)
    link_mentions(con, "mentions", …): the same inside a DuckDB connection (its table identity_links)
"""

from dataclasses import dataclass

import duckdb
import pyarrow as pa
from rapidfuzz import fuzz, process

from ducha.analytics.duck import connect
from ducha.analytics.enterprises import Regions, clean_uscc, normalise_name
from ducha.core.uscc import is_valid_normalised

MENTIONS = pa.schema([("id", pa.int64()), ("source", pa.string()), ("name", pa.string()), ("uscc", pa.string())])
REVIEW = pa.schema(
    [("id", pa.int64()), ("tier", pa.string()), ("candidates", pa.list_(pa.string())), ("evidence", pa.string())]
)
BATCH = 100_000  # distinct names or codes handed to Python at a time


@dataclass(frozen=True)
class MatchSettings:
    threshold: float = 92.0  # rapidfuzz ratio (0–100) a fuzzy match needs
    margin: float = 5.0  # how far the runner-up must stay below
    max_candidates: int = 50  # a block larger than this is not compared (too common to tell)


@dataclass(frozen=True)
class Matched:
    links: pa.Table  # id, enterprise, tier, rule, evidence: one row per mention
    review: pa.Table  # id, tier, candidates, evidence: the mentions more than one enterprise fits


def match(mentions: pa.Table, regions: Regions, settings: MatchSettings | None = None) -> Matched:
    with connect() as con:
        con.register("given", mentions.select(MENTIONS.names).cast(MENTIONS))
        review = link_mentions(con, "given", regions, settings)
        links = con.sql(f"SELECT m.id, l.enterprise, l.tier, l.rule, l.evidence FROM given m {of_mention('l', 'm')}")
        return Matched(links.to_arrow_table(), review)


def of_mention(alias: str, row: str, source: str = "", name: str = "name", uscc: str = "uscc") -> str:
    """The join that gives a mention (row `row`'s columns `name` and `uscc`, of `source` or
    of the row's own `source` column) its link, as `alias`: enterprise, tier, rule, evidence."""
    written = f"'{source}'" if source else f"{row}.source"
    return (
        f"JOIN identity_links {alias} ON {alias}.source = {written} AND {alias}.name = coalesce({row}.{name}, '') "
        f"AND {alias}.uscc = coalesce({row}.{uscc}, '')"
    )


def link_mentions(con: duckdb.DuckDBPyConnection, mentions: str, regions: Regions,
                  settings: MatchSettings | None = None) -> pa.Table:  # fmt: skip
    """Every mention of the table or view `mentions` (id, source, name, uscc) linked: the
    table `identity_links` (source, name, uscc, mentions, enterprise, tier, rule, evidence:
    one row per identity; join a mention to it with of_mention) made in `con`; the review
    list (per mention) returned."""
    settings = settings or MatchSettings()
    con.execute(f"""
        CREATE OR REPLACE TABLE identities AS
        SELECT row_number() OVER (ORDER BY source, name, uscc) AS identity, * FROM (
            SELECT source, coalesce(name, '') AS name, coalesce(uscc, '') AS uscc, count(*) AS mentions
            FROM {mentions} GROUP BY ALL);
        CREATE OR REPLACE TABLE links (identity BIGINT, enterprise VARCHAR, tier VARCHAR, rule VARCHAR,
                                       evidence VARCHAR);
        CREATE OR REPLACE TABLE review (identity BIGINT, phase INTEGER, tier VARCHAR, candidates VARCHAR[],
                                        evidence VARCHAR);
    """)  # fmt: skip
    _codes(con)
    _names(con, regions)
    con.execute(_BY_CODE)
    _repair(con)
    con.execute(_BY_NAME)
    _fuzzy(con, settings)
    con.execute("""
        INSERT INTO links
        SELECT i.identity, 'name:' || n.key, 'unmatched', 'no enterprise fits', i.name
        FROM identities i JOIN names n ON n.raw = i.name ANTI JOIN links l ON l.identity = i.identity;
        CREATE OR REPLACE TABLE identity_links AS
        SELECT i.source, i.name, i.uscc, i.mentions, l.enterprise, l.tier, l.rule, l.evidence
        FROM identities i JOIN links l USING (identity);
    """)  # fmt: skip
    review = con.sql(f"""
        SELECT m.id, r.tier, r.candidates, r.evidence
        FROM {mentions} m JOIN identities i
          ON i.source = m.source AND i.name = coalesce(m.name, '') AND i.uscc = coalesce(m.uscc, '')
        JOIN review r USING (identity)
        ORDER BY r.phase, r.identity, m.id
    """).to_arrow_table()  # fmt: skip
    con.execute("DROP TABLE identities; DROP TABLE links; DROP TABLE review; DROP TABLE codes; DROP TABLE names")
    return review.cast(REVIEW)


def _each_batch(con: duckdb.DuckDBPyConnection, query: str):
    """The values of a one-column query, BATCH at a time, as Python lists."""
    column = con.sql(query).to_arrow_table().column(0)
    for start in range(0, len(column), BATCH):
        yield column.slice(start, BATCH).to_pylist()


def _codes(con: duckdb.DuckDBPyConnection) -> None:
    """Each distinct code as written: cleaned (case, spaces, full width), and whether it is valid."""
    con.execute("CREATE OR REPLACE TABLE codes (raw VARCHAR, code VARCHAR, valid BOOLEAN, cleaned VARCHAR)")
    for raws in _each_batch(con, "SELECT DISTINCT uscc FROM identities"):
        codes = [clean_uscc(raw) for raw in raws]
        batch = pa.table({
            "raw": raws, "code": codes, "valid": [bool(c) and is_valid_normalised(c) for c in codes],
            "cleaned": [f"cleaned from {raw!r}" for raw in raws],
        })  # fmt: skip
        con.register("batch", batch)
        con.execute("INSERT INTO codes SELECT * FROM batch")
        con.unregister("batch")


def _names(con: duckdb.DuckDBPyConnection, regions: Regions) -> None:
    """Each distinct name taken apart (enterprises.normalise_name): its key, core and region."""
    con.execute("CREATE OR REPLACE TABLE names (raw VARCHAR, key VARCHAR, core VARCHAR, region VARCHAR)")
    for raws in _each_batch(con, "SELECT DISTINCT name FROM identities"):
        names = [normalise_name(raw, regions) for raw in raws]
        batch = pa.table({"raw": raws, "key": [n.key for n in names], "core": [n.core for n in names],
                          "region": [n.region for n in names]})  # fmt: skip
        con.register("batch", batch)
        con.execute("INSERT INTO names SELECT * FROM batch")
        con.unregister("batch")


# Tier 1, valid codes; which sources wrote each; the codes that fail their check.
_BY_CODE = """
INSERT INTO links
SELECT i.identity, c.code, 'uscc', 'valid code', CASE WHEN c.code = i.uscc THEN 'as written' ELSE c.cleaned END
FROM identities i JOIN codes c ON c.raw = i.uscc WHERE c.valid;
CREATE OR REPLACE TABLE valid AS
SELECT c.code, list(DISTINCT i.source ORDER BY i.source) AS sources
FROM identities i JOIN codes c ON c.raw = i.uscc WHERE c.valid GROUP BY c.code;
CREATE OR REPLACE TABLE failing AS
SELECT i.identity, i.source, c.code, n.key
FROM identities i JOIN codes c ON c.raw = i.uscc JOIN names n ON n.raw = i.name
WHERE NOT c.valid AND c.code <> '';
"""


def _repair(con: duckdb.DuckDBPyConnection) -> None:
    """Tiers 2 and 3 for the failing codes: one valid code one character away that another
    source wrote (one wrong character leaves one of three parts whole: characters 9–18,
    1–8 with 14–18, or 1–13; DuckDB joins on each), else one valid code with the same
    characters 9–17 (the organisation code)."""
    parts = ("substr({t}.code, 9)", "substr({t}.code, 1, 8) || substr({t}.code, 14)", "substr({t}.code, 1, 13)")
    joined = " UNION ".join(
        f"SELECT f.identity, f.source, f.code AS wrong, v.code, v.sources FROM failing f JOIN valid v "
        f"ON {part.format(t='f')} = {part.format(t='v')} WHERE length(f.code) = 18"
        for part in parts
    )
    near = con.sql(f"""
        SELECT f.identity, f.code, f.key, n.found FROM failing f JOIN (
            SELECT identity, list(DISTINCT code ORDER BY code) AS found FROM ({joined})
            WHERE hamming(wrong, code) = 1 AND sources <> [source]  -- (distinct: another source's too)
            GROUP BY identity) n USING (identity)
    """).fetchall()  # fmt: skip
    links, review = [], []
    for identity, wrong, key, found in near:
        if len(found) == 1:
            (code,) = found
            position = next(i for i in range(18) if code[i] != wrong[i]) + 1
            links.append((identity, code, "uscc_repaired", "one valid code one character away",
                          f"{wrong} → {code} (character {position})"))  # fmt: skip
        else:
            review.append((identity, 0, "uscc_repaired", found, wrong))
            links.append((identity, f"name:{key}", "unmatched", "more than one enterprise fits", wrong))
    _insert(con, links, review)
    con.execute("""
        INSERT INTO links
        SELECT f.identity, any_value(v.code), 'organisation_code', 'characters 9–17 of one valid code',
               f.code || ' → ' || any_value(v.code)
        FROM failing f JOIN valid v ON substr(f.code, 9, 9) = substr(v.code, 9, 9)
        WHERE length(f.code) = 18 AND f.identity NOT IN (SELECT identity FROM links)
        GROUP BY f.identity, f.code HAVING count(DISTINCT v.code) = 1;
        DROP TABLE valid; DROP TABLE failing;
    """)  # fmt: skip


_COLUMNS = {"links": ("identity", "enterprise", "tier", "rule", "evidence"),
            "review": ("identity", "phase", "tier", "candidates", "evidence")}  # fmt: skip


def _insert(con: duckdb.DuckDBPyConnection, links: list[tuple], review: list[tuple]) -> None:
    """Rows added to `links` and `review` as one Arrow table each (DuckDB's executemany runs a
    statement per row)."""
    for table, rows in (("links", links), ("review", review)):
        columns = _COLUMNS[table]
        if rows:
            con.register("added", pa.table({c: [r[i] for r in rows] for i, c in enumerate(columns)}))
            con.execute(f"INSERT INTO {table} SELECT * FROM added")
            con.unregister("added")


# Tiers 4 and 5: the enterprises matched by code, by what their names say (named), and the
# identities left with a name to go by (rest): the same key, else the same core and region.
_BY_NAME = """
CREATE OR REPLACE TABLE named AS
SELECT DISTINCT l.enterprise, n.key, n.core, n.region
FROM links l JOIN identities i USING (identity) JOIN names n ON n.raw = i.name
WHERE l.tier <> 'unmatched' AND n.core <> '';
CREATE OR REPLACE TABLE rest AS
SELECT i.identity, i.name, n.key, n.core, n.region
FROM identities i JOIN names n ON n.raw = i.name ANTI JOIN links l ON l.identity = i.identity
WHERE n.core <> '';
CREATE OR REPLACE TABLE hits AS
SELECT r.identity, any_value(r.name) AS name, any_value(r.key) AS key, 'name' AS tier,
       'the same name but for region and legal form''s wording' AS rule,
       list(DISTINCT k.enterprise ORDER BY k.enterprise) AS found
FROM rest r JOIN named k ON k.key = r.key GROUP BY r.identity;
INSERT INTO hits
SELECT r.identity, any_value(r.name), any_value(r.key), 'name_region', 'the same core and region',
       list(DISTINCT k.enterprise ORDER BY k.enterprise)
FROM rest r JOIN named k ON k.core = r.core AND k.region = r.region
WHERE r.region <> '' AND r.identity NOT IN (SELECT identity FROM hits) GROUP BY r.identity;
INSERT INTO links
SELECT identity, found[1], tier, rule, name || ' ~ ' || found[1] FROM hits WHERE len(found) = 1;
INSERT INTO links
SELECT identity, 'name:' || key, 'unmatched', 'more than one enterprise fits', name FROM hits WHERE len(found) > 1;
INSERT INTO review SELECT identity, 1, tier, found, name FROM hits WHERE len(found) > 1;
DROP TABLE hits;
"""


def _fuzzy(con: duckdb.DuckDBPyConnection, settings: MatchSettings) -> None:
    """Tier 6: the unique best core among a small block of named enterprises: those of the
    identity's region, else those with a core of the same first character. A block of more
    than max_candidates enterprises is not compared."""
    left = con.sql("""
        SELECT r.identity, r.core, r.region FROM rest r ANTI JOIN links l ON l.identity = r.identity
        ORDER BY r.identity
    """).fetchall()  # fmt: skip
    blocks: dict[tuple[str, str], list[tuple[str, str]]] = {}  # (kind, key) → [(core, enterprise)], when small
    wanted = {("region", region) if region else ("initial", core[0]) for _, core, region in left}
    for kind, key in sorted(wanted):
        where = "region = $key" if kind == "region" else "left(core, 1) = $key"
        count = f"SELECT count(DISTINCT enterprise) FROM named WHERE {where}"
        ((size,),) = con.sql(count, params={"key": key}).fetchall()
        if 0 < size <= settings.max_candidates:
            pairs = f"SELECT DISTINCT core, enterprise FROM named WHERE {where} ORDER BY core, enterprise"
            blocks[kind, key] = con.sql(pairs, params={"key": key}).fetchall()
    links, review = [], []
    for identity, core, region in left:
        block = blocks.get(("region", region) if region else ("initial", core[0]))
        if not block:
            continue
        best: dict[str, float] = {}
        for found, score, _ in process.extract(core, [c for c, _ in block], scorer=fuzz.ratio, limit=None):
            for c, enterprise in block:
                if c == found:
                    best[enterprise] = max(best.get(enterprise, 0.0), score)
        ranked = sorted(best.items(), key=lambda kv: -kv[1])
        if not ranked or ranked[0][1] < settings.threshold:
            continue
        runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
        enterprise, score = ranked[0]
        if score - runner_up >= settings.margin:
            rule = f"ratio ≥ {settings.threshold:g}, margin ≥ {settings.margin:g}"
            evidence = f"{core} ~ {enterprise} ({score:.1f}, next {runner_up:.1f})"
            links.append((identity, enterprise, "fuzzy", rule, evidence))
        else:
            close = [e for e, s in ranked if score - s < settings.margin]
            review.append((identity, 2, "fuzzy", sorted(close), f"{core} ({score:.1f})"))
    _insert(con, links, review)
    con.execute("DROP TABLE named; DROP TABLE rest")
