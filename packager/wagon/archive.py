"""Reading wagons nobody vouched for: every member is judged before a byte of it is written,
and everything is written under one fresh temporary directory."""

from __future__ import annotations

import gzip
import io
import json
import os
import re
import stat
import tarfile
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import IO, Any

from ..errors import ArchiveError
from .metadata import METADATA_FILE, WagonMeta, parse_metadata

HINT = "the archive is malformed or hostile: do not install it"
MAX_KEEP = 16 << 20  # a member `scan` keeps in memory (package.json, a YAML) is never larger
_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True)
class Limits:
    """Bounds against archive bombs; small archives may compress well, big ones may not."""

    members: int = 20_000
    total: int = 4 << 30
    ratio: int = 100
    ratio_floor: int = 64 << 20

    def budget(self, archive_size: int) -> int:
        return min(self.total, max(self.ratio_floor, self.ratio * archive_size))


@dataclass(frozen=True)
class Extracted:
    """A wagon unpacked under `root` (= <temp dir>/<top>); `files` are paths relative to root."""

    source: Path
    container: str
    top: str
    root: Path
    files: tuple[str, ...]


def container_of(path: Path, data: bytes | None = None) -> str:
    """zip or tar.gz, told by the first bytes (of `data` when the file is read already), never
    by the file name."""
    if data is None:
        with path.open("rb") as handle:
            head = handle.read(4)
    else:
        head = data[:4]
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return "zip"
    if head[:2] == b"\x1f\x8b":
        return "tar.gz"
    raise ArchiveError(f"{path.name} is neither a zip nor a tar.gz archive", "pass a .wgn file")


@dataclass(frozen=True)
class Scanned:
    """A wagon judged member by member without unpacking; `contents` holds the members that
    `scan` was asked to keep, by path relative to the top directory."""

    source: Path
    container: str
    top: str
    files: tuple[str, ...]
    contents: dict[str, bytes]


