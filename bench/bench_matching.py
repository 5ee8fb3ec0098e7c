"""Ducha's enterprise matching beside Splink's (DuckDB backend) on the same mentions: the
enterprises named in the exchange's, the registry's and the self-reports' rows of the
synthetic data (ducha/analytics/synthetic.py), each tool in its own child process.

    uv sync --group bench
    .venv/bin/python bench/bench_matching.py                    # 20,000 deals, default noise
    .venv/bin/python bench/bench_matching.py --deals 100000 --threshold 0.95,0.8,0.5
    .venv/bin/python bench/bench_matching.py --noise 3 --name-typos 0.1 --tools splink

The parent generates the data once and hands the mentions to each child as Parquet, so
that a child's time and peak RSS are its tool's (with the mentions table, not the
generator). Truth: the generator draws its noise from a stream of its own, so the same
Spec without noise writes the same rows with every code as the enterprise's own; a
mention's true enterprise is the code its row carries in that twin (checked: the rows line
up). The generator never misspells a name's core (its variants are region, brackets and
legal form); --name-typos adds that: one character of the core replaced in that share of
the mentions (the core found from the twin's name), the same for both tools. Scores:
pairwise precision and recall of "the same enterprise" over all pairs of mentions (the
often-named enterprises weigh most: n mentions are n(n-1)/2 pairs), and B-cubed (each
mention's share of its cluster that is right, and of its enterprise that it was put
with, averaged over mentions).
"""

import argparse
import dataclasses
import json
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ducha.analytics.synthetic import (  # noqa: E402
    NO_NOISE,
    Noise,
    Spec,
    Synthetic,
    generate,
    inner_mongolia_regions,
)

# Where each source names an enterprise: (table, name column, code column).
MENTIONED = (
    ("exchange", "target_name", "target_uscc"),
    ("exchange", "transferor_name", "transferor_uscc"),
    ("exchange", "transferee_name", "transferee_uscc"),
    ("registry", "name", "uscc"),
    ("registry", "holder_name", "holder_uscc"),
    ("self_reports", "target_name", "target_uscc"),
    ("self_reports", "counterparty_name", "counterparty_uscc"),
)
TOOLS = ("ducha", "splink")
_CJK = (0x4E00, 0x9FA5)  # a mistyped character: any of the block's, so that two typos rarely make one name


def mentions(data: Synthetic) -> pa.Table:
    parts = [
        pa.table(
            {
                "source": pa.array([table] * getattr(data, table).num_rows, pa.string()),
                "name": getattr(data, table)[name].cast(pa.string()),
                "uscc": getattr(data, table)[code].cast(pa.string()),
            }
        )
        for table, name, code in MENTIONED
    ]
    joined = pa.concat_tables(parts)
    return joined.add_column(0, "id", pa.array(range(joined.num_rows), pa.int64()))


def with_name_typos(table: pa.Table, twin: pa.Table, chance: float, seed: int) -> pa.Table:
    """One character of the core mistyped in `chance` of the mentions (the twin's names give the core)."""
    if not chance:
        return table
    rnd = random.Random(seed)
    leagues = sorted((name for name, _, _ in inner_mongolia_regions()[1]), key=len, reverse=True)
    names = table["name"].to_pylist()
    for i, clean in enumerate(twin["name"].to_pylist()):
        if not names[i] or rnd.random() >= chance:
            continue
        core = next((clean[len(p) :] for p in ("内蒙古", *leagues) if clean.startswith(p)), clean)
        core = core.removesuffix("有限公司").removesuffix("集团")
        at = rnd.randrange(len(core))
        names[i] = names[i].replace(core, core[:at] + chr(rnd.randrange(*_CJK)) + core[at + 1 :], 1)
    return table.set_column(table.column_names.index("name"), "name", pa.array(names, pa.string()))


def peak_mib() -> float:
    """This process's peak RSS: VmHWM, not ru_maxrss, which Linux keeps across exec (the parent's peak)."""
    status = Path("/proc/self/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmHWM:")).split()[1]) / 1024


