"""`diff` and the step summaries, on wagons the tests write themselves."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from packager.errors import ArchiveError
from packager.release.diff import diff_releases
from packager.release.summary import append_step_summary, diff_markdown, diff_text, error_annotation

from ..wagons import ours, wheel_bytes

PLUGIN = ("hello_plugin-1.0.0-py3-none-any.whl", wheel_bytes("hello-plugin", "1.0.0"))
SIX_OLD = ("six-1.16.0-py2.py3-none-any.whl", wheel_bytes("six", "1.16.0"))
SIX_NEW = ("six-1.17.0-py2.py3-none-any.whl", wheel_bytes("six", "1.17.0", {"six.py": "x"}))
IDNA = ("idna-3.10-py3-none-any.whl", wheel_bytes("idna", "3.10"))


def release(root: Path, wagons: dict[str, list[tuple[str, bytes]]]) -> Path:
    root.mkdir()
    for pytag, wheels in wagons.items():
        ours(dict(wheels), {}, pytags=(pytag,)).write(root)
    return root


def test_versions_targets_and_wheels(tmp_path: Path) -> None:
    old = release(tmp_path / "old", {"py311": [PLUGIN, SIX_OLD, IDNA], "py312": [PLUGIN]})
    new = release(tmp_path / "new", {"py311": [PLUGIN, SIX_NEW], "py313": [PLUGIN]})
    found = diff_releases(old, new)
    assert found.old_versions == found.new_versions == ["hello-plugin 1.0.0"]
    assert found.targets_added == ["cp313-manylinux2014_x86_64"]
    assert found.targets_removed == ["cp312-manylinux2014_x86_64"]
    (target,) = found.changed
    assert [(c.kind, c.name) for c in target.wheels] == [
        ("removed", "idna (py3-none-any)"), ("changed", "six (py2-none-any.py3-none-any)")]
    six = target.wheels[1]
    assert six.old is not None
    assert six.new is not None
    assert (six.old.version, six.new.version) == ("1.16.0", "1.17.0")
    assert six.new.size == len(SIX_NEW[1])
    text = diff_text(found)
    assert "targets removed: cp312-manylinux2014_x86_64" in text
    assert "  removed idna (py3-none-any) 3.10, " in text
    markdown = diff_markdown(found)
    assert "- changed six (py2-none-any.py3-none-any) 1.16.0 → 1.17.0" in markdown
    assert found.to_json()["changed"][0]["wheels"][0]["kind"] == "removed"


def test_the_same_release_has_no_changes(tmp_path: Path) -> None:
    old = release(tmp_path / "old", {"py311": [PLUGIN]})
    found = diff_releases(old, old)
    assert found.empty
    assert found.unchanged == ["cp311-manylinux2014_x86_64"]


def test_two_wagons_for_one_target_are_refused(tmp_path: Path) -> None:
    old = release(tmp_path / "old", {"py311": [PLUGIN]})
    ours({PLUGIN[0]: PLUGIN[1]}, {}, build_tag="centos-Core").write(old)
    with pytest.raises(ArchiveError, match="two wagons for cp311-manylinux2014_x86_64"):
        diff_releases(old, old)


def test_step_summary_and_annotations(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    assert not append_step_summary("# one\n", {})
    assert append_step_summary("# one\n", {"GITHUB_STEP_SUMMARY": str(summary)})
    append_step_summary("# two\n", {"GITHUB_STEP_SUMMARY": str(summary)})
    assert summary.read_text() == "# one\n\n# two\n\n"
    annotation = error_annotation("50% bad\nsecond")
    assert annotation == "::error title=plugin-packager::50%25 bad%0Asecond"


def site(root: Path, versions: dict[str, list[tuple[str, bytes]]], base: str = "") -> Path:
    """A download site as SPEC §5 lays it out: catalog.json, files under <plugin>/<version>/."""
    entries = []
    for version, wheels in versions.items():
        layout = ours(dict(wheels), {}, version=version)
        wagon = layout.write(ensure(root / "hello-plugin" / version))
        url = f"{base}hello-plugin/{version}/{wagon.name}"
        entries.append({"name": "hello-plugin", "version": version, "wagon_urls": [{"url": url}]})
    (root / "catalog.json").write_text(json.dumps(entries[-1:]))
    return root


def ensure(path: Path) -> Path:
    path.mkdir(parents=True)
    return path


def test_sites_compare_their_newest_releases(tmp_path: Path) -> None:
    old = site(tmp_path / "old", {"1.0.0": [PLUGIN, SIX_OLD]}, base="https://example.org/p/")
    new = site(tmp_path / "new", {"1.0.0": [PLUGIN, SIX_OLD], "1.0.1": [PLUGIN, SIX_NEW]})
    found = diff_releases(old, new)
    assert found.old_versions == ["hello-plugin 1.0.0"]
    assert found.new_versions == ["hello-plugin 1.0.1"]
    (target,) = found.changed
    assert target.target == "hello-plugin cp311-manylinux2014_x86_64"
    assert [c.name for c in target.wheels] == ["six (py2-none-any.py3-none-any)"]


def test_a_release_against_a_site_matches_targets_by_plugin(tmp_path: Path) -> None:
    old = site(tmp_path / "old", {"1.0.0": [PLUGIN, SIX_OLD]})
    catalog = json.loads((old / "catalog.json").read_text())
    catalog[0]["wagon_urls"] *= 2  # one wagon under two labels (agent profiles) is one target
    (old / "catalog.json").write_text(json.dumps(catalog))
    new = release(tmp_path / "new", {"py311": [PLUGIN, SIX_NEW]})
    found = diff_releases(old, new)
    assert (found.targets_added, found.targets_removed) == ([], [])
    (target,) = found.changed
    assert target.target == "hello-plugin cp311-manylinux2014_x86_64"
    assert [c.name for c in target.wheels] == ["six (py2-none-any.py3-none-any)"]
    assert diff_releases(new, new).unchanged == ["cp311-manylinux2014_x86_64"]


def test_a_site_catalog_cannot_point_outside_the_site(tmp_path: Path) -> None:
    old = site(tmp_path / "old", {"1.0.0": [PLUGIN]})
    (old / "catalog.json").write_text(json.dumps([{
        "name": "..", "version": "..", "wagon_urls": [{"url": "x.wgn"}]}]))
    with pytest.raises(ArchiveError, match=r"'\.\.' is not a plain file name"):
        diff_releases(old, old)
