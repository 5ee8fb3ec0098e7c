"""Accuracy, time and memory of the three-way comparison (三方比对) on synthetic data with
known truth (ducha/analytics/synthetic.py): precision and recall per finding type, the
matching tiers used, the engine's wall time and peak RSS.

    .venv/bin/python bench/bench_reconcile.py                       # 20,000 deals, default noise
    .venv/bin/python bench/bench_reconcile.py --deals 100000 --noise 2 --seed 3
    .venv/bin/python bench/bench_reconcile.py --deals 1000000 --registry-rows 10000000 --self-rows 1000000

Every deal writes an exchange row, most a self-report and two registry rows (the world of
synthetic.generate, with its noise and planted cases); --self-rows adds approved
off-exchange transfers (a self-report and two registry rows each) up to about that many
self-reports; --registry-rows fills the registry up to that many rows with private holders'
changes among a population of --enterprises enterprises (synthetic.background_registry:
what nothing should flag). The data is generated once per set of arguments and kept as
Parquet under var/bench/reconcile/; the engine runs in a child process that reads it, so
that its peak RSS is its own: the three tables in Arrow, DuckDB (--memory-limit, spilling
beyond it) and the matching's Python side.
"""

import argparse
import json
import pickle
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ducha.analytics.duck import Limits  # noqa: E402
from ducha.analytics.reconcile import ReconcileSettings, reconcile  # noqa: E402
from ducha.analytics.synthetic import (  # noqa: E402
    Noise,
    Spec,
    background_registry,
    generate,
    inner_mongolia_regions,
    score,
)

SOURCES = ("exchange", "registry", "self_reports")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deals", type=int, default=20_000, help="exchange rows")
    parser.add_argument("--registry-rows", type=int, default=None, help="about this many registry rows")
    parser.add_argument("--self-rows", type=int, default=None, help="about this many self-reports")
    parser.add_argument("--enterprises", type=int, default=None,
                        help="the private changes' population (default: one per 6 of their rows)")  # fmt: skip
    parser.add_argument("--planted", type=int, default=None, help="cases per finding type (default: 1 %% of deals)")
    parser.add_argument("--noise", type=float, default=1.0, help="the default noise's chances times this")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--memory-limit", default=Limits().memory_limit, help="DuckDB's")
    parser.add_argument("--engine", type=Path, default=None, help=argparse.SUPPRESS)  # the child's data folder
    return parser.parse_args()


def peak_mib() -> float:
    """This process's peak resident memory (VmHWM: getrusage's ru_maxrss would count the
    parent's, which Linux keeps across exec)."""
    status = Path("/proc/self/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))) / 1024


def data_folder(args: argparse.Namespace) -> Path:
    name = f"d{args.deals}-r{args.registry_rows}-s{args.self_rows}-e{args.enterprises}-p{args.planted}"
    return ROOT / "var" / "bench" / "reconcile" / f"{name}-n{args.noise:g}-seed{args.seed}"


def make_data(args: argparse.Namespace, folder: Path) -> None:
    planted = args.planted if args.planted is not None else max(1, args.deals // 100)
    self_rows = args.self_rows if args.self_rows is not None else args.deals + args.deals // 10
    exempt = max(0, self_rows - args.deals)
    spec = Spec(args.deals, planted, exempt, 0, args.seed, Noise().scaled(args.noise))
    started = time.perf_counter()
    data = generate(spec)
    registry = data.registry
    wanted = args.registry_rows if args.registry_rows is not None else registry.num_rows * 23 // 20
    if (extra := wanted - registry.num_rows) > 1:
        population = args.enterprises or max(100, extra // 6)
        bulk = background_registry(extra, population, first_row=registry.num_rows + 2, seed=args.seed)
        registry = pa.concat_tables([registry, bulk.cast(registry.schema)])
    folder.mkdir(parents=True, exist_ok=True)
    for name, table in zip(SOURCES, (data.exchange, registry, data.self_reports), strict=True):
        pq.write_table(table, folder / f"{name}.parquet")
    (folder / "cases.pickle").write_bytes(pickle.dumps(data.cases))
    print(f"generated in {time.perf_counter() - started:.1f} s (peak RSS {peak_mib():,.0f} MiB): {folder}")


def engine(args: argparse.Namespace) -> None:
    """The child: read the tables, reconcile, write the findings and the figures."""
    folder = args.engine
    # Text read dictionary-encoded, as a province's 10,000,000 registry rows would be held.
    tables = [
        pq.read_table(path, read_dictionary=_text_columns(path)) for path in (folder / f"{n}.parquet" for n in SOURCES)
    ]
    regions, _ = inner_mongolia_regions()
    read = peak_mib()
    started = time.perf_counter()
    result = reconcile(*tables, regions, ReconcileSettings(memory_limit=args.memory_limit))
    wall = time.perf_counter() - started
    pq.write_table(result.findings, folder / "findings.parquet")
    figures = {"wall_s": wall, "peak_mib": peak_mib(), "peak_mib_read": read, "summary": result.summary,
               "rows": [t.num_rows for t in tables], "identities": result.links.num_rows}  # fmt: skip
    (folder / "figures.json").write_text(json.dumps(figures, ensure_ascii=False))


def _text_columns(path: Path) -> list[str]:
    return [f.name for f in pq.read_schema(path) if pa.types.is_string(f.type)]


def main() -> None:
    args = parse_args()
    if args.engine:
        engine(args)
        return
    folder = data_folder(args)
    if not (folder / "cases.pickle").exists():
        make_data(args, folder)
    command = [sys.executable, __file__, "--engine", str(folder), "--memory-limit", args.memory_limit]
    subprocess.run(command, check=True, cwd=ROOT)
    figures = json.loads((folder / "figures.json").read_text())
    cases = pickle.loads((folder / "cases.pickle").read_bytes())
    scores = score(pq.read_table(folder / "findings.parquet"), cases)

    exchange, registry, self_reports = figures["rows"]
    print(f"deals {args.deals:,}, noise ×{args.noise:g}, seed {args.seed}; DuckDB memory limit {args.memory_limit}")
    print(f"rows: exchange {exchange:,}, registry {registry:,}, self-reports {self_reports:,}; cases {len(cases):,}; "
          f"distinct (source, name, code) {figures['identities']:,}")  # fmt: skip
    print(f"{'finding':<8} {'planted':>8} {'findings':>9} {'precision':>10} {'recall':>7}")
    for name, s in scores.items():
        print(f"{name:<8} {s.planted:>8,} {s.findings:>9,} {s.precision:>10.4f} {s.recall:>7.4f}")
    tiers = figures["summary"]["tiers"]
    total = sum(tiers.values())
    print("tiers: " + ", ".join(f"{t} {n:,} ({n / total:.1%})" for t, n in tiers.items()))
    print(f"review: {figures['summary']['review']:,}")
    print(f"reconcile {figures['wall_s']:.1f} s; peak RSS {figures['peak_mib']:,.0f} MiB "
          f"({figures['peak_mib_read']:,.0f} MiB with the tables read, before reconciling)")  # fmt: skip
    for name, s in scores.items():  # what to read when a figure falls short
        missed = Counter(c.how for c in s.missed)
        if s.false or missed:
            print(f"{name}: {len(s.false)} false (first: {s.false[0]['enterprise_name'] if s.false else '-'}), "
                  f"missed by variant {dict(missed)}")  # fmt: skip


if __name__ == "__main__":
    main()
