"""Files: their digests, atomic replacement (a temp file beside the destination, renamed into
place), and output directories checked before the work and their write errors told in one line."""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from .errors import ConfigError

# What a full, over-quota or read-only filesystem answers a write: the output, not the input.
_NO_ROOM = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EFBIG}
_HINT = "free space there or pass a directory on a writable filesystem; nothing was written"


def replace_atomically(data: bytes | Path | Callable[[BinaryIO], None], dest: Path) -> None:
    """`dest` holds either its old bytes or all of `data` (bytes, a file's, or what a function
    writes), never a part (mode 0644)."""
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            if isinstance(data, Path):
                with data.open("rb") as source:
                    shutil.copyfileobj(source, out)
            elif callable(data):
                data(out)
            else:
                out.write(data)
        Path(tmp).chmod(0o644)
        Path(tmp).replace(dest)
    finally:
        Path(tmp).unlink(missing_ok=True)


def file_digests(path: Path, *algorithms: str) -> dict[str, str]:
    """Hex digests of a file in one streamed pass, e.g. file_digests(p, "sha256", "md5")."""
    digests = {name: hashlib.new(name) for name in algorithms}
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            for digest in digests.values():
                digest.update(block)
    return {name: digest.hexdigest() for name, digest in digests.items()}


def sha256_of(path: Path) -> str:
    return file_digests(path, "sha256")["sha256"]


def check_writable(directory: Path, what: str) -> None:
    """ConfigError unless a file can be written in `directory`, or, when it is missing, in the
    nearest existing directory above it (where it will be created): one is written and removed."""
    try:
        existing = next(p for p in (directory, *directory.parents) if p.is_dir())
        blocked = next(p for p in (directory, *directory.parents) if p.exists() or p.is_symlink())
    except OSError as exc:  # a name too long, a loop of links
        raise ConfigError(f"{what} {directory} cannot be used: {exc.strerror}",
                          "pass another directory") from exc
    if blocked != existing:
        where = "is" if blocked == directory else f"is under {blocked}, which is"
        raise ConfigError(f"{what} {directory} {where} a file, not a directory",
                          "pass a directory; a missing one is created")
    try:
        fd, probe = tempfile.mkstemp(dir=existing, prefix=".plugin-packager-probe-")
        try:
            os.write(fd, b"\0")  # a full filesystem may still create an empty file
        finally:
            os.close(fd)
            Path(probe).unlink()
    except OSError as exc:
        raise ConfigError(f"cannot write to {what} {directory}: {exc.strerror}",
                          "pass a directory you can write to, on a filesystem with free space"
                          ) from exc


@contextmanager
def writing(where: Path, what: str) -> Iterator[None]:
    """A full or read-only filesystem met while writing `where`, as one line (ConfigError)."""
    try:
        yield
    except OSError as exc:
        if exc.errno not in _NO_ROOM:
            raise
        raise ConfigError(f"cannot write {what} {where}: {exc.strerror}", _HINT) from exc
