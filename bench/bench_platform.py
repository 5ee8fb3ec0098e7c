"""Time and memory of the platform red-flag indicators (ducha/analytics/redflags/collusion.py)
on synthetic bid rows: the planted world of platform_synthetic.generate (precision and recall
per indicator) plus ordinary bids generated in DuckDB up to --rows.

    .venv/bin/python bench/bench_platform.py                 # 10,000,000 rows
    .venv/bin/python bench/bench_platform.py --rows 1000000 --seed 3

The rows are generated once per set of arguments and kept as Parquet under
var/bench/platform/; the engine runs in a child process that hands DuckDB the Parquet file
(held in Arrow, 10,000,000 rows of text took a first version past 8 GiB), so that its peak RSS
(VmHWM) is its own: DuckDB (--memory-limit, spilling beyond it) and the explanations.
"""

import argparse
import json
import os
import pickle
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_reconcile import peak_mib  # noqa: E402

from ducha.analytics.duck import Limits  # noqa: E402
from ducha.analytics.redflags.collusion import run  # noqa: E402
from ducha.analytics.redflags.platform_synthetic import Spec, background_bids, generate, score  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000, help="bid rows in all")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--memory-limit", default="4GB", help="DuckDB's")
    parser.add_argument("--engine", type=Path, default=None, help=argparse.SUPPRESS)  # the child's data folder
    return parser.parse_args()


def make_data(args: argparse.Namespace, folder: Path) -> None:
    started = time.perf_counter()
    planted = generate(Spec(seed=args.seed))
    folder.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(config={"memory_limit": args.memory_limit, "preserve_insertion_order": False})
    con.register("planted", planted.rows.cast(pa.schema([(n, pa.string()) for n in planted.rows.column_names[:-1]]
                                                           + [("row", pa.int64())])))  # fmt: skip
    bulk = background_bids(con, max(0, args.rows - planted.rows.num_rows), first_row=planted.rows.num_rows + 2,
                           seed=args.seed)  # fmt: skip
    con.execute(f"COPY (SELECT * FROM planted UNION ALL BY NAME ({bulk})) TO '{folder / 'bids.parquet'}' "
                "(FORMAT parquet, ROW_GROUP_SIZE 1000000)")  # fmt: skip
    (folder / "truth.pickle").write_bytes(pickle.dumps(planted.truth))
    print(f"generated in {time.perf_counter() - started:.1f} s: {folder}")


def engine(folder: Path, memory_limit: str) -> None:
    """The child: read the rows, run the indicators, write the flags and the figures."""
    path = folder / "bids.parquet"
    rows = pq.read_metadata(path).num_rows
    read = peak_mib()
    started = time.perf_counter()
    cpu = time.process_time()
    flags, notes = run(path, limits=Limits(memory_limit))
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    pq.write_table(flags, folder / "flags.parquet")
    figures = {
        "wall_s": wall,
        "cpu_s": cpu,
        "load": os.getloadavg()[0],
        "peak_mib": peak_mib(),
        "peak_mib_read": read,
        "rows": rows,
        "notes": notes,
    }
    (folder / "figures.json").write_text(json.dumps(figures, ensure_ascii=False))


def main() -> None:
    args = parse_args()
    if args.engine:
        engine(args.engine, args.memory_limit)
        return
    folder = ROOT / "var" / "bench" / "platform" / f"r{args.rows}-seed{args.seed}"
    if not (folder / "truth.pickle").exists():
        make_data(args, folder)
    command = [sys.executable, __file__, "--engine", str(folder), "--memory-limit", args.memory_limit]
    subprocess.run(command, check=True, cwd=ROOT)
    figures = json.loads((folder / "figures.json").read_text())
    flags = pq.read_table(folder / "flags.parquet")
    truth = pickle.loads((folder / "truth.pickle").read_bytes())
    print(f"rows {figures['rows']:,}, seed {args.seed}; DuckDB memory limit {args.memory_limit}")
    print(f"{'indicator':<24} {'planted':>8} {'flags':>8} {'found':>6} {'precision':>10} {'recall':>7}")
    for code, s in score(flags, truth).items():
        print(f"{code:<24} {s['planted']:>8,} {s['flagged']:>8,} {s['found']:>6,} {s['precision']:>10.4f} "
              f"{s['recall']:>7.4f}")  # fmt: skip
    print(f"indicators {figures['wall_s']:.1f} s (CPU {figures['cpu_s']:.1f} s; load average {figures['load']:.1f}); "
          f"peak RSS {figures['peak_mib']:,.0f} MiB ({figures['peak_mib_read']:,.0f} MiB before)")  # fmt: skip


if __name__ == "__main__":
    main()
