"""plugin-packager vs `wagon create` 1.0.3 on one plugin, in one run, judged by the issue's bounds.

Run it with the project's venv, from anywhere:

    .venv/bin/python benchmarks/bench_build.py              # 5 rounds of every scenario
    .venv/bin/python benchmarks/bench_build.py --quick      # 1 round, a smoke run
    .venv/bin/python benchmarks/bench_build.py --scenarios warm-single,memory --rounds 7

Both tools build the same project of benchmarks/projects/, alternating within each round. Every command's
exit code is checked and every round's wagons are opened and counted. It prints a table of medians
and ratios (ours / wagon's) and writes every measurement to a JSON file.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `benchmarks` and `packager` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.summary import (
    MIB,
    Row,
    Stats,
    WagonFacts,
    compare_projects,
    critical_path,
    jobs_args,
    read_wagon,
    render_table,
    stamp,
    summarize,
    wheel_counts,
)
from packager.errors import PackagerError
from packager.interpreters import find_interpreter

ROOT = Path(__file__).resolve().parents[1]
PROJECTS = ROOT / "benchmarks" / "projects"
WAGON_REQUIREMENTS = ("wagon[dist]==1.0.3", "setuptools")  # wagon runs `setup.py --name` itself
PLATFORM = f"manylinux2014_{platform.machine()}"
KIB = 1024


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    bound: float  # the bound on ours / wagon's
    warm: bool  # warm-up runs first; caches persist across rounds
    our_pythons: tuple[str, ...]  # one `plugin-packager build` for all of them
    wagon_pythons: tuple[str, ...]  # one `wagon create` per entry, in sequence, times added up
    memory: bool = False  # judge peak memory instead of time
    project: str = "bench-plugin"  # a directory of benchmarks/projects/, named as its package


SCENARIOS = {
    s.name: s
    for s in (
        Scenario("warm-single", "warm rebuild, 1 target (3.11)", 0.10, True, ("3.11",), ("3.11",)),
        Scenario("warm-five", "warm build, 5 Pythons vs 1 wagon create", 1.0, True,
                 ("3.9", "3.10", "3.11", "3.12", "3.13"), ("3.11",)),
        Scenario("cold-single", "cold build, 1 target (3.11), C-extension sdist", 0.8, False,
                 ("3.11",), ("3.11",), project="cext-plugin"),
        Scenario("cold-four", "cold build, 4 targets vs 4 wagon creates", 0.35, False,
                 ("3.9", "3.11", "3.12", "3.13"), ("3.9", "3.11", "3.12", "3.13")),
        Scenario("memory", "warm rebuild, 1 target (3.11)", 1.0, True, ("3.11",), ("3.11",),
                 memory=True),
    )
}


class BenchError(Exception):
    """A tool failed, timed out or built something other than what the scenario expects."""


def log(message: str) -> None:
    print(message, flush=True)


def pytag(version: str) -> str:
    return "py" + version.replace(".", "")


def _version(tag: str) -> tuple[int, int]:
    """py39 -> (3, 9), py313 -> (3, 13)."""
    return int(tag[2]), int(tag[3:] or 0)


# --- running one command -------------------------------------------------------------------------


@dataclass(frozen=True)
class Measured:
    seconds: float
    cpu_seconds: float  # user + system of the whole tree: less sensitive to a busy machine
    max_rss_kib: int  # the largest single process of the tree (wait4's ru_maxrss)
    tree_peak_kib: int | None  # the whole tree's RSS summed, sampled; only when asked for


def _proc_table() -> Iterator[tuple[int, int, int, int]]:
    """(pid, ppid, session, rss pages) of every process."""
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as stat:  # noqa: PTH123
                data = stat.read()
        except OSError:
            continue
        fields = data[data.rfind(b")") + 2 :].split()  # after "pid (comm) "; comm may hold spaces
        yield int(entry.name), int(fields[1]), int(fields[3]), int(fields[21])


def tree_rss_kib(root: int) -> int:
    """RSS of `root`, its descendants and whatever stayed in its session, summed."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    tree: set[int] = set()
    for pid, ppid, session, pages in _proc_table():
        children.setdefault(ppid, []).append(pid)
        rss[pid] = pages
        if session == root:
            tree.add(pid)
    todo = [root]
    while todo:
        pid = todo.pop()
        tree.add(pid)
        todo.extend(c for c in children.get(pid, []) if c not in tree)
    return sum(rss.get(pid, 0) for pid in tree) * os.sysconf("SC_PAGE_SIZE") // KIB


