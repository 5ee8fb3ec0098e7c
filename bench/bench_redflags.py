"""Time and memory of Cardinal's eleven indicators (ducha/analytics/redflags/cardinal.py)
over generated OCDS compiled releases (bench/ocds_releases.py).

    .venv/bin/python bench/bench_redflags.py                  # 1,000,000 releases
    .venv/bin/python bench/bench_redflags.py --ocds 100000 --seed 2

The file is generated once per (N, seed) under var/bench/redflags/; the indicators run in a
child process that reads it, so that its peak RSS (VmHWM) is its own: DuckDB reading and
parsing the lines, the model's tables, the eleven queries and the fences in Python.
Settings: every indicator with its defaults, R048's minimum lowered to 5 processes (the
generated tenderers win about 25 each), `Sorteo` excluded and `Subasta` without price
comparison.
"""

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_reconcile import peak_mib  # noqa: E402
from ocds_releases import generate  # noqa: E402

from ducha.analytics.duck import Limits  # noqa: E402
from ducha.analytics.redflags import cardinal  # noqa: E402
from ducha.analytics.redflags import settings as redflag_settings  # noqa: E402

SETTINGS = "\n".join(
    ["no_price_comparison_procurement_methods = Subasta", "[exclusions]", "procurement_method_details = Sorteo"]
    + [f"[{code}]" for code in redflag_settings.CARDINAL_CODES]
    + ["[R048]", "minimum_contracting_processes = 5"]
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ocds", type=int, default=1_000_000, help="releases to generate")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--memory-limit", default="3GB", help="DuckDB's (duck.Limits; spilling beyond it)")
    parser.add_argument("--engine", type=Path, default=None, help=argparse.SUPPRESS)  # the child's data file
    return parser.parse_args()


def engine(path: Path, memory_limit: str) -> None:
    """The child: the indicators over the file, their figures beside it."""
    settings = redflag_settings.from_text(SETTINGS)
    started = time.perf_counter()
    results, loaded = cardinal.indicators(path, settings, limits=Limits(memory_limit))
    wall = time.perf_counter() - started
    per_code: dict[str, int] = {}
    for _, _, code, _ in cardinal.flags(results):
        per_code[code] = per_code.get(code, 0) + 1
    figures = {"wall_s": wall, "peak_mib": peak_mib(), "lines": loaded.lines, "processes": loaded.processes,
               "excluded": loaded.excluded, "flags": per_code,
               "groups": {group: len(ids) for group, ids in results.items()}}  # fmt: skip
    path.with_suffix(".figures.json").write_text(json.dumps(figures))


def main() -> None:
    args = parse_args()
    if args.engine:
        engine(args.engine, args.memory_limit)
        return
    path = ROOT / "var" / "bench" / "redflags" / f"ocds-{args.ocds}-seed{args.seed}.jsonl"
    if not path.exists():
        started = time.perf_counter()
        generate(args.ocds, path, args.seed)
        print(f"generated in {time.perf_counter() - started:.1f} s: {path} ({path.stat().st_size / 2**20:,.0f} MiB)")
    command = [sys.executable, __file__, "--engine", str(path), "--memory-limit", args.memory_limit]
    subprocess.run(command, check=True, cwd=ROOT)
    figures = json.loads(path.with_suffix(".figures.json").read_text())
    print(f"releases {figures['lines']:,} ({path.stat().st_size / 2**20:,.0f} MiB); processes used "
          f"{figures['processes']:,}, excluded or cancelled {figures['excluded']:,}")  # fmt: skip
    print("flags: " + ", ".join(f"{code} {n:,}" for code, n in sorted(figures["flags"].items())))
    print("flagged: " + ", ".join(f"{group} {n:,}" for group, n in figures["groups"].items()))
    print(f"wall {figures['wall_s']:.1f} s, peak RSS {figures['peak_mib']:,.0f} MiB")


if __name__ == "__main__":
    main()
