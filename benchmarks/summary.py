"""Pure helpers of the benchmarks: medians, ratios, verdicts, the table, what a wagon holds."""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from packager.wagon.archive import load_meta, open_wagon
from packager.wagon.metadata import WHEELS_DIR

MIB = 1024 * 1024


@dataclass(frozen=True)
class Stats:
    median: float
    low: float
    high: float
    count: int


def summarize(values: Sequence[float]) -> Stats:
    if not values:
        raise ValueError("no measurements to summarize")
    return Stats(statistics.median(values), min(values), max(values), len(values))


@dataclass(frozen=True)
class Row:
    """One line of the result table: our medians against wagon's, judged by the issue's bound."""

    scenario: str
    unit: str  # "s" or "MiB"
    ours: Stats
    wagon: Stats
    bound: float  # PASS when ours.median / wagon.median <= bound
    wheels: str  # what each side's wagons held, e.g. "5 x 40 / 40"
    cpu: tuple[Stats, Stats] | None = None  # CPU time medians, ours and wagon's, beside wall time

    @property
    def ratio(self) -> float:
        return self.ours.median / self.wagon.median if self.wagon.median else float("inf")

    @property
    def verdict(self) -> str:
        return "PASS" if self.ratio <= self.bound else "FAIL"


def _cell(stats: Stats, unit: str) -> str:
    digits = 2 if unit == "s" else 0
    return f"{stats.median:.{digits}f} {unit} ({stats.low:.{digits}f}-{stats.high:.{digits}f})"


def render_table(rows: Sequence[Row]) -> str:
    """A Markdown table that reads as well in a terminal as in BENCHMARKS.md."""
    header = ["scenario", "ours: median (min-max)", "wagon: median (min-max)", "ratio",
              "bound", "verdict", "CPU s ours / wagon", "wheels ours / wagon", "runs"]
    lines = [[row.scenario, _cell(row.ours, row.unit), _cell(row.wagon, row.unit),
              f"{row.ratio:.3f}", f"≤ {row.bound:g}", row.verdict,
              f"{row.cpu[0].median:.1f} / {row.cpu[1].median:.1f}" if row.cpu else "",
              row.wheels, f"{row.ours.count} / {row.wagon.count}"] for row in rows]
    widths = [max(len(cells[i]) for cells in [header, *lines]) for i in range(len(header))]

    def fmt(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([fmt(header), rule, *(fmt(cells) for cells in lines)]) + "\n"


def jobs_args(build_help: str, jobs: int) -> list[str]:
    """`--jobs N` for a build whose --help lists that option, nothing for one that predates it."""
    return ["--jobs", str(jobs)] if re.search(r"(?<![\w-])--jobs(?![\w-])", build_help) else []


def wheel_counts(counts: Sequence[int]) -> str:
    """'40' for one wagon, '4 x 40' for several alike, '39, 40, 40' for several that differ."""
    if len(counts) == 1:
        return str(counts[0])
    if len(set(counts)) == 1:
        return f"{len(counts)} x {counts[0]}"
    return ", ".join(map(str, counts))


@dataclass(frozen=True)
class WagonFacts:
    file: str
    package_name: str
    package_version: str
    pythons: list[str]
    wheels: list[str]  # as package.json lists them
    wheel_members: int  # wheels/*.whl actually in the archive
    size: int


def read_wagon(path: Path) -> WagonFacts:
    """What a wagon holds, read by plugin-packager's own safe reader (zip or tar.gz by content)."""
    with open_wagon(path) as extracted:
        meta = load_meta(extracted)
        packed = [f for f in extracted.files if f.startswith(f"{WHEELS_DIR}/") and f.endswith(".whl")]
    return WagonFacts(
        file=path.name,
        package_name=meta.name,
        package_version=meta.version,
        pythons=list(meta.pythons),
        wheels=list(meta.wheels),
        wheel_members=len(packed),
        size=path.stat().st_size,
    )


def _project(wheel: str) -> str:
    return wheel.split("-", 1)[0].lower().replace("_", "-").replace(".", "-")


def compare_projects(ours: WagonFacts, theirs: WagonFacts) -> str:
    """Whether two wagons hold wheels of the same projects (files may differ by tag or build)."""
    mine, other = {_project(w) for w in ours.wheels}, {_project(w) for w in theirs.wheels}
    if mine == other:
        return f"same {len(mine)} projects"
    parts = [f"{who} only: {', '.join(sorted(names))}"
             for who, names in (("ours", mine - other), ("wagon", other - mine)) if names]
    return "; ".join(parts)


_STAMPED = re.compile(r"^\[\s*(?P<at>\d+\.\d+)\] (?P<text>.*)$")
_TARGET = re.compile(r"^(?P<target>(?:cp|pp|py)\d+-[A-Za-z0-9_]+): (?P<message>.*)$")
_DONE = re.compile(r"\.wgn \(\d+ wheels\)$")
_TOOK = re.compile(r" in (?P<seconds>\d+(?:\.\d+)?) s\b")


def stamp(at: float, line: str) -> str:
    """A log line as the benchmark keeps it: seconds since the command started, then the line."""
    return f"[{at:9.3f}] {line}"


def _events(log: str) -> Iterator[tuple[float, str, str]]:
    """(seconds, target, message) of every target's line of a stamped `build --verbose` log."""
    for line in log.splitlines():
        stamped = _STAMPED.match(line)
        event = _TARGET.match(stamped.group("text")) if stamped else None
        if stamped and event:
            yield float(stamped.group("at")), event.group("target"), event.group("message")


def critical_path(log: str) -> list[str]:
    """What the last target to finish did, with times, and the step it waited on last: the one
    that ended right before its wagon was written."""
    events = list(_events(log))
    done = [(at, target) for at, target, message in events if _DONE.search(message)]
    if not done:
        return ["no wagon was reported in the log"]
    end, last = max(done)
    mine = [(at, message) for at, target, message in events if target == last]
    writing = next((at for at, message in mine if message == "writing the wagon"), end)
    before = [(at, message) for at, message in mine if at <= writing and message != "writing the wagon"]
    lines = [f"{last}, the last target, done at {end:.1f} s:"]
    # Per-file detail lines (one per download) are left out but for the one waited on.
    lines += [f"  {at:6.1f} s  {message}" for at, message in before
              if not message.startswith("downloaded ")]
    if before:
        at, message = before[-1]
        took = _TOOK.search(message)
        start = at - float(took.group("seconds")) if took else at
        lines.append(f"  waited on: {message} ({start:.1f} to {writing:.1f} s), then wrote the"
                     f" wagon by {end:.1f} s")
    return lines
