"""Files the site writes from pieces of the files it has: new bytes and ranges of an old file,
copied by the kernel, and old files read through a memory map rather than copied."""

from __future__ import annotations

import mmap
import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import ArchiveError
from .records import STATE_HINT


@dataclass(frozen=True)
class Pieces:
    """A file made of new bytes and of (offset, length) ranges of `source`, which the kernel
    copies without the bytes passing through Python (the catalogs keep most of their lines)."""

    source: Path
    parts: list[bytes | tuple[int, int]]

    def write(self, out: int) -> None:
        with self.source.open("rb") as source:
            for part in self.parts:
                if isinstance(part, bytes):
                    write_all(out, part)
                    continue
                offset, left = part
                while left:
                    done = _copy_range(source.fileno(), out, left, offset)
                    if not done:
                        raise ArchiveError(f"{self.source}: unreadable site state: shorter than"
                                           " the state says", STATE_HINT)
                    offset, left = offset + done, left - done


def _copy_range(source: int, out: int, count: int, offset: int) -> int:
    """Bytes copied from `source` at `offset` to the end of `out` (in the kernel if it can)."""
    try:
        return os.copy_file_range(source, out, count, offset)
    except (AttributeError, OSError):  # not Linux, or a filesystem that cannot
        data = os.pread(source, min(count, 1 << 20), offset)
        write_all(out, data)
        return len(data)


def write_all(out: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(out, view):]


def mapped(path: Path) -> bytes | mmap.mmap:
    """The file's bytes, mapped rather than read: a catalog of 13 MB is searched, not copied."""
    with path.open("rb") as handle:
        if not os.fstat(handle.fileno()).st_size:
            return b""
        return mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