def run_child(tool: str, folder: Path, thresholds: list[float], fuzzy: dict) -> None:
    """One tool on the mentions in `folder`: its clusters per mention (a column per run, to
    `folder`/tool.parquet) and its figures (JSON on stdout)."""
    table = pq.read_table(folder / "mentions.parquet")
    regions = inner_mongolia_regions()[0]
    figures: dict = {"mentions": table.num_rows, "rss_input_mib": peak_mib(), "steps": {}}
    started = last = time.perf_counter()

    def timer(step: str) -> None:
        nonlocal last
        now = time.perf_counter()
        figures["steps"][step] = now - last
        last = now

    columns: dict[str, list[str]] = {}
    if tool == "ducha":
        from ducha.analytics.matching import MatchSettings, match

        matched = match(table, regions, MatchSettings(**fuzzy))
        timer("match")
        enterprise = dict(zip(matched.links["id"].to_pylist(), matched.links["enterprise"].to_pylist(), strict=True))
        columns["ducha"] = [enterprise[i] for i in table["id"].to_pylist()]
        tiers = Counter(matched.links["tier"].to_pylist())
        figures["runs"] = {"ducha": {"review": matched.review.num_rows}}
        figures["notes"] = f"tiers {dict(tiers)}"
    else:
        from splink_match import link

        results = link(table, regions, thresholds, timer)
        figures["runs"] = {}
        for r in results:
            columns[f"splink@{r.threshold:g}"] = r.clusters
            figures["runs"][f"splink@{r.threshold:g}"] = {"review": r.review}
        first = results[0]
        figures["notes"] = (f"{first.records:,} distinct records, largest block {first.largest_block:,}, "
                            f"{first.pairs:,} pairs scored ≥ 0.01")  # fmt: skip
    figures |= {"wall_s": time.perf_counter() - started, "rss_peak_mib": peak_mib()}
    pq.write_table(pa.table({k: pa.array(v, pa.string()) for k, v in columns.items()}), folder / f"{tool}.parquet")
    print(json.dumps(figures))


@dataclasses.dataclass(frozen=True)
class Scores:
    pair_precision: float
    pair_recall: float
    b3_precision: float
    b3_recall: float
    clusters: int
    wrong_mentions: int  # mentions whose cluster's largest enterprise is not theirs
    alone: int  # mentions whose cluster holds no other mention


