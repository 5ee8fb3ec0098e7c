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
distinct (source, name, code), an identity, and DuckDB hands each mention its identity's
link (a campaign's sources name each enterprise thousands of times).

    mentions: id, source, name, uscc  (MENTIONS)  → Matched(links, review)
    link_mentions(con, "mentions", …): the same inside a DuckDB connection (its table identity_links)
"""

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa
from rapidfuzz import fuzz, process

from ducha.analytics.enterprises import Name, Regions, clean_uscc, normalise_name, organisation_code
from ducha.core.uscc import is_valid_normalised

MENTIONS = pa.schema([("id", pa.int64()), ("source", pa.string()), ("name", pa.string()), ("uscc", pa.string())])


@dataclass(frozen=True)
class MatchSettings:
    threshold: float = 92.0  # rapidfuzz ratio (0–100) a fuzzy match needs
    margin: float = 5.0  # how far the runner-up must stay below
    max_candidates: int = 50  # a block larger than this is not compared (too common to tell)


@dataclass(frozen=True)
class Matched:
    links: pa.Table  # id, enterprise, tier, rule, evidence: one row per mention
    review: pa.Table  # id, tier, candidates, evidence: the mentions more than one enterprise fits


@dataclass(slots=True)
class _Mention:
    id: int
    source: str
    raw_name: str
    raw_code: str
    code: str
    name: Name


def match(mentions: pa.Table, regions: Regions, settings: MatchSettings | None = None) -> Matched:
    con = duckdb.connect()
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
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE identities AS
        SELECT row_number() OVER () AS identity, * FROM (
            SELECT source, coalesce(name, '') AS name, coalesce(uscc, '') AS uscc, count(*) AS mentions
            FROM {mentions} GROUP BY ALL)
    """)  # fmt: skip
    identities = con.sql("SELECT identity, source, name, uscc FROM identities").fetchall()
    linked, reviewed = _link(con, identities, regions, settings or MatchSettings())
    del identities
    con.register("linked", linked)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE identity_links AS
        SELECT i.source, i.name, i.uscc, i.mentions, l.enterprise, l.tier, l.rule, l.evidence
        FROM identities i JOIN linked l USING (identity)
    """)  # fmt: skip
    con.unregister("linked")
    con.register("reviewed", reviewed)
    review = con.sql(f"""
        SELECT m.id, r.tier, r.candidates, r.evidence
        FROM {mentions} m JOIN identities i
          ON i.source = m.source AND i.name = coalesce(m.name, '') AND i.uscc = coalesce(m.uscc, '')
        JOIN reviewed r USING (identity)
        ORDER BY r.position, m.id
    """).to_arrow_table()  # fmt: skip
    con.unregister("reviewed")
    con.execute("DROP TABLE identities")
    return review.cast(REVIEW)


REVIEW = pa.schema(
    [("id", pa.int64()), ("tier", pa.string()), ("candidates", pa.list_(pa.string())), ("evidence", pa.string())]
)


def _link(con: duckdb.DuckDBPyConnection, identities: list[tuple[Any, ...]], regions: Regions,
          settings: MatchSettings) -> tuple[pa.Table, pa.Table]:  # fmt: skip
    """The tiers over the identities (identity, source, name, code): their links, and the
    review list (identity, position, tier, candidates, evidence)."""
    # Each distinct name and code taken apart once: the same enterprise is named many times.
    names = {name: normalise_name(name, regions) for name in {r[2] for r in identities}}
    codes = {code: clean_uscc(code) for code in {r[3] for r in identities}}
    people = [_Mention(i, source, name, code, codes[code], names[name]) for i, source, name, code in identities]
    valid_codes = {code for code in set(codes.values()) if code and is_valid_normalised(code)}
    links: dict[int, tuple[str, str, str, str]] = {}  # id → (enterprise, tier, rule, evidence)
    review: list[tuple[int, str, list[str], str]] = []

    sources_of: dict[str, set[str]] = defaultdict(set)
    failing = []  # a code that fails its check
    for m in people:
        if m.code in valid_codes:
            same = "as written" if m.code == m.raw_code else f"cleaned from {m.raw_code!r}"
            links[m.id] = (m.code, "uscc", "valid code", same)
            sources_of[m.code].add(m.source)
        elif m.code:
            failing.append(m)
    _repair(con, failing, sources_of, links, review)
    by_org: dict[str, set[str]] = defaultdict(set)
    for code in sources_of:
        by_org[organisation_code(code)].add(code)
    for m in failing:
        if m.id in links or len(m.code) != 18:  # (in review too: no later tier links it)
            continue
        found = by_org.get(organisation_code(m.code), set())
        if len(found) == 1:
            (code,) = found
            links[m.id] = (code, "organisation_code", "characters 9–17 of one valid code", f"{m.code} → {code}")

    # The enterprises matched by code, by what their names say.
    by_key: dict[str, set[str]] = defaultdict(set)
    by_core_region: dict[tuple[str, str], set[str]] = defaultdict(set)
    cores: dict[str, set[str]] = defaultdict(set)  # enterprise → its cores
    rest = []  # not matched by code, with a name to go by
    for m in people:
        link = links.get(m.id)
        if link is None:
            if m.name.core:
                rest.append(m)
        elif link[1] != "unmatched" and m.name.core:
            enterprise = link[0]
            by_key[m.name.key].add(enterprise)
            if m.name.region:
                by_core_region[m.name.core, m.name.region].add(enterprise)
            cores[enterprise].add(m.name.core)

    for m in rest:
        for tier, rule, found in (
            ("name", "the same name but for region and legal form's wording", by_key.get(m.name.key, set())),
            ("name_region", "the same core and region", by_core_region.get((m.name.core, m.name.region), set())),
        ):
            if tier == "name_region" and not m.name.region:
                continue
            if len(found) == 1:
                (enterprise,) = found
                links[m.id] = (enterprise, tier, rule, f"{m.raw_name} ~ {enterprise}")
                break
            if len(found) > 1:
                review.append((m.id, tier, sorted(found), m.raw_name))
                links[m.id] = (f"name:{m.name.key}", "unmatched", "more than one enterprise fits", m.raw_name)
                break

    _fuzzy([m for m in rest if m.id not in links], cores, by_core_region, settings, links, review)
    for m in people:
        links.setdefault(m.id, (f"name:{m.name.key}", "unmatched", "no enterprise fits", m.raw_name))

    ids = [m.id for m in people]
    return (
        pa.table(
            {
                "identity": pa.array(ids, pa.int64()),
                "enterprise": [links[i][0] for i in ids],
                "tier": [links[i][1] for i in ids],
                "rule": [links[i][2] for i in ids],
                "evidence": [links[i][3] for i in ids],
            }
        ),
        pa.table(
            {
                "identity": pa.array([r[0] for r in review], pa.int64()),
                "position": pa.array(range(len(review)), pa.int64()),
                "tier": pa.array([r[1] for r in review], pa.string()),
                "candidates": pa.array([r[2] for r in review], pa.list_(pa.string())),
                "evidence": pa.array([r[3] for r in review], pa.string()),
            }
        ),
    )


def _repair(con: duckdb.DuckDBPyConnection, failing: list[_Mention], sources_of: dict[str, set[str]], links: dict,
            review: list) -> None:  # fmt: skip
    """Tier 2: the valid codes one character away that another source wrote."""
    near = _near_codes(con, [m for m in failing if len(m.code) == 18], sources_of)
    for m in failing:
        found = near.get(m.id, [])
        if len(found) == 1:
            (code,) = found
            position = next(i for i in range(18) if code[i] != m.code[i]) + 1
            links[m.id] = (code, "uscc_repaired", "one valid code one character away",
                           f"{m.code} → {code} (character {position})")  # fmt: skip
        elif len(found) > 1:
            review.append((m.id, "uscc_repaired", found, m.code))
            links[m.id] = (f"name:{m.name.key}", "unmatched", "more than one enterprise fits", m.code)


def _near_codes(con: duckdb.DuckDBPyConnection, failing: list[_Mention],
                sources_of: dict[str, set[str]]) -> dict[int, list[str]]:  # fmt: skip
    """For each failing 18-character code, the valid codes exactly one character away that
    a source other than its own wrote (sorted). One wrong character leaves one of three
    parts whole: characters 9–18, 1–8 with 14–18, or 1–13; DuckDB joins on each."""
    if not failing or not sources_of:
        return {}
    con.register("failing", pa.table({"identity": [m.id for m in failing], "source": [m.source for m in failing],
                                      "code": [m.code for m in failing]}))  # fmt: skip
    con.register("valid", pa.table({"code": list(sources_of), "sources": [sorted(s) for s in sources_of.values()]}))
    parts = ("substr({t}.code, 9)", "substr({t}.code, 1, 8) || substr({t}.code, 14)", "substr({t}.code, 1, 13)")
    joined = " UNION ".join(
        f"SELECT f.identity, f.source, f.code AS wrong, v.code, v.sources FROM failing f JOIN valid v "
        f"ON {part.format(t='f')} = {part.format(t='v')}"
        for part in parts
    )
    rows = con.sql(f"""
        SELECT identity, list(DISTINCT code ORDER BY code) FROM ({joined})
        WHERE hamming(wrong, code) = 1 AND sources <> [source]  -- (sources: distinct: another's too)
        GROUP BY identity
    """).fetchall()  # fmt: skip
    con.unregister("failing")
    con.unregister("valid")
    return dict(rows)


def _fuzzy(rest: list[_Mention], cores: dict[str, set[str]], by_core_region: dict, settings: MatchSettings,
           links: dict, review: list) -> None:  # fmt: skip
    """Tier 6: the unique best core among a small block (the same region, else the same first character)."""
    by_region: dict[str, list[tuple[str, str]]] = defaultdict(list)
    by_initial: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for (core, region), enterprises in by_core_region.items():
        for enterprise in enterprises:
            by_region[region].append((core, enterprise))
    for enterprise, names in cores.items():
        for core in names:
            by_initial[core[0]].append((core, enterprise))
    sizes: dict[tuple[str, str], int] = {}  # the enterprises of each block, counted once

    def size(kind: str, key: str, block: list[tuple[str, str]]) -> int:
        if (kind, key) not in sizes:
            sizes[kind, key] = len({e for _, e in block})
        return sizes[kind, key]

    for m in rest:
        kind, key = ("region", m.name.region) if m.name.region else ("initial", m.name.core[0])
        block = (by_region if kind == "region" else by_initial).get(key, [])
        if not block or size(kind, key, block) > settings.max_candidates:
            continue
        best: dict[str, float] = {}
        for core, score, _ in process.extract(m.name.core, [c for c, _ in block], scorer=fuzz.ratio, limit=None):
            for c, enterprise in block:
                if c == core:
                    best[enterprise] = max(best.get(enterprise, 0.0), score)
        ranked = sorted(best.items(), key=lambda kv: -kv[1])
        if not ranked or ranked[0][1] < settings.threshold:
            continue
        runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
        enterprise, score = ranked[0]
        if score - runner_up >= settings.margin:
            links[m.id] = (enterprise, "fuzzy", f"ratio ≥ {settings.threshold:g}, margin ≥ {settings.margin:g}",
                           f"{m.name.core} ~ {enterprise} ({score:.1f}, next {runner_up:.1f})")  # fmt: skip
        else:
            close = [e for e, s in ranked if score - s < settings.margin]
            review.append((m.id, "fuzzy", sorted(close), f"{m.name.core} ({score:.1f})"))
