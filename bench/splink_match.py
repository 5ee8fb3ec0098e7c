"""Splink (DuckDB backend) on the enterprise-matching step of the three-way comparison:
the same mentions Ducha's `match` gets, deduplicated by a probabilistic model.

Input columns are prepared with Ducha's normalisation (`clean_uscc`, `organisation_code`,
`normalise_name`): Splink compares the cleaned code, the name's core, its region and its
legal form, so that the comparison is between the two ways of deciding, not between two
normalisers. Mentions Splink cannot tell apart (the same values in every column it sees)
are one record: a group enterprise is named tens of thousands of times, and scoring every
pair of its identical mentions would tell the model nothing and would not end (Ducha also
takes each distinct name and code apart once). Each mention takes its record's cluster.

The model as Splink's documentation builds one: the chance that two records match from
deterministic rules (the same code; the same core and legal form) with a guessed recall
of 0.9 (a guess of 0.7 for the stricter rule "same code and core" put it at a fifth of its
true value, and recall fell at every threshold), u by random sampling, m by expectation
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

# Blocking: a pair is scored only when the two records share one of these. A block holds the
# ways one enterprise is written (its name variants times its distinct codes), not its
# mentions; only mistyped names, each a new way, make it grow with how often it is named.
BLOCKS = (("uscc",), ("org_code",), ("core", "region"), ("core", "legal_form"))
REVIEW_FROM = 0.5  # a pair this likely but below the threshold is what a person would look at


@dataclass(frozen=True)
class SplinkResult:
    threshold: float
    clusters: list[str]  # per mention, in the order given
    review: int  # mentions of records with a pair in the review band (REVIEW_FROM up to the threshold) left apart
    records: int  # distinct records the model saw
    largest_block: int  # records sharing one blocking key (a record's candidates are at most 4 times this)
    pairs: int  # pairs scored by predict (within the blocks) at or above 0.01


COLUMNS = ("uscc", "org_code", "core", "region", "legal_form")


def records(mentions: pa.Table, regions: Regions) -> tuple[pa.Table, list[int]]:
    """The distinct records of Ducha's normalised columns, and each mention's record."""
    names, codes = mentions["name"].to_pylist(), mentions["uscc"].to_pylist()
    seen: dict[tuple, tuple] = {}  # (name, code) as written → the columns Splink sees
    for pair in set(zip(names, codes, strict=True)):
        cleaned, parts = clean_uscc(pair[1]), normalise_name(pair[0], regions)
        values = (cleaned, organisation_code(cleaned), parts.core, parts.region, parts.legal_form)
        seen[pair] = tuple(v or None for v in values)
    index: dict[tuple, int] = {}
    of_mention = [index.setdefault(seen[pair], len(index)) for pair in zip(names, codes, strict=True)]
    columns = {name: [values[i] for values in index] for i, name in enumerate(COLUMNS)}
    return pa.table({"unique_id": pa.array(range(len(index)), pa.int64()), **columns}), of_mention


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


def link(mentions: pa.Table, regions: Regions, thresholds: list[float], timer) -> list[SplinkResult]:
    """Clusters at each threshold; `timer(step)` marks the end of a step (the caller times them)."""
    table, of_mention = records(mentions, regions)
    timer("prepare")
    db_api = DuckDBAPI()
    linker = Linker(db_api.register(table, dataset_display_name="mentions"), settings(), log_level=logging.WARNING)
    training = linker.training
    # (rules that admit next to no false matches, as the docs ask; their recall a guess, as there)
    training.estimate_probability_two_random_records_match([block_on("uscc"), block_on("core", "legal_form")],
                                                           recall=0.9)  # fmt: skip
    training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    training.estimate_parameters_using_expectation_maximisation(block_on("uscc"), record_sample_proportion=1.0)
    training.estimate_parameters_using_expectation_maximisation(block_on("core"), record_sample_proportion=1.0)
    timer("train")
    predictions = linker.inference.predict(threshold_match_probability=0.01)
    results = []
    for threshold in thresholds:
        clustered = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, threshold)
        out = clustered.as_pyarrow_table().select(["unique_id", "cluster_id"])
        timer("predict and cluster" if not results else f"cluster at {threshold:g}")
        results.append((threshold, out))
    scored = predictions.as_pyarrow_table().select(["unique_id_l", "unique_id_r", "match_probability"])
    largest = max(_largest(table, columns) for columns in BLOCKS)
    return [_result(threshold, out, of_mention, scored, table.num_rows, largest) for threshold, out in results]


def _result(threshold: float, out: pa.Table, of_mention: list[int], scored: pa.Table, records: int,
            largest: int) -> SplinkResult:  # fmt: skip
    band = scored.filter(pc.and_(pc.greater_equal(scored["match_probability"], REVIEW_FROM),
                                 pc.less(scored["match_probability"], threshold)))  # fmt: skip
    cluster_of = dict(zip(out["unique_id"].to_pylist(), out["cluster_id"].to_pylist(), strict=True))
    doubtful = {
        record
        for left, right in zip(band["unique_id_l"].to_pylist(), band["unique_id_r"].to_pylist(), strict=True)
        if cluster_of[left] != cluster_of[right]
        for record in (left, right)
    }
    return SplinkResult(
        threshold=threshold,
        clusters=[str(cluster_of[r]) for r in of_mention],
        review=sum(r in doubtful for r in of_mention),
        records=records,
        largest_block=largest,
        pairs=scored.num_rows,
    )


def _largest(table: pa.Table, columns: tuple[str, ...]) -> int:
    keyed = table
    for column in columns:  # (a null key blocks nothing)
        keyed = keyed.filter(pc.is_valid(keyed[column]))
    counts = keyed.group_by(list(columns)).aggregate([("unique_id", "count")])["unique_id_count"]
    return pc.max(counts).as_py() or 0