class TreeSampler:
    """Samples the tree's summed RSS every `interval` seconds in a thread, keeps the peak."""

    def __init__(self, root: int, interval: float = 0.01) -> None:
        self.peak = 0
        self._root, self._interval = root, interval
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._done.is_set():
            self.peak = max(self.peak, tree_rss_kib(self._root))
            self._done.wait(self._interval)

    def stop(self) -> int:
        self._done.set()
        self._thread.join()
        return self.peak


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def _stamp_lines(proc: subprocess.Popen[bytes], out: Any, start: float) -> None:
    """Each line of the command's output as it arrives, with the seconds since the start."""
    assert proc.stdout is not None
    for raw in proc.stdout:
        line = raw.decode(errors="replace").rstrip("\n")
        out.write(stamp(time.perf_counter() - start, line) + "\n")
        out.flush()


def measure(argv: Sequence[str | Path], env: Mapping[str, str], cwd: Path, log_path: Path,
            timeout: float, sample_tree: bool = False) -> Measured:
    """Run `argv` in its own session: wall time and max RSS, or BenchError with the log's tail."""
    timed_out = threading.Event()
    with log_path.open("w", encoding="utf-8") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(
            [str(a) for a in argv], env=dict(env), cwd=cwd, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
        )
        sampler = TreeSampler(proc.pid) if sample_tree else None
        reader = threading.Thread(target=_stamp_lines, args=(proc, out, start), daemon=True)
        reader.start()

        def expire() -> None:
            timed_out.set()
            _kill_group(proc.pid)

        timer = threading.Timer(timeout, expire)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
            seconds = time.perf_counter() - start
        except BaseException:
            _kill_group(proc.pid)
            proc.wait()
            raise
        finally:
            timer.cancel()
            peak = sampler.stop() if sampler else None
            reader.join(timeout=10)
        proc.returncode = os.waitstatus_to_exitcode(status)
        _kill_group(proc.pid)  # nothing it left behind may run into the next measurement
    if timed_out.is_set() or proc.returncode != 0:
        why = f"exit {proc.returncode}"
        if timed_out.is_set():
            why = f"timed out after {timeout:.0f} s"
        tail = log_path.read_text(errors="replace").splitlines()[-25:]
        raise BenchError(f"{' '.join(map(str, argv))}: {why}; log {log_path}:\n" + "\n".join(tail))
    # Sampling can miss a short peak; the tree held at least its largest process at its peak.
    tree_peak = max(peak, usage.ru_maxrss) if peak is not None else None
    return Measured(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, tree_peak)


# --- the two tools -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    """One command and the wagons it must leave in `out`."""

    argv: list[str]
    env: dict[str, str]
    out: Path
    pythons: tuple[str, ...]  # one wagon each, for these Pythons
    plugin: str  # the package every wagon must pack


@dataclass
class SideRun:
    """One tool's part of one round: its commands in sequence."""

    seconds: float = 0.0
    cpu_seconds: float = 0.0
    max_rss_kib: int = 0
    tree_peak_kib: int = 0
    commands: list[dict[str, Any]] = field(default_factory=list)
    wagons: list[WagonFacts] = field(default_factory=list)


def clean_env() -> dict[str, str]:
    """The caller's environment without pip, uv or plugin-packager settings: both tools use PyPI."""
    keep = {"PIP_CERT", "PIP_CLIENT_CERT", "PIP_DEFAULT_TIMEOUT"}
    env = {k: v for k, v in os.environ.items()
           if k in keep or not k.startswith(("PIP_", "UV_", "PLUGIN_PACKAGER_"))}
    env.update(PIP_CONFIG_FILE=os.devnull, PIP_DISABLE_PIP_VERSION_CHECK="1", UV_NO_CONFIG="1")
    return env


def check_wagons(job: Job) -> list[WagonFacts]:
    found = sorted(job.out.glob("*.wgn"))
    if len(found) != len(job.pythons):
        raise BenchError(f"expected {len(job.pythons)} wagon(s) in {job.out}, found {len(found)}")
    facts = sorted((read_wagon(p) for p in found), key=lambda f: [_version(t) for t in f.pythons])
    got = sorted(tag for f in facts for tag in f.pythons)
    if got != sorted(pytag(v) for v in job.pythons):
        raise BenchError(f"wagons in {job.out} are for {got}, expected {list(job.pythons)}")
    for fact in facts:
        if fact.package_name.replace("_", "-") != job.plugin:
            raise BenchError(f"{fact.file} packs {fact.package_name!r}, not {job.plugin}")
        if fact.wheel_members != len(fact.wheels) or len(fact.wheels) < 2:
            raise BenchError(f"{fact.file}: package.json lists {len(fact.wheels)} wheels,"
                             f" the archive holds {fact.wheel_members}")
    return facts


