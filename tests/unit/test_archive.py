"""The safe reader: hostile archives are refused and nothing is written outside the temp dir."""

from __future__ import annotations

import gzip
import io
import stat
import tarfile
import tempfile
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from packager.errors import ArchiveError
from packager.wagon.archive import Limits, container_of, load_meta, open_wagon

from ..wagons import hello, tree

Entry = tuple[str, str, bytes]  # (name, kind, data or link target)


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """tmp_path holds the archive, a victim directory and the only temp dir the reader may use;
    the test then proves that the tree is as it was and the temp dir was emptied."""
    temp = tmp_path / "temp"
    temp.mkdir()
    (tmp_path / "victim").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    yield tmp_path
    assert list(temp.iterdir()) == [], "the reader left its temp dir behind"


def write_tar(path: Path, entries: list[Entry]) -> Path:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.GNU_FORMAT) as archive:
        for name, kind, data in entries:
            info = tarfile.TarInfo(name)
            if kind == "file":
                info.size = len(data)
                archive.addfile(info, io.BytesIO(data))
                continue
            info.type = {"dir": tarfile.DIRTYPE, "symlink": tarfile.SYMTYPE,
                         "hardlink": tarfile.LNKTYPE, "chr": tarfile.CHRTYPE,
                         "fifo": tarfile.FIFOTYPE}[kind]
            info.linkname = data.decode()
            archive.addfile(info)
    path.write_bytes(gzip.compress(raw.getvalue(), mtime=0))
    return path


def write_zip(path: Path, entries: list[Entry], deflate: bool = False) -> Path:
    method = zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED
    with warnings.catch_warnings(), zipfile.ZipFile(path, "w", method) as archive:
        warnings.simplefilter("ignore")  # zipfile warns on the duplicate names we write on purpose
        for name, kind, data in entries:
            info = zipfile.ZipInfo(name)
            info.compress_type = method
            if kind == "symlink":
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
            elif kind == "chr":
                info.external_attr = (stat.S_IFCHR | 0o644) << 16
            archive.writestr(info, data)
    return path


def refused(path: Path, scratch: Path, match: str, limits: Limits | None = None) -> None:
    before = tree(scratch)
    with pytest.raises(ArchiveError, match=match), open_wagon(path, limits):
        pytest.fail("the archive was accepted")
    assert tree(scratch) == before
    assert list((scratch / "victim").iterdir()) == []


GOOD = [("p/package.json", "file", b"{}")]


@pytest.mark.parametrize("writer", [write_zip, write_tar])
@pytest.mark.parametrize(("name", "match"), [
    ("p/../../victim/evil", r"'p/../../victim/evil' points outside the archive \('\.\.'\)"),
    ("../evil", r"'\.\./evil' points outside the archive"),
    ("/ABS/victim/evil", "has an absolute or non-POSIX path"),
    ("p\\..\\..\\evil", "has an absolute or non-POSIX path"),
])
def test_paths_that_leave_the_archive(scratch: Path, writer: object, name: str, match: str) -> None:
    name = name.replace("/ABS", str(scratch))
    write = write_zip if writer is write_zip else write_tar
    path = write(scratch / "bad.wgn", [*GOOD, (name, "file", b"pwned")])
    refused(path, scratch, match)
    assert not (scratch / "evil").exists()
    assert not (scratch / "temp" / "evil").exists()


def test_a_symlink_is_refused_before_anything_is_written_through_it(scratch: Path) -> None:
    victim = scratch / "victim"
    path = write_tar(scratch / "bad.wgn", [
        *GOOD, ("p/link", "symlink", str(victim).encode()), ("p/link/evil", "file", b"pwned"),
    ])
    refused(path, scratch, r"member 'p/link' is a symlink")


@pytest.mark.parametrize(("writer", "kind", "what"), [
    ("zip", "symlink", "a symlink"), ("tar", "hardlink", "a hard link"),
    ("tar", "chr", "a device file"), ("tar", "fifo", "a device file"), ("zip", "chr", "a device file"),
])
def test_links_and_device_files_are_refused(scratch: Path, writer: str, kind: str, what: str) -> None:
    write = write_zip if writer == "zip" else write_tar
    path = write(scratch / "bad.wgn", [*GOOD, ("p/node", kind, b"/etc/passwd")])
    refused(path, scratch, rf"member 'p/node' is {what}")


