"""Content-addressed file cache: entries keyed by sha256, verified on every read."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from .wheels import sha256_of


class Cache:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _entry(self, sha256: str, filename: str) -> Path:
        return self.root / "files" / sha256[:2] / sha256 / filename

    def get(self, sha256: str, filename: str) -> Path | None:
        """The cached file, or None; a corrupted entry is dropped so it gets fetched again."""
        path = self._entry(sha256, filename)
        if not path.is_file():
            return None
        if sha256_of(path) != sha256:
            path.unlink(missing_ok=True)
            return None
        return path

    def put(self, source: Path, sha256: str, filename: str) -> Path:
        """Copy `source` in atomically; concurrent writers of one key write the same bytes."""
        path = self._entry(sha256, filename)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        os.close(fd)
        try:
            shutil.copyfile(source, tmp)
            Path(tmp).replace(path)
        finally:
            Path(tmp).unlink(missing_ok=True)
        return path
