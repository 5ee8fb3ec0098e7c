"""Splink (DuckDB backend) on the enterprise-matching step of the three-way comparison:
the same mentions Ducha's `match` gets, deduplicated by a probabilistic model.

Input columns are prepared with Ducha's normalisation (`clean_uscc`, `organisation_code`,
`normalise_name`): Splink compares the cleaned code, the name's core, its region and its
legal form, so that the comparison is between the two ways of deciding, not between two
normalisers. Identical mentions (the same name and code as written) are one record with
a count: a group enterprise is named tens of thousands of times, and scoring every pair of
its identical mentions would tell the model nothing (Ducha also takes each distinct name
and code apart once).

The model as Splink's documentation builds one: the chance that two records match from a
deterministic rule (same code and core), u by random sampling, m by expectation
maximisation on two blocks (same code; same core), pairs scored within the blocking
rules, clusters by connected components at a match probability.
"""

import logging
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

from ducha.analytics.enterprises import Regions, clean_uscc, normalise_name, organisation_code

# Blocking: a pair is scored only when the two records share one of these. Each is bounded
# by how many ways one enterprise is written (its name variants times its distinct codes),
# never by how often it is named.
BLOCKS = (("uscc",), ("org_code",), ("core", "region"), ("core", "legal_form"))
REVIEW_FROM = 0.5  # a pair this likely but below the threshold is what a person would look at


@dataclass(frozen=True)
class SplinkResult:
    clusters: list[str]  # per mention, in the order given
    unlinked: int  # mentions whose record no other record was linked to
    review: int  # of these, those with a pair in the clerical-review band (REVIEW_FROM up to the threshold)
    largest_block: int  # records sharing one blocking key (a record's candidates are at most 4 times this)
    records: int  # distinct (name, code) records the model saw
    pairs: int  # pairs scored by predict (within the blocks)


def records(mentions: pa.Table, regions: Regions) -> tuple[pa.Table, list[int]]:
    """The distinct (name, code) records with Ducha's normalised columns, and each mention's record."""
    names, codes = mentions["name"].to_pylist(), mentions["uscc"].to_pylist()
    index: dict[tuple, int] = {}
    of_mention = [index.setdefault((n, c), len(index)) for n, c in zip(names, codes, strict=True)]
    rows = []
    for (name, code), uid in index.items():
        cleaned, parts = clean_uscc(code), normalise_name(name, regions)
        rows.append(
            {
                "unique_id": uid,
                "uscc": cleaned or None,
                "org_code": organisation_code(cleaned) or None,
                "core": parts.core or None,
                "region": parts.region or None,
                "legal_form": parts.legal_form or None,
            }
        )
    return pa.Table.from_pylist(rows), of_mention


def settings() -> SettingsCreator:
    return SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.JaroWinklerAtThresholds("core", [0.92, 0.8]),  # exact, then close, then far
            cl.CustomComparison(
                [  # the code: the same, one or two characters off (mistypes), the same organisation code, else
                    cll.NullLevel("uscc"),
                    cll.ExactMatchLevel("uscc"),
                    cll.LevenshteinLevel("uscc", 1),
                    cll.LevenshteinLevel("uscc", 2),
                    cll.ExactMatchLevel("org_code"),
                    cll.ElseLevel(),
                ],
                output_column_name="uscc",
            ),
            cl.ExactMatch("region"),
            cl.ExactMatch("legal_form"),
        ],
        blocking_rules_to_generate_predictions=[block_on(*columns) for columns in BLOCKS],
        retain_intermediate_calculation_columns=False,
    )


def link(mentions: pa.Table, regions: Regions, threshold: float, timer) -> SplinkResult:
    """`timer(step)` marks the end of a step (the caller times them)."""
    table, of_mention = records(mentions, regions)
    timer("prepare")
    db_api = DuckDBAPI()
    linker = Linker(db_api.register(table, dataset_display_name="mentions"), settings(), log_level=logging.WARNING)
    training = linker.training
    training.estimate_probability_two_random_records_match([block_on("uscc", "core")], recall=0.7)
    training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    training.estimate_parameters_using_expectation_maximisation(block_on("uscc"), record_sample_proportion=1.0)
    training.estimate_parameters_using_expectation_maximisation(block_on("core"), record_sample_proportion=1.0)
    timer("train")
    predictions = linker.inference.predict(threshold_match_probability=0.01)
    clustered = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, threshold)
    timer("predict and cluster")
    scored = predictions.as_pyarrow_table().select(["unique_id_l", "unique_id_r", "match_probability"])
    band = scored.filter(pc.and_(pc.greater_equal(scored["match_probability"], REVIEW_FROM),
                                 pc.less(scored["match_probability"], threshold)))  # fmt: skip
    doubtful = set(band["unique_id_l"].to_pylist()) | set(band["unique_id_r"].to_pylist())
    out = clustered.as_pyarrow_table().select(["unique_id", "cluster_id"])
    cluster_of = dict(zip(out["unique_id"].to_pylist(), out["cluster_id"].to_pylist(), strict=True))
    sizes = pc.value_counts(out["cluster_id"]).to_pylist()
    alone = {s["values"] for s in sizes if s["counts"] == 1}
    clusters = [str(cluster_of[r]) for r in of_mention]
    return SplinkResult(
        clusters=clusters,
        unlinked=sum(cluster_of[r] in alone for r in of_mention),
        review=sum(cluster_of[r] in alone and r in doubtful for r in of_mention),
        largest_block=max(_largest(table, columns) for columns in BLOCKS),
        records=table.num_rows,
        pairs=scored.num_rows,
    )


def _largest(table: pa.Table, columns: tuple[str, ...]) -> int:
    keyed = table
    for column in columns:  # (a null key blocks nothing)
        keyed = keyed.filter(pc.is_valid(keyed[column]))
    counts = keyed.group_by(list(columns)).aggregate([("unique_id", "count")])["unique_id_count"]
    return pc.max(counts).as_py() or 0
