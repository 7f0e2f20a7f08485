"""Files: their digests, and atomic replacement (a temp file beside the destination, renamed into
place)."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


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
