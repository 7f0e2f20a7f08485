"""Reading wagons nobody vouched for: every member is judged before a byte of it is written,
and everything is written under one fresh temporary directory."""

from __future__ import annotations

import gzip
import io
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

from .. import _json
from ..errors import ArchiveError
from .metadata import METADATA_FILE, WagonMeta, parse_metadata

HINT = "the archive is malformed or hostile: do not install it"
MAX_KEEP = 16 << 20  # a member `scan` keeps in memory (package.json, a YAML) is never larger
_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True)
class Limits:
    """Bounds against archive bombs; small archives may compress well, big ones may not. A
    member's path is bounded in bytes, in each part (the filesystem's NAME_MAX) and in depth,
    a tar's extended (pax, GNU long-name) headers in size and in number before one member."""

    members: int = 20_000
    total: int = 4 << 30
    ratio: int = 100
    ratio_floor: int = 64 << 20
    name: int = 1024
    part: int = 255
    depth: int = 64
    header: int = 64 << 10
    headers: int = 8

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


_Node = dict[str, "_Node | None"]  # a directory: its entries by name; None for a file


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
    # Every member path as a tree, so judging one costs its length, not its depth squared.
    tree: _Node = field(default_factory=dict)
    # File paths as normalised "a/b/c" strings (pathlib's objects cost a tenth of the scan).
    files: list[str] = field(default_factory=list)

    def open(self) -> IO[bytes]:
        return self.source.open("rb") if self.data is None else io.BytesIO(self.data)

    def refuse(self, what: str) -> ArchiveError:
        return ArchiveError(f"refused {self.source.name}: {what}", HINT)

    def path_of(self, name: str) -> tuple[list[str], _Node]:
        """The parts of a member's normalised path and the directory node that will hold it."""
        limits = self.limits
        if len(os.fsencode(name)) > limits.name:
            raise self.refuse(f"member {name[:80]!r}… has a path longer than {limits.name} bytes")
        if not name or "\x00" in name or "\\" in name or name.startswith("/") or _DRIVE.match(name):
            raise self.refuse(f"member {name!r} has an absolute or non-POSIX path")
        parts = [p for p in name.split("/") if p not in ("", ".")]
        if ".." in parts:
            raise self.refuse(f"member {name!r} points outside the archive ('..')")
        if not parts:
            raise self.refuse(f"member {name!r} has an empty path")
        if len(parts) > limits.depth:
            raise self.refuse(f"member {name!r} is more than {limits.depth} directories deep")
        if any(len(os.fsencode(part)) > limits.part for part in parts):
            raise self.refuse(f"member {name!r} has a name longer than {limits.part} bytes")
        self.count += 1
        if self.count > limits.members:
            raise self.refuse(f"more than {limits.members} members")
        if self.tree and parts[0] not in self.tree:
            tops = ", ".join(sorted({*self.tree, parts[0]}))
            raise self.refuse(f"more than one top-level entry: {tops}")
        node = self.tree
        for depth, part in enumerate(parts[:-1], 1):
            child = node.setdefault(part, {})
            if child is None:
                raise self.refuse(f"member {name!r} is inside {'/'.join(parts[:depth])!r},"
                                  " which is a file")
            node = child
        if parts[-1] in node:
            raise self.refuse(f"member {name!r} appears twice")
        return parts, node

    def directory(self, name: str) -> None:
        parts, parent = self.path_of(name)
        parent[parts[-1]] = {}
        if self.dest:
            self.dest.joinpath(*parts).mkdir(parents=True, exist_ok=True)

    def file(self, name: str, size: int, opener: Callable[[], IO[bytes]]) -> None:
        parts, parent = self.path_of(name)
        if len(parts) == 1:
            raise self.refuse(f"file {name!r} lies outside the archive's top directory")
        if self.written + size > self.budget:
            raise self.refuse(f"more than {self.budget} bytes uncompressed (an archive bomb?)")
        parent[parts[-1]] = None
        self.files.append("/".join(parts))
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
    # Stream mode reads each header once, so a bomb is refused before its data is inflated;
    # what is inflated, headers included, is counted against the budget as it is read.
    with writer.open() as raw, gzip.GzipFile(fileobj=raw, mode="rb") as inflated, \
            tarfile.open(fileobj=_Budgeted(inflated, writer), mode="r|",
                         tarinfo=_bounded_headers(writer)) as archive:
        for info in archive:
            kind = _tar_kind(info)
            if kind == "dir":
                writer.directory(info.name)
            elif kind == "file":
                writer.file(info.name, info.size, partial(_member, archive, info))
            else:
                raise writer.refuse(f"member {info.name!r} is a {kind}")