def run_side(jobs: Sequence[Job], cwd: Path, logs: Path, label: str, timeout: float,
             sample_tree: bool) -> SideRun:
    side = SideRun()
    for i, job in enumerate(jobs):
        shutil.rmtree(job.out, ignore_errors=True)
        job.out.mkdir(parents=True)
        load = os.getloadavg()[0]
        got = measure(job.argv, job.env, cwd, logs / f"{label}-{i}.log", timeout, sample_tree)
        facts = check_wagons(job)
        side.seconds += got.seconds
        side.cpu_seconds += got.cpu_seconds
        side.max_rss_kib = max(side.max_rss_kib, got.max_rss_kib)
        side.tree_peak_kib = max(side.tree_peak_kib, got.tree_peak_kib or 0)
        side.commands.append({"argv": job.argv, **asdict(got), "loadavg_1min_before": load,
                              "wagons": [asdict(f) | {"wheels": len(f.wheels)} for f in facts]})
        side.wagons.extend(facts)
        shutil.rmtree(job.out)
    return side


def describe(side: SideRun, memory: bool) -> str:
    counts = wheel_counts([len(w.wheels) for w in side.wagons])
    size = sum(w.size for w in side.wagons) / MIB
    if memory:
        return (f"peak tree {side.tree_peak_kib / KIB:.0f} MiB, largest process"
                f" {side.max_rss_kib / KIB:.0f} MiB ({counts} wheels)")
    return (f"{side.seconds:7.2f} s (CPU {side.cpu_seconds:6.2f} s)  {len(side.wagons)} wagon(s),"
            f" {counts} wheels, {size:.1f} MiB")


