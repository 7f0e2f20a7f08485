"""The benchmark harness's pure helpers (the harness itself is run by hand, never by the tests)."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.summary import (
    Row,
    Stats,
    compare_projects,
    critical_path,
    jobs_args,
    read_wagon,
    render_table,
    stamp,
    summarize,
    wheel_counts,
)
from tests import wagons


def test_summarize_takes_median_min_max() -> None:
    assert summarize([3.0, 1.0, 2.0]) == Stats(median=2.0, low=1.0, high=3.0, count=3)
    assert summarize([4.0, 1.0, 2.0, 10.0]).median == 3.0
    with pytest.raises(ValueError, match="no measurements"):
        summarize([])


def row(ours: float, theirs: float, bound: float) -> Row:
    return Row("warm", "s", summarize([ours]), summarize([theirs]), bound, "40 / 40")


def test_ratio_is_ours_over_wagons_medians_and_the_bound_is_inclusive() -> None:
    assert row(2.0, 20.0, 0.1).ratio == pytest.approx(0.1)
    assert row(2.0, 20.0, 0.1).verdict == "PASS"
    assert row(2.1, 20.0, 0.1).verdict == "FAIL"
    assert row(1.0, 0.0, 1.0).verdict == "FAIL"


def test_table_has_a_header_a_rule_and_aligned_rows() -> None:
    cpu = Row("warm", "s", summarize([1.0]), summarize([2.0]), 1.0, "40 / 40",
              (summarize([0.5]), summarize([12.0])))
    text = render_table([row(1.5, 15.0, 0.1), row(30.25, 20.0, 1.0), cpu])
    lines = text.splitlines()
    assert len(lines) == 5
    assert len({len(line) for line in lines}) == 1
    assert lines[0].startswith("| scenario ")
    assert set(lines[1]) == {"|", "-"}
    assert "| 1.50 s (1.50-1.50) " in lines[2]
    assert "| 0.100 " in lines[2]
    assert "| PASS " in lines[2]
    assert "| 1.512 " in lines[3]
    assert "| FAIL " in lines[3]
    assert "| 0.5 / 12.0 " in lines[4]


def test_wheel_counts() -> None:
    assert wheel_counts([40]) == "40"
    assert wheel_counts([40, 40, 40]) == "3 x 40"
    assert wheel_counts([41, 40, 39]) == "41, 40, 39"


def test_jobs_passed_only_to_a_build_that_lists_the_option() -> None:
    assert jobs_args("  --jobs N        Targets built at once.\n", 2) == ["--jobs", "2"]
    assert jobs_args("  -j, --jobs=INTEGER\n", 4) == ["--jobs", "4"]
    assert jobs_args("  --cache-dir PATH  Wheel cache.\n  --json\n", 2) == []
    assert jobs_args("  --jobs-file PATH\n", 2) == []


def wagon_of(tmp_path: Path, wheels: list[str], fmt: str = "zip") -> Path:
    tmp_path.mkdir(exist_ok=True)
    layout = wagons.ours({name: wagons.wheel_bytes("x", "1") for name in wheels}, {},
                         name="bench-plugin")
    return layout.write(tmp_path, fmt)


@pytest.mark.parametrize("fmt", ["zip", "tar.gz"])
def test_read_wagon_counts_listed_and_packed_wheels(tmp_path: Path, fmt: str) -> None:
    path = wagon_of(tmp_path, ["a-1-py3-none-any.whl", "b_c-2-py3-none-any.whl"], fmt)
    facts = read_wagon(path)
    assert facts.package_name == "bench-plugin"
    assert facts.package_version == "1.0.0"
    assert facts.pythons == ["py311"]
    assert facts.wheels == ["a-1-py3-none-any.whl", "b_c-2-py3-none-any.whl"]
    assert facts.wheel_members == 2
    assert facts.size == path.stat().st_size


def test_read_wagon_tells_listed_from_packed(tmp_path: Path) -> None:
    layout = wagons.ours({"a-1-py3-none-any.whl": b"", "b-1-py3-none-any.whl": b""}, {})
    del layout.wheels["b-1-py3-none-any.whl"]
    facts = read_wagon(layout.write(tmp_path))
    assert (len(facts.wheels), facts.wheel_members) == (2, 1)


def test_compare_projects_ignores_tags_and_names_what_differs(tmp_path: Path) -> None:
    ours = read_wagon(wagon_of(tmp_path / "1", [
        "Foo_Bar-1.0-cp311-cp311-manylinux2014_x86_64.whl", "six-1.16-py2.py3-none-any.whl",
    ]))
    theirs = read_wagon(wagon_of(tmp_path / "2", [
        "foo_bar-1.0-cp311-cp311-manylinux_2_34_x86_64.whl", "six-1.16-py2.py3-none-any.whl",
    ]))
    other = read_wagon(wagon_of(tmp_path / "3", ["six-1.16-py2.py3-none-any.whl",
                                                  "zope.event-5-py3-none-any.whl"]))
    assert compare_projects(ours, theirs) == "same 2 projects"
    assert compare_projects(ours, other) == "ours only: foo-bar; wagon only: zope-event"


def _log(*lines: tuple[float, str]) -> str:
    return "\n".join(stamp(at, line) for at, line in lines)


def test_critical_path_of_phases_names_the_step_before_the_write() -> None:
    log = _log(
        (0.4, "building the plugin's wheel from /p with python3.11"),
        (1.5, "cp311-manylinux2014_x86_64: resolving 10 requirements"),
        (1.6, "cp39-manylinux2014_x86_64: resolving 10 requirements"),
        (6.6, "cp311-manylinux2014_x86_64: fetching 77 files"),
        (13.0, "cp311-manylinux2014_x86_64: building pycryptodome 3.9.7 from its sdist"),
        (25.0, "cp311-manylinux2014_x86_64: building wagon 1.0.3 from its sdist"),
        (20.0, "cp39-manylinux2014_x86_64: x-1.0.0-py39-none-manylinux2014_x86_64.wgn (70 wheels)"),
        (28.0, "cp311-manylinux2014_x86_64: writing the wagon"),
        (28.4, "cp311-manylinux2014_x86_64: x-1.0.0-py311-none-manylinux2014_x86_64.wgn (78 wheels)"),
    )
    path = critical_path(log)
    assert path[0] == "cp311-manylinux2014_x86_64, the last target, done at 28.4 s:"
    assert "    13.0 s  building pycryptodome 3.9.7 from its sdist" in path
    assert path[-1] == ("  waited on: building wagon 1.0.3 from its sdist (25.0 to 28.0 s),"
                        " then wrote the wagon by 28.4 s")


def test_critical_path_of_a_pipeline_starts_the_last_step_when_it_began() -> None:
    log = _log(
        (6.0, "cp311-x: resolved 77 files"),
        (6.9, "cp311-x: downloaded pycryptodome-3.9.7.tar.gz (14.7 MiB) in 0.8 s"),
        (7.0, "cp311-x: building pycryptodome 3.9.7 from its sdist"),
        (9.0, "cp311-x: downloaded botocore-1.0-py3-none-any.whl (12.0 MiB) in 2.5 s"),
        (14.5, "cp311-x: built pycryptodome 3.9.7 in 7.5 s"),
        (14.6, "cp311-x: writing the wagon"),
        (15.0, "cp311-x: x-1.0.0-py311-none-any.wgn (78 wheels)"),
    )
    path = critical_path(log)
    assert not any("botocore" in line for line in path)  # per-file lines are left out
    assert path[-1] == ("  waited on: built pycryptodome 3.9.7 in 7.5 s (7.0 to 14.6 s),"
                        " then wrote the wagon by 15.0 s")


def test_critical_path_says_when_no_wagon_was_reported() -> None:
    assert critical_path(_log((1.0, "cp311-x: resolving 3 requirements"))) == [
        "no wagon was reported in the log"]
