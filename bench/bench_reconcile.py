"""Accuracy, time and memory of the three-way comparison (三方比对) on synthetic data with
known truth (ducha/analytics/synthetic.py): precision and recall per finding type, the
matching tiers used, the engine's wall time and the process's peak RSS.

    .venv/bin/python bench/bench_reconcile.py                       # 20,000 deals, default noise
    .venv/bin/python bench/bench_reconcile.py --deals 100000 --noise 2 --seed 3

Row counts are asked for roughly: every deal writes an exchange row, most a self-report
and two registry rows; --self-rows adds approved off-exchange transfers (a self-report and
two registry rows each) up to about that many self-reports, --registry-rows adds changes
among private holders (two rows each) up to about that many registry rows. The counts
made are printed.
"""

import argparse
import resource
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ducha.analytics.reconcile import reconcile  # noqa: E402
from ducha.analytics.synthetic import Noise, Spec, generate, score  # noqa: E402


def parser(description: str) -> argparse.ArgumentParser:
    """The data's options (bench_matching.py takes the same)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--deals", type=int, default=20_000, help="exchange rows")
    parser.add_argument("--registry-rows", type=int, default=None, help="about this many registry rows")
    parser.add_argument("--self-rows", type=int, default=None, help="about this many self-reports")
    parser.add_argument("--planted", type=int, default=None, help="cases per finding type (default: 1 %% of deals)")
    parser.add_argument("--noise", type=float, default=1.0, help="the default noise's chances times this")
    parser.add_argument("--seed", type=int, default=0)
    return parser


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # (KiB on Linux)


def sized(args: argparse.Namespace) -> Spec:
    """The generator's Spec for the row counts asked for."""
    planted = args.planted if args.planted is not None else max(1, args.deals // 100)
    self_rows = args.self_rows if args.self_rows is not None else args.deals + args.deals // 10
    exempt = max(0, self_rows - args.deals)
    registry_rows = args.registry_rows if args.registry_rows is not None else 2 * (args.deals + exempt)
    from_deals = 2 * round(args.deals * 0.87) + 2 * (exempt + planted)  # (equity deals and off-exchange moves)
    private = max(0, (registry_rows - from_deals) // 2)
    return Spec(args.deals, planted, exempt, private, args.seed, Noise().scaled(args.noise))


def main() -> None:
    args = parser(__doc__.splitlines()[0]).parse_args()
    spec = sized(args)
    planted = spec.planted

    started = time.perf_counter()
    data = generate(spec)
    generated = time.perf_counter() - started
    rss_data = peak_mib()
    started = time.perf_counter()
    result = reconcile(data.exchange, data.registry, data.self_reports, data.regions)
    wall = time.perf_counter() - started
    scores = score(result.findings, data.cases)

    print(f"deals {args.deals:,}, planted {planted:,} per type, noise ×{args.noise:g}, seed {args.seed}")
    print(
        f"rows: exchange {data.exchange.num_rows:,}, registry {data.registry.num_rows:,}, "
        f"self-reports {data.self_reports.num_rows:,}; cases {len(data.cases):,}"
    )
    print(f"{'finding':<8} {'planted':>8} {'findings':>9} {'precision':>10} {'recall':>7}")
    for name, s in scores.items():
        print(f"{name:<8} {s.planted:>8,} {s.findings:>9,} {s.precision:>10.4f} {s.recall:>7.4f}")
    tiers = result.summary["tiers"]
    total = sum(tiers.values())
    print("tiers: " + ", ".join(f"{t} {n:,} ({n / total:.1%})" for t, n in tiers.items()))
    print(f"review: {result.summary['review']:,}")
    print(f"generate {generated:.1f} s; reconcile {wall:.1f} s; peak RSS {rss_data:,.0f} MiB after generating, "
          f"{peak_mib():,.0f} MiB after reconciling")  # fmt: skip
    for name, s in scores.items():  # what to read when a figure falls short
        missed = Counter(c.how for c in s.missed)
        if s.false or missed:
            print(f"{name}: {len(s.false)} false (first: {s.false[0]['enterprise_name'] if s.false else '-'}), "
                  f"missed by variant {dict(missed)}")  # fmt: skip


if __name__ == "__main__":
    main()
