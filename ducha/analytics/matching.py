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

    mentions: id, source, name, uscc  (MENTIONS)  → Matched(links, review)
"""

from collections import defaultdict
from dataclasses import dataclass

import pyarrow as pa
from rapidfuzz import fuzz, process

from ducha.analytics.enterprises import Name, Regions, clean_uscc, is_valid_uscc, normalise_name, organisation_code

MENTIONS = pa.schema([("id", pa.int64()), ("source", pa.string()), ("name", pa.string()), ("uscc", pa.string())])
_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


@dataclass(frozen=True)
class MatchSettings:
    threshold: float = 92.0  # rapidfuzz ratio (0–100) a fuzzy match needs
    margin: float = 5.0  # how far the runner-up must stay below
    max_candidates: int = 50  # a block larger than this is not compared (too common to tell)


@dataclass(frozen=True)
class Matched:
    links: pa.Table  # id, enterprise, tier, rule, evidence: one row per mention
    review: pa.Table  # id, tier, candidates, evidence: the mentions more than one enterprise fits


@dataclass
class _Mention:
    id: int
    source: str
    raw_name: str
    raw_code: str
    code: str
    name: Name


def match(mentions: pa.Table, regions: Regions, settings: MatchSettings | None = None) -> Matched:
    settings = settings or MatchSettings()
    rows = mentions.select(MENTIONS.names).cast(MENTIONS).to_pylist()
    # Each distinct name and code taken apart once: the same enterprise is named many times.
    names = {name: normalise_name(name, regions) for name in {r["name"] for r in rows}}
    codes = {code: clean_uscc(code) for code in {r["uscc"] for r in rows}}
    people = [
        _Mention(r["id"], r["source"], r["name"] or "", r["uscc"] or "", codes[r["uscc"]], names[r["name"]])
        for r in rows
    ]
    valid_codes = {code for code in set(codes.values()) if code and is_valid_uscc(code)}
    links: dict[int, tuple[str, str, str, str]] = {}  # id → (enterprise, tier, rule, evidence)
    review: list[tuple[int, str, list[str], str]] = []

    valid = [m for m in people if m.code in valid_codes]
    for m in valid:
        same = "as written" if m.code == m.raw_code else f"cleaned from {m.raw_code!r}"
        links[m.id] = (m.code, "uscc", "valid code", same)
    sources_of: dict[str, set[str]] = defaultdict(set)
    for m in valid:
        sources_of[m.code].add(m.source)

    failing = [m for m in people if m.code and m.id not in links]
    _repair(failing, sources_of, links, review)
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
    named = [m for m in people if m.id in links and links[m.id][1] != "unmatched"]
    by_key: dict[str, set[str]] = defaultdict(set)
    by_core_region: dict[tuple[str, str], set[str]] = defaultdict(set)
    cores: dict[str, set[str]] = defaultdict(set)  # enterprise → its cores
    for m in named:
        enterprise = links[m.id][0]
        if m.name.core:
            by_key[m.name.key].add(enterprise)
            if m.name.region:
                by_core_region[m.name.core, m.name.region].add(enterprise)
            cores[enterprise].add(m.name.core)

    rest = [m for m in people if m.id not in links and m.name.core]
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
    return Matched(
        links=pa.table(
            {
                "id": ids,
                "enterprise": [links[i][0] for i in ids],
                "tier": [links[i][1] for i in ids],
                "rule": [links[i][2] for i in ids],
                "evidence": [links[i][3] for i in ids],
            }
        ),
        review=pa.table(
            {
                "id": [r[0] for r in review],
                "tier": [r[1] for r in review],
                "candidates": [r[2] for r in review],
                "evidence": [r[3] for r in review],
            },
            schema=pa.schema(
                [
                    ("id", pa.int64()),
                    ("tier", pa.string()),
                    ("candidates", pa.list_(pa.string())),
                    ("evidence", pa.string()),
                ]
            ),
        ),
    )


def _repair(failing: list[_Mention], sources_of: dict[str, set[str]], links: dict, review: list) -> None:
    """Tier 2: the valid codes one character away that another source wrote."""
    for m in failing:
        if len(m.code) != 18:
            continue
        near = {
            candidate
            for i in range(18)
            for c in _ALPHABET
            if c != m.code[i]
            and (candidate := m.code[:i] + c + m.code[i + 1 :]) in sources_of
            and sources_of[candidate] - {m.source}
        }
        if len(near) == 1:
            (code,) = near
            position = next(i for i in range(18) if code[i] != m.code[i]) + 1
            links[m.id] = (code, "uscc_repaired", "one valid code one character away",
                           f"{m.code} → {code} (character {position})")  # fmt: skip
        elif len(near) > 1:
            review.append((m.id, "uscc_repaired", sorted(near), m.code))
            links[m.id] = (f"name:{m.name.key}", "unmatched", "more than one enterprise fits", m.code)


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
    for m in rest:
        block = by_region.get(m.name.region, []) if m.name.region else by_initial.get(m.name.core[0], [])
        if not block or len({e for _, e in block}) > settings.max_candidates:
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