class _Budgeted(io.BufferedIOBase):
    """A stream that refuses to give out more bytes than the writer's budget."""

    def __init__(self, source: IO[bytes] | gzip.GzipFile, writer: _Writer) -> None:
        super().__init__()
        self.source, self.writer, self.read_so_far = source, writer, 0

    def read(self, size: int | None = -1) -> bytes:
        budget = self.writer.budget
        rest = budget + 1 - self.read_so_far
        data = self.source.read(rest if size is None or size < 0 else size)
        self.read_so_far += len(data)
        if self.read_so_far > budget:
            raise self.writer.refuse(f"more than {budget} bytes uncompressed (an archive bomb?)")
        return data


_EXTENDED = frozenset({tarfile.XHDTYPE, tarfile.XGLTYPE, tarfile.SOLARIS_XHDTYPE,
                       tarfile.GNUTYPE_LONGNAME, tarfile.GNUTYPE_LONGLINK})


def _bounded_headers(writer: _Writer) -> type[tarfile.TarInfo]:
    """A TarInfo that refuses an extended header (pax, GNU long name) larger than the limit, or
    more of them in a row than the limit, before tarfile reads it whole (and recurses into the
    next one)."""
    limits, in_a_row = writer.limits, [0]

    class Bounded(tarfile.TarInfo):
        @classmethod
        def frombuf(cls, buf: bytes | bytearray, encoding: str, errors: str) -> Bounded:
            info = super().frombuf(buf, encoding, errors)
            if info.type not in _EXTENDED:
                in_a_row[0] = 0
                return info
            in_a_row[0] += 1
            if info.size > limits.header:
                raise writer.refuse(f"an extended tar header of {info.size} bytes"
                                    f" (more than {limits.header})")
            if in_a_row[0] > limits.headers:
                raise writer.refuse(f"more than {limits.headers} extended tar headers in a row")
            return info

    return Bounded


def _member(archive: tarfile.TarFile, info: tarfile.TarInfo) -> IO[bytes]:
    source = archive.extractfile(info)
    assert source is not None
    return source


def extract(path: Path, dest: Path, limits: Limits | None = None) -> Extracted:
    """Unpack `path` under `dest` (an empty directory), refusing anything unsafe."""
    writer = _judge(path, dest, limits)
    (top,) = writer.tree
    files = tuple(sorted(p.partition("/")[2] for p in writer.files))
    return Extracted(path, container_of(path), top, dest / top, files)


def scan(path: Path, keep: Callable[[str], bool], limits: Limits | None = None,
         data: bytes | None = None) -> Scanned:
    """Judge every member as `extract` does, writing nothing; keep the bytes of the members
    (paths relative to the top directory) that `keep` names. Cheaper than unpacking; reads
    `data` instead of the file when given (the file's bytes, read once by the caller)."""
    writer = _judge(path, None, limits, keep, data)
    (top,) = writer.tree
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
    if not writer.tree:
        raise ArchiveError(f"{path.name} is empty", HINT)
    return writer


def read_metadata(ex: Extracted | Scanned) -> dict[str, Any]:
    """package.json as a JSON object."""
    label = ex.source.name
    raw: bytes | Path | None
    if isinstance(ex, Scanned):
        raw = ex.contents.get(METADATA_FILE)
    else:
        raw = ex.root / METADATA_FILE if (ex.root / METADATA_FILE).is_file() else None
    if raw is None:
        raise ArchiveError(f"{label}: no {METADATA_FILE} in {ex.top}/", "is this a wagon?")
    try:
        data = _json.load(raw) if isinstance(raw, Path) else _json.loads(raw)
    except ValueError as exc:
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
