"""`plugin-packager index` at scale: a site of PLUGINS x VERSIONS x WAGONS small fake wagons.

    .venv/bin/python -m benchmarks.bench_index [--plugins 1000] [--versions 10] [--wagons 4]
                                               [--rounds 3] [--adds 7] [--tmp DIR] [--sidecars]

Writes the fake wagons (tests/wagons.py's writer: real zip wagons with package.json, a plugin
wheel and plugin.yaml) into one directory, then indexes all of them into an empty site ROUNDS
times, and adds one new release (WAGONS wagons of a new version of one plugin) ADDS times to the
full site. Each run is a fresh `plugin-packager index` process, as a user starts it; the add is
also timed inside the process (the library call), which leaves out Python's start-up. Prints
every time and the medians; exits 1 when a bound of issue 10 is missed.
"""

from __future__ import annotations

import argparse
import compileall
import hashlib
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import packager
from benchmarks.bench_validate import run
from packager.site.index import Where, index_site
from tests import wagons

TAGS = (("manylinux", "manylinux2014_x86_64", "py311"), ("manylinux", "manylinux2014_x86_64",
        "py36"), ("centos-Core", "linux_x86_64", "py36"), ("manylinux", "manylinux2014_aarch64",
        "py311"))
# What a user runs: the console script pip installed beside this Python, else the module.
SCRIPT = Path(sys.executable).with_name("plugin-packager")
COMMAND = [SCRIPT] if SCRIPT.exists() else [Path(sys.executable), "-m", "packager"]
BASE_URL = "https://plugins.example.com/"  # catalogs need one (index refuses relative ones)
BOUNDS = {"add_s": 0.3, "full_s": 60.0, "wagons_per_s": 700.0, "index_html_bytes": 1 << 20}


def write_release(dest: Path, plugin: int, version: str, count: int,
                  sidecars: bool = False) -> list[Path]:
    name = f"bench-plugin-{plugin:04d}"
    wheel = wagons.wheel_bytes(name, version, {"bench/__init__.py": ""})
    yaml = wagons.PLUGIN_YAML.replace("hello-plugin", name).replace("'1.0.0'", f"'{version}'")
    made = []
    for build_tag, platform, pytag in (TAGS * (count // len(TAGS) + 1))[:count]:
        layout = wagons.ours({f"{name.replace('-', '_')}-{version}-py3-none-any.whl": wheel},
                             {"plugin.yaml": yaml.encode()}, name=name, version=version,
                             pytags=(pytag,), platform=platform, build_tag=build_tag)
        layout.metadata["plugin_packager"].update(title=f"Bench {plugin}",
                                                  description=f"Benchmark plugin number {plugin}.")
        made.append(layout.write(dest))
        for algorithm in ("md5", "sha256") if sidecars else ():
            digest = hashlib.new(algorithm, made[-1].read_bytes()).hexdigest()
            made[-1].with_name(f"{made[-1].name}.{algorithm}").write_text(f"{digest}\n")
    return made


def settle() -> None:
    """Write back what the benchmark itself wrote or deleted (the wagons, the previous round's
    site) before timing: on a disk mounted with `discard` its backlog slowed the next round."""
    os.sync()
    time.sleep(2)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plugins", type=int, default=1000)
    parser.add_argument("--versions", type=int, default=10)
    parser.add_argument("--wagons", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--adds", type=int, default=7)
    parser.add_argument("--sidecars", action="store_true", help="Write .md5 and .sha256 beside "
                        "each wagon, as `build` does (index links them instead of writing them).")
    parser.add_argument("--site-per-round", action="store_true", help="Keep each round's site "
                        "until the end instead of deleting it before the next round (on ext4 a "
                        "round that follows the deletion of 130,000 files ran twice as slow).")
    parser.add_argument("--json", type=Path, help="Also write the figures here.")
    parser.add_argument("--tmp", type=Path, help="Where the wagons and the site go (default: the "
                        "system's temporary directory; /dev/shm leaves the disk out).")
    args = parser.parse_args()
    # Byte-compiled as pip leaves an installed tool: with PYTHONDONTWRITEBYTECODE set (as on the
    # machines that ran this), every process would otherwise compile packager's modules again.
    compileall.compile_dir(Path(packager.__file__).parent, quiet=1)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench-index-", dir=args.tmp) as tmp_name:
        tmp = Path(tmp_name)
        start = time.perf_counter()
        (tmp / "wagons").mkdir()
        for plugin in range(args.plugins):
            for version in range(args.versions):
                write_release(tmp / "wagons", plugin, f"{version + 1}.0.0", args.wagons,
                              args.sidecars)
        total = args.plugins * args.versions * args.wagons
        settle()
        print(f"wrote {total} wagons in {time.perf_counter() - start:.1f} s", flush=True)
        full = []
        for round_ in range(args.rounds):
            if args.site_per_round and round_:
                (tmp / "site").rename(tmp / f"site-{round_}")  # deleted with the rest, at the end
            shutil.rmtree(tmp / "site", ignore_errors=True)
            settle()
            full.append(run([*COMMAND, "index", tmp / "wagons", "-o", tmp / "site",
                             "--base-url", BASE_URL]))
            print(f"full index {round_ + 1}: {full[-1]:.2f} s "
                  f"({total / full[-1]:.0f} wagons/s)", flush=True)
        adds, library = [], []
        settle()  # the full index's own writes, not yet on disk, would slow the adds
        for add in range(args.adds):
            release = tmp / f"add-{add}"
            release.mkdir()
            write_release(release, add, f"{args.versions + 1}.0.0", args.wagons, args.sidecars)
            adds.append(run([*COMMAND, "index", release, "-o", tmp / "site"]))
            again = tmp / f"again-{add}"
            again.mkdir()
            write_release(again, add, f"{args.versions + 2}.0.0", args.wagons, args.sidecars)
            start = time.perf_counter()
            index_site([again], tmp / "site", Where())  # the site's --base-url, kept
            library.append(time.perf_counter() - start)
            print(f"add one release {add + 1}: {adds[-1]:.3f} s (process), "
                  f"{library[-1]:.3f} s (library call)", flush=True)
        sizes = {n: (tmp / "site" / n).stat().st_size for n in
                 ("index.html", "plugins.json", "catalog.json", "feed.xml")}
    figures = {
        "wagons": total, "full_s": statistics.median(full),
        "wagons_per_s": total / statistics.median(full), "add_s": statistics.median(adds),
        "add_library_s": statistics.median(library), "full_runs": full, "add_runs": adds,
        "add_library_runs": library, "sizes": sizes, "index_html_bytes": sizes["index.html"],
        "load_average_before": load_before, "load_average_after": os.getloadavg(),
        "cores": os.cpu_count(), "sidecars": args.sidecars, "site_per_round": args.site_per_round,
    }
    print(json.dumps({k: v for k, v in figures.items() if not k.endswith("_runs")}, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    missed = [k for k, bound in BOUNDS.items()
              if (figures[k] < bound if k == "wagons_per_s" else figures[k] > bound)]
    for key in missed:
        print(f"missed: {key} = {figures[key]} (bound {BOUNDS[key]})")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
