"""One bounded reader for sdists, zip or tar: the metadata look-ups, the build-cost guess and
the unpacking before a build all read through it."""

from __future__ import annotations

import io
import tarfile
import zipfile
from pathlib import Path

import pytest

from packager.builder import sdist_archive
from packager.builder.requires_python import requires_dist, requires_python
from packager.builder.resolution import Candidate
from packager.builder.sdist_archive import open_sdist, sdist_member
from packager.builder.sdists import _unpack, build_cost
from packager.errors import BuildError

FILES = {
    "demo-1.0/PKG-INFO": b"Metadata-Version: 1.1\nName: demo\nVersion: 1.0\n"
                         b"Requires-Python: >=3.8\n",
    "demo-1.0/demo.egg-info/requires.txt": b"six\n[:python_version < '3.9']\ntyping-extensions\n"
                                           b"[tests]\npytest\n",
    "demo-1.0/fast.c": b"int answer(void) { return 42; }\n" * 100,
}


def _tar(path: Path, files: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def _zip(path: Path, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("demo-1.0/", b"")
        for name, data in files.items():
            archive.writestr(name, data)
    return path


@pytest.fixture(params=["tar", "zip"])
def sdist(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    if request.param == "tar":
        return _tar(tmp_path / "demo-1.0.tar.gz", FILES)
    return _zip(tmp_path / "demo-1.0.zip", FILES)


def test_zip_and_tar_read_alike(sdist: Path, tmp_path: Path) -> None:
    candidate = Candidate("demo", "1.0", sdist.name, sdist.as_uri(), None, True)
    with open_sdist(sdist) as archive:
        assert [(m.name, m.size) for m in archive.files()] == [(n, len(d)) for n, d in FILES.items()]
    assert requires_python(candidate, sdist) == ">=3.8"
    assert requires_dist(candidate, sdist) == ["six", "typing-extensions; python_version < '3.9'"]
    assert sdist_member(sdist, r"[^/]+/missing") == b""
    assert build_cost(sdist) == sdist.stat().st_size + 10 * len(FILES["demo-1.0/fast.c"])
    top = _unpack(sdist, tmp_path / "src")
    assert (top / "fast.c").read_bytes() == FILES["demo-1.0/fast.c"]


def test_a_member_is_read_bounded(sdist: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sdist_archive, "MAX_READ", 10)
    assert sdist_member(sdist, r"[^/]+/fast\.c") == FILES["demo-1.0/fast.c"][:10]


def test_an_sdist_that_unpacks_past_the_bound_is_refused_before_a_byte_is_written(
    sdist: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sdist_archive, "MAX_UNPACKED", sum(map(len, FILES.values())) - 1)
    dest = tmp_path / "src"
    with pytest.raises(BuildError, match=rf"{sdist.name} unpacks to \d+ bytes, more than"):
        _unpack(sdist, dest)
    assert list(dest.iterdir()) == []


def test_a_tar_member_outside_the_directory_is_refused(tmp_path: Path) -> None:
    sdist = _tar(tmp_path / "evil-1.0.tar.gz", {"evil-1.0/PKG-INFO": b"", "../escaped": b"x"})
    with pytest.raises(tarfile.OutsideDestinationError):
        _unpack(sdist, tmp_path / "src")
    assert not (tmp_path / "escaped").exists()


def test_a_member_near_a_tars_start_is_read_without_inflating_the_rest(tmp_path: Path) -> None:
    """PKG-INFO is read for every pinned sdist of every target: the tar is read only as far as
    it, so what follows (here cut off, as a reader going on would find) is never inflated."""
    whole = _tar(tmp_path / "whole.tar.gz",
                 {"demo-1.0/PKG-INFO": FILES["demo-1.0/PKG-INFO"],
                  "demo-1.0/data.bin": bytes(range(256)) * (1 << 14)})
    cut = tmp_path / "demo-1.0.tar.gz"
    cut.write_bytes(whole.read_bytes()[:len(whole.read_bytes()) // 2])
    assert sdist_member(cut, r"[^/]+/PKG-INFO") == FILES["demo-1.0/PKG-INFO"]
