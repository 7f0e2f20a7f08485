"""JSON the tool did not write is bounded in size and depth: a hostile file is each reader's
one-line error, never a RecursionError."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from packager import _json
from packager.errors import ArchiveError
from packager.release.diff import diff_releases
from packager.release.merge import merge
from packager.site.index import index_site
from packager.site.state import SITE_FILE, STATE_DIR
from packager.wagon.archive import load_meta, open_wagon, scan

from .test_merge import cell
from .test_site_index import PREVIEW, hello, write

DEEP = "[" * 100_000 + "]" * 100_000
TOO_DEEP = "nested more than 64 levels deep"


def test_depth_is_counted_on_brackets_outside_strings() -> None:
    assert _json.loads("[" * 64 + "]" * 64) == json.loads("[" * 64 + "]" * 64)
    assert _json.loads(json.dumps({"a": "[{" * 1000 + '\\"['})) == {"a": "[{" * 1000 + '\\"['}
    with pytest.raises(_json.JSONLimitError, match=TOO_DEEP):
        _json.loads('{"a":' * 65 + "1" + "}" * 65)
    with pytest.raises(_json.JSONLimitError, match=TOO_DEEP):
        _json.loads(DEEP.encode())


def test_size_is_bounded_and_a_stream_read_no_further() -> None:
    stream = io.BytesIO(b" " * (_json.MAX_BYTES + 10))
    with pytest.raises(_json.JSONLimitError, match=f"more than {_json.MAX_BYTES} bytes"):
        _json.load(stream)
    assert stream.tell() == _json.MAX_BYTES + 1


@pytest.mark.parametrize("fmt", ["zip", "tar.gz"])
def test_a_deep_package_json(tmp_path: Path, fmt: str) -> None:
    layout = hello("1.0.0")
    path = layout.write(tmp_path, fmt)
    with open_wagon(path) as ex:
        (ex.root / "package.json").write_text(DEEP)
        with pytest.raises(ArchiveError, match=f"package.json is not valid JSON: {TOO_DEEP}"):
            load_meta(ex)


def test_a_deep_package_json_scanned(tmp_path: Path) -> None:
    layout = hello("1.0.0")
    path = layout.write(tmp_path)
    scanned = scan(path, lambda name: name == "package.json")
    scanned.contents["package.json"] = DEEP.encode()
    with pytest.raises(ArchiveError, match=f"package.json is not valid JSON: {TOO_DEEP}"):
        load_meta(scanned)


def test_a_deep_build_report(tmp_path: Path) -> None:
    cells = [cell(tmp_path, "t1"), cell(tmp_path, "t2")]
    (cells[1] / "build-report.json").write_text(DEEP)
    with pytest.raises(ArchiveError, match=f"build-report.json is not a build report: {TOO_DEEP}"):
        merge(cells, tmp_path / "release")
    assert not (tmp_path / "release").exists()


@pytest.fixture
def site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    index_site([write(hello("1.0.0"), tmp_path / "in")], site, PREVIEW)
    return site


def test_a_deep_catalog(site: Path) -> None:
    (site / "catalog.json").write_text(DEEP)
    with pytest.raises(ArchiveError, match=f"catalog.json is not a site catalog: {TOO_DEEP}"):
        diff_releases(site, site)


@pytest.mark.parametrize("state", [SITE_FILE, f"{STATE_DIR}/plugins/hello-plugin.json",
                                   f"{STATE_DIR}/txn/manifest.json"])
def test_a_deep_site_state(site: Path, tmp_path: Path, state: str) -> None:
    (site / state).parent.mkdir(exist_ok=True)
    (site / state).write_text(DEEP)
    with pytest.raises(ArchiveError, match=f"unreadable site state: {TOO_DEEP}"):
        index_site([write(hello("1.1.0"), tmp_path / "more")], site, PREVIEW)