@pytest.mark.parametrize("writer", ["zip", "tar"])
def test_duplicate_names_are_refused(scratch: Path, writer: str) -> None:
    entries = [*GOOD, ("p/wheels/a.whl", "file", b"one"), ("p/./wheels//a.whl", "file", b"two")]
    write = write_zip if writer == "zip" else write_tar
    refused(write(scratch / "bad.wgn", entries), scratch, r"member 'p/\./wheels//a.whl' appears twice")


def test_a_file_under_a_file_is_refused(scratch: Path) -> None:
    entries = [*GOOD, ("p/a", "file", b"x"), ("p/a/b", "file", b"y")]
    refused(write_zip(scratch / "bad.wgn", entries), scratch, r"'p/a/b' is inside 'p/a', which is a file")


@pytest.mark.parametrize("writer", ["zip", "tar"])
def test_more_than_one_top_directory(scratch: Path, writer: str) -> None:
    entries = [*GOOD, ("q/package.json", "file", b"{}")]
    write = write_zip if writer == "zip" else write_tar
    refused(write(scratch / "bad.wgn", entries), scratch, "more than one top-level entry: p, q")


def test_a_file_at_the_top(scratch: Path) -> None:
    refused(write_zip(scratch / "bad.wgn", [("package.json", "file", b"{}")]), scratch,
            "file 'package.json' lies outside the archive's top directory")


def test_zip_bomb_is_refused_from_its_directory_before_inflating(scratch: Path) -> None:
    path = write_zip(scratch / "bomb.wgn", [*GOOD, ("p/zeros", "file", bytes(20 << 20))], deflate=True)
    assert path.stat().st_size < 100_000
    refused(path, scratch, r"more than 1048576 bytes uncompressed \(an archive bomb\?\)",
            Limits(ratio=10, ratio_floor=1 << 20))


def test_tar_gz_bomb_is_refused_from_its_header(scratch: Path) -> None:
    path = write_tar(scratch / "bomb.wgn", [*GOOD, ("p/zeros", "file", bytes(20 << 20))])
    assert path.stat().st_size < 100_000
    refused(path, scratch, r"more than 1048576 bytes uncompressed", Limits(ratio=10, ratio_floor=1 << 20))


def test_the_default_budget_is_the_ratio_past_a_floor_and_capped() -> None:
    limits = Limits()
    assert limits.budget(1000) == 64 << 20
    assert limits.budget(10 << 20) == 100 * (10 << 20)
    assert limits.budget(1 << 40) == 4 << 30


def test_too_many_members(scratch: Path) -> None:
    entries = [(f"p/f{i}", "file", b"") for i in range(11)]
    refused(write_zip(scratch / "bad.wgn", entries), scratch, "more than 10 members",
            Limits(members=10))


def test_not_an_archive(scratch: Path) -> None:
    path = scratch / "x.wgn"
    path.write_bytes(b"just text")
    refused(path, scratch, "neither a zip nor a tar.gz archive")


