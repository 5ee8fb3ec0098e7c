"""Ducha's enterprise matching beside Splink's (DuckDB backend) on the same mentions: the
enterprises named in the exchange's, the registry's and the self-reports' rows of the
synthetic data (ducha/analytics/synthetic.py), each tool in its own child process.

    uv sync --group bench
    .venv/bin/python bench/bench_matching.py                    # 20,000 deals, default noise
    .venv/bin/python bench/bench_matching.py --deals 100000 --threshold 0.99

Truth: the generator draws its noise from a stream of its own, so the same Spec without
noise writes the same rows with every code as the enterprise's own; a mention's true
enterprise is the code its row carries in that twin (checked: the rows line up). Scores:
pairwise precision and recall of "the same enterprise" over all pairs of mentions (the
often-named enterprises weigh most: n mentions are n(n-1)/2 pairs), and B-cubed (each
mention's share of its cluster that is right, and of its enterprise that it was put
with, averaged over mentions). The data's options are bench_reconcile.py's.
"""

import dataclasses
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_reconcile import parser, sized  # noqa: E402

from ducha.analytics.synthetic import NO_NOISE, Spec, Synthetic, generate  # noqa: E402

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


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # (KiB on Linux)


def run_child(tool: str, spec: Spec, threshold: float, out: Path) -> None:
    """One tool on the noisy mentions: its cluster per mention to `out`, its figures as JSON on stdout."""
    data = generate(spec)
    table = mentions(data)
    figures: dict = {"mentions": table.num_rows, "rss_input_mib": peak_mib(), "steps": {}}
    started = last = time.perf_counter()

    def timer(step: str) -> None:
        nonlocal last
        now = time.perf_counter()
        figures["steps"][step] = now - last
        last = now

    if tool == "ducha":
        from ducha.analytics.matching import match

        matched = match(table, data.regions)
        timer("match")
        enterprise = dict(zip(matched.links["id"].to_pylist(), matched.links["enterprise"].to_pylist(), strict=True))
        clusters = [enterprise[i] for i in table["id"].to_pylist()]
        tiers = Counter(matched.links["tier"].to_pylist())
        figures |= {"unlinked": tiers["unmatched"], "review": matched.review.num_rows, "tiers": dict(tiers)}
    else:
        from splink_match import link

        result = link(table, data.regions, threshold, timer)
        clusters = result.clusters
        figures |= {"unlinked": result.unlinked, "review": result.review, "records": result.records,
                    "pairs": result.pairs, "largest_block": result.largest_block}  # fmt: skip
    figures |= {"wall_s": time.perf_counter() - started, "rss_peak_mib": peak_mib()}
    pq.write_table(pa.table({"cluster": pa.array(clusters, pa.string())}), out)
    print(json.dumps(figures))


@dataclasses.dataclass(frozen=True)
class Scores:
    pair_precision: float
    pair_recall: float
    b3_precision: float
    b3_recall: float
    clusters: int
    wrong_mentions: int  # mentions whose cluster's largest enterprise is not theirs


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
    )


def main() -> None:
    cli = parser(__doc__.splitlines()[0])
    cli.add_argument("--threshold", type=float, default=0.95, help="Splink's match probability to cluster at")
    cli.add_argument("--tools", default=",".join(TOOLS), help="which to run (comma-separated)")
    cli.add_argument("--child", choices=TOOLS, help=None)  # (internal: run one tool)
    cli.add_argument("--out", type=Path, help=None)
    args = cli.parse_args()
    spec = sized(args)
    if args.child:
        run_child(args.child, spec, args.threshold, args.out)
        return

    truth_data = generate(dataclasses.replace(spec, noise=NO_NOISE))
    truth = mentions(truth_data)["uscc"].to_pylist()
    noisy = generate(spec)
    assert all(getattr(noisy, t)["row"].equals(getattr(truth_data, t)["row"]) for t in ("exchange", "registry",
               "self_reports")), "the noiseless twin's rows differ"  # fmt: skip
    print(f"deals {spec.deals:,}, noise ×{args.noise:g}, seed {spec.seed}: {len(truth):,} mentions of "
          f"{len(set(truth)):,} enterprises (rows: exchange {noisy.exchange.num_rows:,}, "
          f"registry {noisy.registry.num_rows:,}, self-reports {noisy.self_reports.num_rows:,})")  # fmt: skip
    del noisy, truth_data
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for tool in args.tools.split(","):
            out = Path(tmp) / f"{tool}.parquet"
            command = [sys.executable, __file__, *sys.argv[1:], "--child", tool, "--out", str(out)]
            done = subprocess.run(command, capture_output=True, text=True)
            if done.returncode:
                sys.exit(f"{tool} failed:\n{done.stderr[-3000:]}")
            figures = json.loads(done.stdout.strip().splitlines()[-1])
            predicted = pq.read_table(out)["cluster"].to_pylist()
            rows.append((tool, figures, scores(predicted, truth)))
    print(f"{'tool':<7} {'pair P':>8} {'pair R':>8} {'B3 P':>7} {'B3 R':>7} {'clusters':>9} {'wrong':>6} "
          f"{'unlinked':>9} {'review':>7} {'wall s':>7} {'RSS MiB':>8} {'(input)':>8}")  # fmt: skip
    for tool, f, s in rows:
        review = f"{f['review']:,}"
        print(f"{tool:<7} {s.pair_precision:>8.4f} {s.pair_recall:>8.4f} {s.b3_precision:>7.4f} {s.b3_recall:>7.4f} "
              f"{s.clusters:>9,} {s.wrong_mentions:>6,} {f['unlinked']:>9,} {review:>7} {f['wall_s']:>7.1f} "
              f"{f['rss_peak_mib']:>8,.0f} {f['rss_input_mib']:>8,.0f}")  # fmt: skip
    for tool, f, _ in rows:
        steps = ", ".join(f"{k} {v:.1f} s" for k, v in f["steps"].items())
        extra = (f"; {f['records']:,} distinct records, largest block {f['largest_block']:,}, "
                 f"{f['pairs']:,} pairs scored ≥ 0.01" if "records" in f else "")  # fmt: skip
        tiers = f"; tiers {f['tiers']}" if "tiers" in f else ""
        print(f"{tool}: {steps}{extra}{tiers}")


if __name__ == "__main__":
    main()
