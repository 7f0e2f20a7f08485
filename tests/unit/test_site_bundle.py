"""`bundle`: one root directory, wagons with their YAMLs, METADATA, the same bytes every time."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path

import pytest

from packager.errors import ConfigError
from packager.site.bundle import collect, write_bundle
from packager.site.index import index_site
from tests.unit.test_site_index import ENV, PREVIEW, hello, write


def members(path: Path) -> dict[str, bytes]:
    with tarfile.open(path) as archive:
        out = {}
        for info in archive.getmembers():
            handle = archive.extractfile(info)
            out[info.name] = handle.read() if handle else b""
        return out


def test_a_site_bundles_its_newest_releases_reproducibly(tmp_path: Path) -> None:
    site = tmp_path / "site"
    index_site([write(hello("1.0.0"), tmp_path / "a")], site, PREVIEW)
    index_site([write(hello("1.1.0"), tmp_path / "b"),
                write(hello("1.1.0", build_tag="centos-Core", platform="linux_x86_64"),
                      tmp_path / "b")], site, PREVIEW)
    first, second = tmp_path / "one" / "plugins.tgz", tmp_path / "two" / "plugins.tgz"
    write_bundle(collect([site], ()), first, ENV)
    write_bundle(collect([site], ["hello-plugin"]), second, ENV)
    assert first.read_bytes() == second.read_bytes()
    files = members(first)
    assert {n.split("/", 1)[0] for n in files} == {"plugins"}
    metadata = json.loads(files["plugins/METADATA"])
    assert len(metadata) == 2
    for wagon, yaml in metadata.items():
        assert wagon.startswith("hello-plugin/1.1.0/")
        assert wagon.endswith(".wgn")
        assert f"plugins/{wagon}" in files
        assert b"package_version: '1.1.0'" in files[f"plugins/{yaml}"]
    assert set(files) - {f"plugins/{p}" for p in [*metadata, *metadata.values()]} == {
        "plugins", "plugins/hello-plugin", "plugins/hello-plugin/1.1.0", "plugins/METADATA"}


def test_loose_wagons_bundle_like_a_site(tmp_path: Path) -> None:
    site = tmp_path / "site"
    wagon = write(hello("1.0.0"), tmp_path / "a")
    index_site([wagon], site, PREVIEW)
    write_bundle(collect([site], ()), tmp_path / "site" / "b.tgz", ENV)
    write_bundle(collect([wagon.parent], ()), tmp_path / "dir" / "b.tgz", ENV)
    assert (tmp_path / "site" / "b.tgz").read_bytes() == (tmp_path / "dir" / "b.tgz").read_bytes()


def test_an_unknown_only_name_is_an_error(tmp_path: Path) -> None:
    wagon = write(hello("1.0.0"), tmp_path / "a")
    with pytest.raises(ConfigError, match="no wagon of nope"):
        collect([wagon], ["nope"])