def scores(predicted: list[str], truth: list[str]) -> Scores:
    both = Counter(zip(predicted, truth, strict=True))
    sizes, true_sizes = Counter(predicted), Counter(truth)

    def pairs(counts) -> int:
        return sum(n * (n - 1) // 2 for n in counts)

    right = pairs(both.values())
    n = len(truth)
    largest: dict[str, tuple[int, str]] = {}
    for (p, t), k in both.items():
        largest[p] = max(largest.get(p, (0, "")), (k, t))
    return Scores(
        pair_precision=right / (pairs(sizes.values()) or 1),
        pair_recall=right / (pairs(true_sizes.values()) or 1),
        b3_precision=sum(k * k / sizes[p] for (p, _), k in both.items()) / n,
        b3_recall=sum(k * k / true_sizes[t] for (_, t), k in both.items()) / n,
        clusters=len(sizes),
        wrong_mentions=sum(k for (p, t), k in both.items() if largest[p][1] != t),
        alone=sum(k == 1 for k in sizes.values()),
    )


def sized(deals: int, noise: float, seed: int) -> Spec:
    """bench_reconcile.py's default world: 1 % of deals planted per finding type, a tenth as
    many approved off-exchange transfers, the registry's rows about twice the self-reports."""
    planted, exempt = max(1, deals // 100), deals // 10
    private = max(0, deals - round(deals * 0.87) - planted)  # (the registry rows deals and transfers leave)
    return Spec(deals, planted, exempt, private, seed, Noise().scaled(noise))


def main() -> None:
    cli = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    cli.add_argument("--deals", type=int, default=20_000, help="exchange rows")
    cli.add_argument("--noise", type=float, default=1.0, help="the generator's noise chances times this")
    cli.add_argument("--seed", type=int, default=0)
    cli.add_argument("--threshold", default="0.95", help="Splink's match probabilities to cluster at (comma-separated)")
    cli.add_argument("--tools", default=",".join(TOOLS), help="which to run (comma-separated)")
    cli.add_argument("--name-typos", type=float, default=0.0, help="share of mentions with a core mistyped")
    cli.add_argument("--fuzzy", type=float, help="Ducha's fuzzy tier's ratio (default: its own)")
    cli.add_argument("--fuzzy-candidates", type=int, help="Ducha's fuzzy tier's largest block (default: its own)")
    cli.add_argument("--child", choices=TOOLS, help=argparse.SUPPRESS)  # (run one tool on --folder's mentions)
    cli.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = cli.parse_args()
    if args.child:
        fuzzy = {"threshold": args.fuzzy, "max_candidates": args.fuzzy_candidates}
        run_child(args.child, args.folder, [float(t) for t in args.threshold.split(",")],
                  {k: v for k, v in fuzzy.items() if v is not None})  # fmt: skip
        return

    spec = sized(args.deals, args.noise, args.seed)
    noisy, twin = generate(spec), generate(dataclasses.replace(spec, noise=NO_NOISE))
    if not all(getattr(noisy, t)["row"].equals(getattr(twin, t)["row"]) for t in ("exchange", "registry",
                                                                                "self_reports")):  # fmt: skip
        sys.exit("the noiseless twin's rows differ from the data's: no truth to score against")
    clean = mentions(twin)
    table = with_name_typos(mentions(noisy), clean, args.name_typos, spec.seed)
    truth = clean["uscc"].to_pylist()
    print(f"deals {spec.deals:,}, noise ×{args.noise:g}, name typos {args.name_typos:g}, seed {spec.seed}: "
          f"{len(truth):,} mentions of {len(set(truth)):,} enterprises (rows: exchange {noisy.exchange.num_rows:,}, "
          f"registry {noisy.registry.num_rows:,}, self-reports {noisy.self_reports.num_rows:,})")  # fmt: skip
    del noisy, twin, clean
    rows, children = [], []
    with tempfile.TemporaryDirectory() as tmp:
        pq.write_table(table, Path(tmp) / "mentions.parquet")
        for tool in args.tools.split(","):
            command = [sys.executable, __file__, "--child", tool, "--folder", tmp, "--threshold", args.threshold]
            for flag, value in (("--fuzzy", args.fuzzy), ("--fuzzy-candidates", args.fuzzy_candidates)):
                command += [flag, str(value)] if value is not None else []
            done = subprocess.run(command, capture_output=True, text=True)
            if done.returncode:
                sys.exit(f"{tool} failed:\n{done.stderr[-3000:]}")
            figures = json.loads(done.stdout.strip().splitlines()[-1])
            children.append((tool, figures))
            predicted = pq.read_table(Path(tmp) / f"{tool}.parquet")
            for label, run in figures["runs"].items():
                rows.append((label, run, figures, scores(predicted[label].to_pylist(), truth)))
    print(f"{'tool':<12} {'pair P':>8} {'pair R':>8} {'B3 P':>7} {'B3 R':>7} {'clusters':>9} {'wrong':>6} "
          f"{'alone':>6} {'review':>7} {'wall s':>7} {'RSS MiB':>8} {'(input)':>8}")  # fmt: skip
    for label, run, f, s in rows:
        print(f"{label:<12} {s.pair_precision:>8.4f} {s.pair_recall:>8.4f} {s.b3_precision:>7.4f} "
              f"{s.b3_recall:>7.4f} {s.clusters:>9,} {s.wrong_mentions:>6,} {s.alone:>6,} "
              f"{run['review']:>7,} {f['wall_s']:>7.1f} {f['rss_peak_mib']:>8,.0f} "
              f"{f['rss_input_mib']:>8,.0f}")  # fmt: skip
    for tool, f in children:
        print(f"{tool}: " + ", ".join(f"{k} {v:.1f} s" for k, v in f["steps"].items()) + f"; {f['notes']}")


if __name__ == "__main__":
    main()
