from __future__ import annotations

import gzip
import io
import json
import tarfile
import zipfile
from pathlib import Path

import pytest

from packager.wagon.metadata import (
    WagonId,
    archive_name,
    os_properties,
    package_json,
    parse_metadata,
    python_requires,
)
from packager.wagon.writer import Member, members, write_wagon

SPEC_KEYS = {
    "archive_name", "build_server_os_properties", "created_by_wagon_version", "files",
    "package_build_tag", "package_name", "package_source", "package_version", "python_requires",
    "supported_platform", "supported_python_versions", "wheels",
}


def test_archive_name_grammar() -> None:
    assert (
        archive_name("cloudify-azure-plugin", "3.8.6", "manylinux", ["py311"], "linux_x86_64")
        == "cloudify_azure_plugin-3.8.6-manylinux-py311-none-linux_x86_64.wgn"
    )
    assert archive_name("p", "1.0", "", ["py39", "py311"], "any") == "p-1.0-py39.py311-none-any.wgn"


def test_python_requires_is_one_deterministic_specifier() -> None:
    first = python_requires([">=3.6", ">=3.8,!=3.0.*", None, "<4,>=3.7", ">=3.9,!=3.10.1"])
    second = python_requires(["!=3.10.1,>=3.9", "<4,>=3.7", ">=3.8,!=3.0.*", ">=3.6"])
    assert first == second == "!=3.10.1,<4,>=3.9"
    assert python_requires([None, ""]) is None


def test_os_properties_from_distribution_labels() -> None:
    assert os_properties("centos-Core")["distribution"] == "centos"
    assert os_properties("centos-Core")["distribution_release"] == "core"
    assert os_properties("manylinux") == {
        "distribution": None, "distribution_release": None, "distribution_version": None,
    }


def _sample(tmp_path: Path) -> tuple[dict[str, object], list[Member]]:
    whl = tmp_path / "b-1.0-py3-none-any.whl"
    whl.write_bytes(b"wheel bytes")
    other = tmp_path / "a-2.0-py3-none-any.whl"
    other.write_bytes(b"other")
    yml = tmp_path / "plugin.yaml"
    yml.write_text("plugins: {}\n")
    meta = package_json(
        WagonId("p", "1.0", "", ("py311",), "any"), requires_python=">=3.9",
        wheels={whl.name: {"sha256": "x", "size": 11}, other.name: {"sha256": "y", "size": 5}},
        files=["plugin.yaml"], extension={"targets": ["py311-any"]},
    )
    assert meta["archive_name"] == "p-1.0-py311-none-any.wgn"
    return meta, members(meta, [whl, other], [yml])


def test_package_json_has_every_wagon_key_and_ours_under_one(tmp_path: Path) -> None:
    meta, _ = _sample(tmp_path)
    assert set(meta) == SPEC_KEYS | {"plugin_packager"}
    assert meta["wheels"] == ["a-2.0-py3-none-any.whl", "b-1.0-py3-none-any.whl"]
    assert meta["package_build_tag"] is None


def test_one_metadata_type_reads_back_what_it_writes(tmp_path: Path) -> None:
    meta, _ = _sample(tmp_path)
    read = parse_metadata(meta, "p-1.0-py311-none-any.wgn")
    assert read.to_json() == meta
    assert read.gaps == ()
    assert read.created_by == "plugin-packager (format 1)"


@pytest.mark.parametrize("fmt", ["zip", "tar.gz"])
def test_same_input_same_bytes(tmp_path: Path, fmt: str) -> None:
    _, members = _sample(tmp_path)
    outputs = []
    for _ in range(2):
        buf = io.BytesIO()
        write_wagon(buf, fmt, "p", members, 1_700_000_000)
        outputs.append(buf.getvalue())
    assert outputs[0] == outputs[1]
    other = io.BytesIO()
    write_wagon(other, fmt, "p", members, 1_700_000_100)  # zip keeps 2 s steps
    assert other.getvalue() != outputs[0]


def test_zip_layout_modes_and_times(tmp_path: Path) -> None:
    _, members = _sample(tmp_path)
    buf = io.BytesIO()
    write_wagon(buf, "zip", "p", members, 1_700_000_000)
    with zipfile.ZipFile(buf) as archive:
        infos = archive.infolist()
        names = [i.filename for i in infos]
        assert names == sorted(names)
        assert {n.split("/")[0] for n in names} == {"p"}
        assert "p/package.json" in names
        assert "p/files/plugin.yaml" in names
        assert all(i.compress_type == zipfile.ZIP_STORED for i in infos)
        assert all(i.date_time == (2023, 11, 14, 22, 13, 20) for i in infos)
        assert all(i.external_attr >> 16 == 0o100644 for i in infos)
        json.loads(archive.read("p/package.json"))


def test_tar_gz_header_time_owner_modes(tmp_path: Path) -> None:
    _, members = _sample(tmp_path)
    buf = io.BytesIO()
    write_wagon(buf, "tar.gz", "p", members, 1_700_000_000)
    raw = buf.getvalue()
    assert raw[4:8] == b"\0\0\0\0"  # gzip header mtime
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(raw))) as archive:
        infos = archive.getmembers()
    assert infos[0].name == "p"
    assert all(i.uid == 0 and i.gid == 0 and i.mtime == 1_700_000_000 for i in infos)
    assert {i.mode for i in infos if i.isfile()} == {0o644}
    assert {i.mode for i in infos if i.isdir()} == {0o755}


def test_zip_times_are_clamped_to_1980(tmp_path: Path) -> None:
    _, members = _sample(tmp_path)
    buf = io.BytesIO()
    write_wagon(buf, "zip", "p", members, 0)
    with zipfile.ZipFile(buf) as archive:
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
