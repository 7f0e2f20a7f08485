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
