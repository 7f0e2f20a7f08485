"""`plugin-packager validate` against `wagon validate` (1.0.3) on the same wagon, in one run.

    .venv/bin/python benchmarks/bench_validate.py [--rounds 5] [--python 3.11]

Builds tests/projects/cloudify-common-plugin (cloudify-common 7.0.5 and its 28 dependencies) for
one Python with our own `build`, makes a venv of that Python with wagon[dist]==1.0.3, then runs
both validators on the wagon, alternating, ROUNDS times each, as the user would start them (a
fresh process each). Prints every time, the medians and their ratio; exits 1 when the ratio is
above the target of 0.5.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from packager.interpreters import find_interpreter
from packager.targets import parse_python

ROOT = Path(__file__).resolve().parents[1]
PROJECT = ROOT / "tests" / "projects" / "cloudify-common-plugin"
TARGET_RATIO = 0.5


def run(cmd: list[str | Path], cwd: Path | None = None) -> float:
    """Wall time of one command, which must succeed."""
    start = time.perf_counter()
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, check=False,
                          cwd=cwd)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{cmd} failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--python", default="3.11")
    args = parser.parse_args()
    if args.rounds < 5:
        parser.error("medians need at least 5 rounds")
    interpreter = find_interpreter(parse_python(args.python), [], os.environ)
    with tempfile.TemporaryDirectory(prefix="bench-validate-") as tmp_name:
        tmp = Path(tmp_name)
        print(f"building {PROJECT.name} for Python {args.python} ...", flush=True)
        run([sys.executable, "-m", "packager", "build", PROJECT, "--python", args.python,
             "-o", tmp / "out"])
        (wagon,) = (tmp / "out").glob("*.wgn")
        print(f"installing wagon[dist]==1.0.3 into a Python {args.python} venv ...", flush=True)
        run([interpreter, "-m", "venv", tmp / "wagon-venv"])
        run([tmp / "wagon-venv" / "bin" / "python", "-m", "pip", "install", "-q",
             "wagon[dist]==1.0.3"])
        commands: dict[str, list[str | Path]] = {
            "plugin-packager validate": [sys.executable, "-m", "packager", "validate", wagon],
            "wagon validate": [tmp / "wagon-venv" / "bin" / "wagon", "validate", wagon],
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        print(f"wagon: {wagon.name} ({wagon.stat().st_size} bytes)")
        for round_no in range(1, args.rounds + 1):
            for name, cmd in commands.items():
                times[name].append(run(cmd, cwd=tmp))
            print(f"round {round_no}: " + ", ".join(f"{n} {t[-1]:.2f} s" for n, t in times.items()),
                  flush=True)
    ours, theirs = (statistics.median(t) for t in times.values())
    print(f"\n| command | median of {args.rounds} (s) | min (s) | max (s) |")
    print("|---|---|---|---|")
    for name, values in times.items():
        print(f"| `{name}` | {statistics.median(values):.2f} | {min(values):.2f} |"
              f" {max(values):.2f} |")
    ratio = ours / theirs
    verdict = "meets" if ratio <= TARGET_RATIO else "MISSES"
    print(f"\nratio (ours / wagon): {ratio:.3f} — {verdict} the target of {TARGET_RATIO}")
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
