"""Atomic file replacement: write a temp file beside the destination, then rename it into place."""

from __future__ import annotations

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
