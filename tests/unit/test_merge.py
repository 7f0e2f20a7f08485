"""`merge`: cells of one build become one release directory, or nothing is written."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from packager.errors import ArchiveError, ConfigError
from packager.release.merge import merge

SOURCE = {"git": "0" * 40, "tree": "ab" * 32}


def cell(root: Path, target: str, version: str = "1.0", source: dict[str, str] = SOURCE) -> Path:
    """An output directory as `build --only target` leaves it, with a stand-in wagon."""
    out = root / target
    out.mkdir(parents=True)
    name = f"p-{version}-{target}.wgn"
    data = f"wagon {target}".encode()
    (out / name).write_bytes(data)
    md5, sha = hashlib.md5(data).hexdigest(), hashlib.sha256(data).hexdigest()
    for suffix, text in ((".md5", md5), (".sha256", sha), (".cdx.json", "{}")):
        (out / (name + suffix)).write_text(text + "\n")
    wagon = {"file": name, "targets": [target], "platform": "x", "python_versions": ["py311"],
             "sha256": sha, "md5": md5, "size": len(data), "wheels": []}
    report = {"package_name": "p", "package_version": version, "output": str(out),
              "source_date_epoch": 0, "wagons": [wagon], "source": source}
    (out / "build-report.json").write_text(json.dumps(report))
    return out


def test_cells_become_one_release(tmp_path: Path) -> None:
    a, b = cell(tmp_path, "cp311-a"), cell(tmp_path, "cp311-b")
    report = merge([a, b], tmp_path / "release")
    assert [w.targets for w in report.wagons] == [["cp311-a"], ["cp311-b"]]
    assert len(list((tmp_path / "release").iterdir())) == 9
    written = json.loads((tmp_path / "release" / "build-report.json").read_text())
    assert written["output"] == str(tmp_path / "release")
    assert written["source"] == SOURCE


@pytest.mark.parametrize("other", [
    {"version": "1.1"}, {"source": {**SOURCE, "git": "1" * 40}}, {"source": {**SOURCE, "tree": ""}},
])
def test_cells_of_other_builds_are_refused(tmp_path: Path, other: dict[str, object]) -> None:
    a, b = cell(tmp_path, "cp311-a"), cell(tmp_path, "cp311-b", **other)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="come from different builds"):
        merge([a, b], tmp_path / "release")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cp311-a", "cp311-b"]


def test_a_cell_given_twice_is_refused(tmp_path: Path) -> None:
    a = cell(tmp_path, "cp311-a")
    with pytest.raises(ConfigError, match="cp311-a is in both"):
        merge([a, a], tmp_path / "release")


def test_a_changed_or_incomplete_cell_is_an_archive_error(tmp_path: Path) -> None:
    a = cell(tmp_path, "cp311-a")
    (a / "p-1.0-cp311-a.wgn").write_bytes(b"other bytes")
    with pytest.raises(ArchiveError, match="not the wagon its report describes"):
        merge([a], tmp_path / "release")
    (a / "p-1.0-cp311-a.wgn.md5").unlink()
    with pytest.raises(ArchiveError, match="md5 is missing"):
        merge([a], tmp_path / "release")
    (a / "build-report.json").write_text("[]")
    with pytest.raises(ArchiveError, match="is not a build report"):
        merge([a], tmp_path / "release")
    assert not (tmp_path / "release").exists()


def test_an_existing_release_is_never_overwritten(tmp_path: Path) -> None:
    a = cell(tmp_path, "cp311-a")
    (tmp_path / "release").mkdir()
    (tmp_path / "release" / "old.wgn").write_bytes(b"old")
    with pytest.raises(ConfigError, match="already exists"):
        merge([a], tmp_path / "release")
    assert [p.name for p in (tmp_path / "release").iterdir()] == ["old.wgn"]


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize("name", ["../../x", "ABSOLUTE"])
def test_a_report_naming_a_path_is_refused_and_nothing_is_written(tmp_path: Path,
                                                                  name: str) -> None:
    """The attack of issue 20 (item 3): a cell's report names its wagon `../../x`, or an absolute
    path, and that file and its sidecars are where the name points."""
    from click.testing import CliRunner

    from packager.cli import main

    name = str(tmp_path / "elsewhere" / "x") if name == "ABSOLUTE" else name
    a = cell(tmp_path / "cells", "cp311-a")
    report = json.loads((a / "build-report.json").read_text())
    real = a / report["wagons"][0]["file"]
    (tmp_path / "elsewhere").mkdir()
    for suffix in ("", ".md5", ".sha256", ".cdx.json"):
        (a / (name + suffix)).write_bytes(real.with_name(real.name + suffix).read_bytes())
    report["wagons"][0]["file"] = name
    (a / "build-report.json").write_text(json.dumps(report))
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "x").write_text("precious")  # where ../../x lands from the staging dir
    before = _files(tmp_path)

    result = CliRunner().invoke(main, ["merge", str(a), "-o", str(tmp_path / "out" / "release")])
    assert result.exit_code == 5, result.output
    (line,) = result.output.splitlines()
    assert line.startswith(f"plugin-packager: error: {a / 'build-report.json'}: wagon file"
                           f" {name!r} is not a plain file name"), line
    assert _files(tmp_path) == before
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["x"]


@pytest.mark.parametrize("name", ["p\t1.wgn", "p\n1.wgn", "", "..", 7, "p" * 252 + ".wgn"])
def test_a_report_naming_no_plain_file_is_an_archive_error(tmp_path: Path, name: object) -> None:
    a = cell(tmp_path, "cp311-a")
    report = json.loads((a / "build-report.json").read_text())
    report["wagons"][0]["file"] = name
    (a / "build-report.json").write_text(json.dumps(report))
    # A name of another type than a string is refused with the report's other mistyped fields.
    refusal = "is not a plain file name" if isinstance(name, str) else "'file' is missing or of"
    with pytest.raises(ArchiveError, match=refusal):
        merge([a], tmp_path / "release")
    assert not (tmp_path / "release").exists()
