"""What a command pays in imports before it does anything: `python -X importtime`, each run a fresh
process.

    .venv/bin/python -m benchmarks.bench_imports [--rounds 5] [--json FILE]

For `merge` and `index` (the commands a release job and a site job start most often), imports
the module that does the work and runs the command's `--help` through the CLI. Prints, for each,
the packager modules loaded, all modules loaded, and the median over ROUNDS of the cumulative
import time (the sum of the top-level imports' cumulative times, in milliseconds). Compare two
commits by running it in each checkout: the figures are this machine's, and it is shared.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

CASES = {
    "import packager.release.merge": ["-c", "import packager.release.merge"],
    "import packager.site.index": ["-c", "import packager.site.index"],
    "plugin-packager merge --help": ["-m", "packager", "merge", "--help"],
    "plugin-packager index --help": ["-m", "packager", "index", "--help"],
}


def importtime(args: list[str]) -> tuple[int, int, float]:
    """Packager modules, all modules, and the cumulative import time (ms) of one fresh run."""
    run = subprocess.run([sys.executable, "-X", "importtime", *args], capture_output=True,
                         text=True, check=True)
    ours = total = 0
    top_us = 0
    for line in run.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, name = line[len("import time:"):].split("|")
        total += 1
        ours += name.strip().startswith("packager")
        if not name.startswith("  "):  # a top-level import: its cumulative time holds its children
            top_us += int(cumulative)
    return ours, total, top_us / 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    results = {}
    for case, argv in CASES.items():
        runs = [importtime(argv) for _ in range(args.rounds)]
        ours, total = runs[0][0], runs[0][1]
        median = statistics.median(r[2] for r in runs)
        results[case] = {"packager_modules": ours, "modules": total, "median_ms": round(median, 1),
                         "runs_ms": [r[2] for r in runs]}
        print(f"{case:32} {ours:3} packager modules, {total:4} in all, {median:7.1f} ms")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