class Bench:
    """Where everything lives during one run, and how each tool is invoked."""

    def __init__(self, root: Path, run_dir: Path, timeout: float, jobs: int | None) -> None:
        self.root, self.run_dir, self.timeout = root, run_dir, timeout
        self.env = clean_env()
        self.ours = [sys.executable, "-m", "packager", "build"]
        self.jobs_args = self._jobs_args(jobs)
        self.wagon_venvs: dict[str, Path] = {}
        # (side, project, Pythons) warm in this run
        self.warmed: set[tuple[str, str, tuple[str, ...]]] = set()

    def _jobs_args(self, jobs: int | None) -> list[str]:
        helptext = subprocess.run([*self.ours, "--help"], env=self.env, capture_output=True,
                                  text=True, check=True).stdout
        return jobs_args(helptext, jobs or os.cpu_count() or 1)

    @staticmethod
    def _copy_project(project: str, dest: Path) -> Path:
        shutil.rmtree(dest, ignore_errors=True)
        shutil.copytree(PROJECTS / project, dest,
                        ignore=shutil.ignore_patterns("build", "dist", "*.egg-info"))
        return dest

    def wagon_venv(self, version: str) -> Path:
        """A venv of the target's Python with wagon 1.0.3, kept across runs in the work root."""
        if version in self.wagon_venvs:
            return self.wagon_venvs[version]
        venv = self.root / "venvs" / f"wagon-{version}"
        ready = venv / ".bench-ready"
        if not (ready.is_file() and ready.read_text() == " ".join(WAGON_REQUIREMENTS)):
            major, minor = map(int, version.split("."))
            base = find_interpreter((major, minor), [], os.environ)
            log(f"setting up wagon in a Python {version} venv ({base})")
            shutil.rmtree(venv, ignore_errors=True)
            subprocess.run([base, "-m", "venv", venv], check=True)
            env = {**self.env, "PIP_CACHE_DIR": str(self.root / "setup-pip-cache")}
            subprocess.run([venv / "bin" / "python", "-m", "pip", "install", "-q",
                            *WAGON_REQUIREMENTS], env=env, check=True)
            ready.write_text(" ".join(WAGON_REQUIREMENTS))
        self.wagon_venvs[version] = venv
        return venv

    def our_job(self, project: Path, pythons: Sequence[str], cache: Path, uv_cache: Path,
                out: Path, plugin: str) -> Job:
        # --verbose: the stamped log then says when each step ended, for the critical path.
        argv = [*self.ours, str(project), *(a for v in pythons for a in ("--python", v)),
                "--platform", PLATFORM, "--format", "zip", "-o", str(out),
                "--cache-dir", str(cache), "--verbose", *self.jobs_args]
        env = {**self.env, "PLUGIN_PACKAGER_CACHE": str(cache), "UV_CACHE_DIR": str(uv_cache)}
        return Job(argv, env, out, tuple(pythons), plugin)

    def wagon_job(self, project: Path, version: str, pip_cache: Path, out: Path,
                  plugin: str) -> Job:
        wagon = self.wagon_venv(version) / "bin" / "wagon"
        argv = [str(wagon), "create", str(project), "-o", str(out), "-f", "-t", "zip"]
        return Job(argv, {**self.env, "PIP_CACHE_DIR": str(pip_cache)}, out, (version,), plugin)

    def jobs_for(self, scenario: Scenario, scratch: Path) -> dict[str, list[Job]]:
        """Warm: the run's shared caches and project copies. Cold: all of it new, per round."""
        if scenario.warm:
            caches, place = self.run_dir / "caches", self.run_dir / "projects" / scenario.project
        else:
            caches, place = scratch / "caches", scratch / "projects"
        projects = {s: place / s if scenario.warm and (place / s).is_dir()
                    else self._copy_project(scenario.project, place / s)
                    for s in ("ours", "wagon")}
        ours = [self.our_job(projects["ours"], scenario.our_pythons, caches / "plugin-packager",
                             caches / "uv", scratch / "out-ours", scenario.project)]
        wagon = [self.wagon_job(projects["wagon"], v,
                                caches / "pip" if scenario.warm else caches / f"pip-{i}",
                                scratch / f"out-wagon-{i}", scenario.project)
                 for i, v in enumerate(scenario.wagon_pythons)]
        return {"ours": ours, "wagon": wagon}

    def run_scenario(self, scenario: Scenario, rounds: int) -> tuple[dict[str, Any], list[Row]]:
        log(f"\n== {scenario.name}: {scenario.title}")
        logs = self.run_dir / "logs" / scenario.name
        logs.mkdir(parents=True, exist_ok=True)
        for version in scenario.wagon_pythons:
            self.wagon_venv(version)
        results: dict[str, list[SideRun]] = {"ours": [], "wagon": []}
        if scenario.warm:
            jobs = self.jobs_for(scenario, self.run_dir / "scratch")
            pythons = {"ours": scenario.our_pythons, "wagon": scenario.wagon_pythons}
            for side in ("ours", "wagon"):
                if (side, scenario.project, pythons[side]) in self.warmed:
                    continue
                got = run_side(jobs[side], self.run_dir, logs, f"warmup-{side}", self.timeout,
                               sample_tree=False)
                self.warmed.add((side, scenario.project, pythons[side]))
                log(f"  warm-up   {side:5}  {describe(got, False)}")
        for n in range(1, rounds + 1):
            scratch = self.run_dir / "scratch" / f"{scenario.name}-{n}"
            jobs = self.jobs_for(scenario, scratch)
            order = ("ours", "wagon") if n % 2 else ("wagon", "ours")  # neither always goes first
            for side in order:
                got = run_side(jobs[side], self.run_dir, logs, f"r{n}-{side}", self.timeout,
                               scenario.memory)
                results[side].append(got)
                log(f"  round {n}/{rounds} {side:5}  {describe(got, scenario.memory)}")
            shutil.rmtree(scratch, ignore_errors=True)
        same = same_projects(results["ours"][-1].wagons, results["wagon"][-1].wagons)
        for line in same:
            log(f"  wheels {line}")
        path = critical_path((logs / f"r{rounds}-ours-0.log").read_text(encoding="utf-8"))
        log("  critical path of ours, last round: " + "\n  ".join(path))
        rows = rows_for(scenario, results)
        return {
            "scenario": asdict(scenario),
            **{side: [{"seconds": r.seconds, "cpu_seconds": r.cpu_seconds,
                       "max_rss_kib": r.max_rss_kib,
                       "tree_peak_kib": r.tree_peak_kib if scenario.memory else None,
                       "commands": r.commands} for r in runs]
               for side, runs in results.items()},
            "same_projects": same,
            "critical_path": path,
            "rows": [asdict(row) | {"ratio": row.ratio, "verdict": row.verdict} for row in rows],
        }, rows


def same_projects(ours: Sequence[WagonFacts], theirs: Sequence[WagonFacts]) -> list[str]:
    """Per Python both sides built, whether the two wagons hold the same projects."""
    by_python = {tuple(w.pythons): w for w in ours}
    return [f"{' '.join(w.pythons)}: {compare_projects(by_python[tuple(w.pythons)], w)}"
            for w in theirs if tuple(w.pythons) in by_python]


