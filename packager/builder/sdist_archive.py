"""An sdist read whatever its container (zip, or a tar in any compression tarfile reads) and
within bounds, since whoever published it wrote it: its files, one file's bytes, or all of it
unpacked."""

from __future__ import annotations

import re
import tarfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import IO

from ..errors import BuildError
from ..wheels import MAX_READ

MAX_UNPACKED = 4 << 30  # bytes an sdist may unpack to: more is a bomb, not a source tree


@dataclass(frozen=True)
class Member:
    """A regular file of the sdist and its uncompressed size."""

    name: str
    size: int
    open: Callable[[], IO[bytes] | None]


@dataclass(frozen=True)
class SdistArchive:
    """An open sdist (see open_sdist)."""

    path: Path
    archive: zipfile.ZipFile | tarfile.TarFile

    def files(self) -> Iterator[Member]:
        """Every regular file, in the archive's order; a tar is read only as far as asked, so
        finding PKG-INFO near its start does not inflate the rest."""
        if isinstance(self.archive, zipfile.ZipFile):
            for info in self.archive.infolist():
                if not info.is_dir():
                    yield Member(info.filename, info.file_size, partial(self.archive.open, info))
            return
        for member in self.archive:
            if member.isfile():
                yield Member(member.name, member.size, partial(self.archive.extractfile, member))

    def read(self, pattern: str) -> bytes:
        """At most MAX_READ bytes of the first file whose name matches `pattern`; b"" if none."""
        wanted = re.compile(pattern)
        member = next((m for m in self.files() if wanted.fullmatch(m.name)), None)
        handle = member.open() if member is not None else None
        if handle is None:
            return b""
        with handle:
            return handle.read(MAX_READ)

    def unpack(self, dest: Path) -> None:
        """Everything under `dest`, no path outside it; refused past MAX_UNPACKED bytes."""
        total = sum(member.size for member in self.files())
        if total > MAX_UNPACKED:
            raise BuildError(f"{self.path.name} unpacks to {total} bytes, more than"
                             f" {MAX_UNPACKED}: an archive bomb, not a source tree",
                             "pin another release, or provide a wheel with --find-links")
        if isinstance(self.archive, zipfile.ZipFile):
            self.archive.extractall(dest)
        else:
            self.archive.extractall(dest, filter="data")


@contextmanager
def open_sdist(path: Path) -> Iterator[SdistArchive]:
    """The sdist opened as a zip when it is one, else as a tar; closed on leaving."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            yield SdistArchive(path, archive)
    else:
        with tarfile.open(path) as tar:
            yield SdistArchive(path, tar)


def sdist_member(path: Path, pattern: str) -> bytes:
    """At most MAX_READ bytes of the sdist's first file whose name matches `pattern`."""
    with open_sdist(path) as sdist:
        return sdist.read(pattern)