def test_a_truncated_archive(scratch: Path) -> None:
    whole = write_tar(scratch / "whole.wgn", [*GOOD, ("p/f", "file", b"x" * 5000)]).read_bytes()
    path = scratch / "cut.wgn"
    path.write_bytes(whole[: len(whole) // 2])
    refused(path, scratch, "damaged tar.gz archive")


@pytest.mark.parametrize("fmt", ["zip", "tar.gz"])
def test_a_good_wagon_opens_whatever_its_name(scratch: Path, fmt: str) -> None:
    path = hello().write(scratch, fmt, name="renamed.zip")
    assert container_of(path) == fmt
    with open_wagon(path) as ex:
        assert ex.top == "hello-plugin"
        assert ex.container == fmt
        assert "wheels/hello_plugin-1.0.0-py3-none-any.whl" in ex.files
        assert load_meta(ex).version == "1.0.0"
        assert ex.root.parent.parent == scratch / "temp"


def test_wagon_style_tar_with_directory_entries(scratch: Path) -> None:
    path = write_tar(scratch / "w.wgn", [
        ("p", "dir", b""), ("p/wheels", "dir", b""), ("./p/package.json", "file", b"{}"),
    ])
    with open_wagon(path) as ex:
        assert ex.files == ("package.json",)
    with pytest.raises(ArchiveError, match="no usable 'package_name'"), open_wagon(path) as ex:
        load_meta(ex)


def write_pax(path: Path, members: list[tuple[str, dict[str, str]]], extra: bytes = b"") -> Path:
    """A tar.gz in pax format: each member (name, its pax headers) a file of 2 bytes; `extra`
    (raw tar blocks) goes before them."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for name, headers in members:
            info = tarfile.TarInfo(name)
            info.size, info.pax_headers = 2, headers
            archive.addfile(info, io.BytesIO(b"{}"))
    path.write_bytes(gzip.compress(extra + raw.getvalue(), mtime=0))
    return path


def test_a_path_a_million_levels_deep_is_refused_from_its_header(scratch: Path) -> None:
    path = write_pax(scratch / "deep.wgn", [("p/" + "a/" * 1_000_000 + "f", {})])
    assert path.stat().st_size < 5_000
    refused(path, scratch, r"an extended tar header of 2000\d+ bytes \(more than 65536\)")


def test_a_huge_pax_header_is_refused_before_it_is_read(scratch: Path) -> None:
    path = write_pax(scratch / "pax.wgn", [("p/package.json", {"comment": "x" * (2 << 20)})])
    assert path.stat().st_size < 5_000
    refused(path, scratch, r"an extended tar header of 20971\d\d bytes \(more than 65536\)")


def test_extended_headers_in_a_row_are_bounded(scratch: Path) -> None:
    one = write_pax(scratch / "one.wgn", [("p/f", {"comment": "c"})])
    header = gzip.decompress(one.read_bytes())[:1024]  # the pax header's block and its data
    assert header[156:157] == tarfile.XHDTYPE
    path = write_pax(scratch / "chain.wgn", [("p/package.json", {})], extra=header * 5000)
    refused(path, scratch, "more than 8 extended tar headers in a row")


def test_the_budget_counts_headers_as_they_are_read(scratch: Path) -> None:
    members = [(f"p/f{i}", {"comment": "x" * 60_000}) for i in range(40)]
    path = write_pax(scratch / "headers.wgn", members)
    refused(path, scratch, r"more than 1048576 bytes uncompressed \(an archive bomb\?\)",
            Limits(ratio=10, ratio_floor=1 << 20))
    with open_wagon(path) as ex:  # the same archive within the default budget
        assert len(ex.files) == 40


@pytest.mark.parametrize("writer", ["zip", "tar"])
@pytest.mark.parametrize(("name", "match"), [
    ("p/" + "a/" * 600 + "f", r"member 'p/a/a/a.*'… has a path longer than 1024 bytes"),
    ("p/" + "a/" * 64 + "f", r"member 'p/a/.*/f' is more than 64 directories deep"),
    ("p/" + "n" * 256, r"member 'p/n+' has a name longer than 255 bytes"),
    ("p/" + "é" * 128, r"member 'p/é+' has a name longer than 255 bytes"),
])
def test_member_paths_are_bounded(scratch: Path, writer: str, name: str, match: str) -> None:
    write = write_zip if writer == "zip" else write_tar
    refused(write(scratch / "long.wgn", [*GOOD, (name, "file", b"x")]), scratch, match)


def test_the_longest_deepest_path_allowed_opens(scratch: Path) -> None:
    name = "p/" + "/".join(["d" * 14] * 62) + "/" + "f" * 92
    assert len(name) == 1024
    assert len(name.split("/")) == 64
    with open_wagon(write_zip(scratch / "ok.wgn", [*GOOD, (name, "file", b"x")])) as ex:
        assert (ex.root.parent / name).read_bytes() == b"x"