def rows_for(scenario: Scenario, results: Mapping[str, Sequence[SideRun]]) -> list[Row]:
    ours, wagon = results["ours"], results["wagon"]
    last = (ours[-1], wagon[-1])
    wheels = " / ".join(wheel_counts([len(w.wheels) for w in side.wagons]) for side in last)

    def stats(runs: Sequence[SideRun], of: Callable[[SideRun], float]) -> Stats:
        return summarize([of(r) for r in runs])

    def cpu_time(run: SideRun) -> float:
        return run.cpu_seconds

    def row(title: str, unit: str, of: Callable[[SideRun], float]) -> Row:
        cpu = None if scenario.memory else (stats(ours, cpu_time), stats(wagon, cpu_time))
        return Row(title, unit, stats(ours, of), stats(wagon, of), scenario.bound, wheels, cpu)

    if scenario.memory:
        return [
            row(f"peak RSS, whole tree: {scenario.title}", "MiB", lambda r: r.tree_peak_kib / KIB),
            row(f"max RSS, largest process: {scenario.title}", "MiB",
                lambda r: r.max_rss_kib / KIB),
        ]
    return [row(scenario.title, "s", lambda r: r.seconds)]


# --- the run -------------------------------------------------------------------------------------


def _output(argv: Sequence[str | Path], **kwargs: Any) -> str:
    try:
        proc = subprocess.run([str(a) for a in argv], capture_output=True, text=True, check=True,
                              **kwargs)
        return str(proc.stdout).strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def machine_facts(bench: Bench) -> dict[str, Any]:
    from packager._tools import uv_bin

    return {
        "date_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "commit": _output(["git", "-C", ROOT, "rev-parse", "HEAD"]),
        "dirty": _output(["git", "-C", ROOT, "status", "--porcelain"]) not in ("", "unknown"),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "loadavg_at_start": os.getloadavg(),
        "plugin_packager": _output([*bench.ours[:3], "--version"], env=bench.env),
        "uv": _output([uv_bin(), "--version"]),
        "our_python": sys.version.split()[0],
        "jobs_args": bench.jobs_args,
        "platform_target": PLATFORM,
    }


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds per scenario [5]")
    parser.add_argument("--quick", action="store_true", help="1 round: a smoke run")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS),
                        help=f"comma-separated subset of {', '.join(SCENARIOS)}")
    parser.add_argument("--work-dir", type=Path,
                        default=Path(tempfile.gettempdir()) / "plugin-packager-bench",
                        help="wagon venvs (kept) and this run's caches and logs [%(default)s]")
    parser.add_argument("--json", type=Path, help="result file [<work-dir>/result-<time>.json]")
    parser.add_argument("--jobs", type=int,
                        help="passed as `build --jobs` when the build knows it [cores]")
    parser.add_argument("--timeout", type=float, default=1800, help="per command, seconds [1800]")
    parser.add_argument("--keep", action="store_true", help="keep this run's caches and logs")
    args = parser.parse_args(argv)
    args.scenarios = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    unknown = [s for s in args.scenarios if s not in SCENARIOS]
    if unknown:
        parser.error(f"unknown scenario(s) {unknown}; choose from {list(SCENARIOS)}")
    if args.quick:
        args.rounds = 1
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    root = args.work_dir.resolve()
    run_dir = root / f"run-{stamp}"
    run_dir.mkdir(parents=True)
    result_path = (args.json or root / f"result-{stamp}.json").resolve()
    bench = Bench(root, run_dir, args.timeout, args.jobs)
    result: dict[str, Any] = {"machine": machine_facts(bench), "rounds": args.rounds,
                              "argv": sys.argv, "scenarios": {}}
    log(f"plugin-packager at {result['machine']['commit'][:12]}, {args.rounds} round(s),"
        f" work dir {run_dir}, build {' '.join(bench.jobs_args) or 'without --jobs'}")
    failed = False
    rows: list[Row] = []
    try:
        for name in args.scenarios:
            result["scenarios"][name], got = bench.run_scenario(SCENARIOS[name], args.rounds)
            rows += got
    except (BenchError, PackagerError, subprocess.CalledProcessError) as exc:
        failed = True
        result["error"] = str(exc)
        log(f"\nbench_build: error: {exc}")
    result["machine"]["loadavg_at_end"] = os.getloadavg()
    result_path.parent.mkdir(parents=True, exist_ok=True)
    result_path.write_text(json.dumps(result, indent=2, default=str) + "\n")
    if rows:
        log("\n" + render_table(rows))
    log(f"results: {result_path}")
    if failed or args.keep:
        log(f"caches and logs kept in {run_dir}")
    else:
        shutil.rmtree(run_dir)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