@dataclass
class _Writer:
    """Tracks what was written so far and refuses anything unsafe before it touches the disk.
    Without `dest` nothing is written: the members `keep` names are kept in memory."""

    source: Path
    dest: Path | None
    limits: Limits
    budget: int
    keep: Callable[[str], bool] = bool
    data: bytes | None = None  # the archive's bytes, when the caller has read them already
    kept: dict[str, bytes] = field(default_factory=dict)
    count: int = 0
    written: int = 0
    tops: set[str] = field(default_factory=set)
    # Member paths as normalised "a/b/c" strings (pathlib's objects cost a tenth of the scan).
    dirs: set[str] = field(default_factory=set)
    files: set[str] = field(default_factory=set)

    def open(self) -> IO[bytes]:
        return self.source.open("rb") if self.data is None else io.BytesIO(self.data)

    def refuse(self, what: str) -> ArchiveError:
        return ArchiveError(f"refused {self.source.name}: {what}", HINT)

    def path_of(self, name: str) -> list[str]:
        if not name or "\x00" in name or "\\" in name or name.startswith("/") or _DRIVE.match(name):
            raise self.refuse(f"member {name!r} has an absolute or non-POSIX path")
        parts = [p for p in name.split("/") if p not in ("", ".")]
        if ".." in parts:
            raise self.refuse(f"member {name!r} points outside the archive ('..')")
        if not parts:
            raise self.refuse(f"member {name!r} has an empty path")
        path = "/".join(parts)
        self.count += 1
        if self.count > self.limits.members:
            raise self.refuse(f"more than {self.limits.members} members")
        self.tops.add(parts[0])
        if len(self.tops) > 1:
            raise self.refuse(f"more than one top-level entry: {', '.join(sorted(self.tops))}")
        if path in self.files or path in self.dirs:
            raise self.refuse(f"member {name!r} appears twice")
        for parent in _parents(parts):
            if parent in self.files:
                raise self.refuse(f"member {name!r} is inside {parent!r}, which is a file")
        return parts

    def directory(self, name: str) -> None:
        parts = self.path_of(name)
        self.dirs.update(["/".join(parts), *_parents(parts)])
        if self.dest:
            self.dest.joinpath(*parts).mkdir(parents=True, exist_ok=True)

    def file(self, name: str, size: int, opener: Callable[[], IO[bytes]]) -> None:
        parts = self.path_of(name)
        if len(parts) == 1:
            raise self.refuse(f"file {name!r} lies outside the archive's top directory")
        if self.written + size > self.budget:
            raise self.refuse(f"more than {self.budget} bytes uncompressed (an archive bomb?)")
        self.files.add("/".join(parts))
        self.dirs.update(_parents(parts))
        self.written += size
        if self.dest is None:
            inner = "/".join(parts[1:])
            if self.keep(inner):
                self._keep(name, inner, size, opener)
            return
        target = self.dest.joinpath(*parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        with opener() as source, os.fdopen(os.open(target, flags, 0o644), "wb") as out:
            left = size
            for block in iter(lambda: source.read(1 << 20), b""):
                left -= len(block)
                if left < 0:
                    raise self.refuse(f"member {name!r} holds more bytes than its header says")
                out.write(block)

    def _keep(self, name: str, inner: str, size: int, opener: Callable[[], IO[bytes]]) -> None:
        if size > MAX_KEEP:
            raise self.refuse(f"member {name!r} is larger than {MAX_KEEP} bytes")
        with opener() as source:
            data = source.read(size + 1)
        if len(data) > size:
            raise self.refuse(f"member {name!r} holds more bytes than its header says")
        self.kept[inner] = data


def _parents(parts: list[str]) -> list[str]:
    """"a", "a/b" for the parts of "a/b/c"."""
    return ["/".join(parts[:end]) for end in range(1, len(parts))]


def _zip_kind(info: zipfile.ZipInfo) -> str:
    mode = info.external_attr >> 16
    kind = stat.S_IFMT(mode)
    if kind == stat.S_IFLNK:
        return "symlink"
    if kind in (stat.S_IFCHR, stat.S_IFBLK, stat.S_IFIFO, stat.S_IFSOCK):
        return "device file"
    return "dir" if info.is_dir() or kind == stat.S_IFDIR else "file"


def _read_zip(writer: _Writer) -> None:
    with writer.open() as raw, zipfile.ZipFile(raw) as archive:
        infos = archive.infolist()
        if sum(i.file_size for i in infos) > writer.budget:
            raise writer.refuse(f"more than {writer.budget} bytes uncompressed (an archive bomb?)")
        for info in infos:
            kind = _zip_kind(info)
            if kind == "dir":
                writer.directory(info.filename)
            elif kind == "file":
                writer.file(info.filename, info.file_size, partial(archive.open, info))
            else:
                raise writer.refuse(f"member {info.filename!r} is a {kind}")


def _tar_kind(info: tarfile.TarInfo) -> str:
    if info.issym():
        return "symlink"
    if info.islnk():
        return "hard link"
    if info.ischr() or info.isblk() or info.isfifo():
        return "device file"
    return "dir" if info.isdir() else "file" if info.isreg() else "special file"


def _read_tar_gz(writer: _Writer) -> None:
    # Stream mode reads each header once, so a bomb is refused before its data is inflated.
    with writer.open() as raw, tarfile.open(fileobj=raw, mode="r|gz") as archive:
        for info in archive:
            kind = _tar_kind(info)
            if kind == "dir":
                writer.directory(info.name)
            elif kind == "file":
                writer.file(info.name, info.size, partial(_member, archive, info))
            else:
                raise writer.refuse(f"member {info.name!r} is a {kind}")


def _member(archive: tarfile.TarFile, info: tarfile.TarInfo) -> IO[bytes]:
    source = archive.extractfile(info)
    assert source is not None
    return source


def extract(path: Path, dest: Path, limits: Limits | None = None) -> Extracted:
    """Unpack `path` under `dest` (an empty directory), refusing anything unsafe."""
    writer = _judge(path, dest, limits)
    (top,) = writer.tops
    files = tuple(sorted(p.partition("/")[2] for p in writer.files))
    return Extracted(path, container_of(path), top, dest / top, files)


def scan(path: Path, keep: Callable[[str], bool], limits: Limits | None = None,
         data: bytes | None = None) -> Scanned:
    """Judge every member as `extract` does, writing nothing; keep the bytes of the members
    (paths relative to the top directory) that `keep` names. Cheaper than unpacking; reads
    `data` instead of the file when given (the file's bytes, read once by the caller)."""
    writer = _judge(path, None, limits, keep, data)
    (top,) = writer.tops
    files = tuple(sorted(p.partition("/")[2] for p in writer.files))
    return Scanned(path, container_of(path, data), top, files, writer.kept)


def _judge(path: Path, dest: Path | None, limits: Limits | None,
           keep: Callable[[str], bool] = bool, data: bytes | None = None) -> _Writer:
    limits = limits or Limits()
    container = container_of(path, data)
    size = path.stat().st_size if data is None else len(data)
    writer = _Writer(path, dest, limits, limits.budget(size), keep, data)
    try:
        (_read_zip if container == "zip" else _read_tar_gz)(writer)
    except (zipfile.BadZipFile, tarfile.TarError, gzip.BadGzipFile, zlib.error, EOFError,
            NotImplementedError) as exc:
        raise ArchiveError(f"{path.name}: damaged {container} archive: {exc}", HINT) from exc
    if not writer.tops:
        raise ArchiveError(f"{path.name} is empty", HINT)
    return writer


def read_metadata(ex: Extracted | Scanned) -> dict[str, Any]:
    """package.json as a JSON object."""
    label = ex.source.name
    if isinstance(ex, Scanned):
        raw = ex.contents.get(METADATA_FILE)
    else:
        raw = (ex.root / METADATA_FILE).read_bytes() if (ex.root / METADATA_FILE).is_file() else None
    if raw is None:
        raise ArchiveError(f"{label}: no {METADATA_FILE} in {ex.top}/", "is this a wagon?")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ArchiveError(f"{label}: {METADATA_FILE} is not valid JSON: {exc}", HINT) from exc
    if not isinstance(data, dict):
        raise ArchiveError(f"{label}: {METADATA_FILE} is not a JSON object", HINT)
    return data


def load_meta(ex: Extracted | Scanned) -> WagonMeta:
    return parse_metadata(read_metadata(ex), ex.source.name)


@contextmanager
def open_wagon(path: Path, limits: Limits | None = None) -> Iterator[Extracted]:
    """The wagon unpacked into a temporary directory that is gone when the block ends."""
    with tempfile.TemporaryDirectory(prefix="plugin-packager-read-") as tmp:
        yield extract(path, Path(tmp), limits)
