"""Content-addressed cache shared by all targets, projects and concurrent builds.

Downloaded files are keyed by their own sha256; derived artefacts (plugin wheels, sdist builds,
resolutions) by a key over their inputs and stored with the sha256 of their bytes. Every read is
verified: a corrupted entry is dropped, so the caller fetches or builds it again.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

from ._files import replace_atomically, sha256_of
from ._lock import flocked

DIGEST_FILE = "sha256"
LOG_DAYS = 14  # a build's logs are pruned by the first build this much later


def key_of(*parts: str) -> str:
    """A cache key over ordered inputs (NUL-separated, so parts cannot run into each other)."""
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


class Cache:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._logs: Path | None = None
        self._logs_lock = threading.Lock()

    def _log_dir(self) -> Path:
        """This instance's (one build's) own folder of logs, made on first use, so no other
        build overwrites a log a message points to; folders older than LOG_DAYS go then."""
        with self._logs_lock:
            if self._logs is None:
                parent = self.root / "logs"
                parent.mkdir(parents=True, exist_ok=True)
                _prune(parent, time.time() - LOG_DAYS * 86400)
                stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
                self._logs = Path(tempfile.mkdtemp(dir=parent, prefix=f"{stamp}-{os.getpid()}-"))
            return self._logs

    def log_path(self, name: str) -> Path:
        return self._log_dir() / f"{name}.log"

    def keep_log(self, name: str, text: str) -> Path:
        """A tool's whole output, kept where an error message can point to it."""
        path = self.log_path(name)
        replace_atomically(text.encode("utf-8"), path)
        return path

    def lock(self, key: str) -> contextlib.AbstractContextManager[None]:
        """A cross-process lock so concurrent builds fetch or build one key once."""
        path = self.root / "locks" / f"{key}.lock"
        path.parent.mkdir(parents=True, exist_ok=True)
        return flocked(path)

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
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".tmp-", delete=False) as tmp:
            pass
        try:
            shutil.copyfile(source, tmp.name)
            Path(tmp.name).replace(path)
        finally:
            Path(tmp.name).unlink(missing_ok=True)
        return path

    def _keyed_dir(self, kind: str, key: str) -> Path:
        return self.root / kind / key[:2] / key

    def get_keyed(self, kind: str, key: str, max_age: float | None = None) -> Path | None:
        """The one file stored under (kind, key) if intact and, with `max_age`, young enough."""
        folder = self._keyed_dir(kind, key)
        record = folder / DIGEST_FILE
        if not record.is_file():
            return None
        files = [p for p in folder.iterdir() if p.name != DIGEST_FILE]
        fresh = max_age is None or time.time() - record.stat().st_mtime <= max_age
        if len(files) == 1 and fresh and sha256_of(files[0]) == record.read_text().strip():
            return files[0]
        shutil.rmtree(folder, ignore_errors=True)
        return None

    def put_keyed(self, kind: str, key: str, source: Path) -> Path:
        """Store `source` under (kind, key); the whole entry appears at once or not at all."""
        folder = self._keyed_dir(kind, key)
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=".tmp-"))
        try:
            shutil.copyfile(source, staging / source.name)
            (staging / DIGEST_FILE).write_text(sha256_of(source) + "\n")
            # When another build stored the same key first, its entry is as good as ours.
            with contextlib.suppress(OSError):
                staging.replace(folder)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return self.get_keyed(kind, key) or source

    def put_keyed_bytes(self, kind: str, key: str, name: str, data: bytes) -> Path:
        """put_keyed of `data` as a file called `name`."""
        with tempfile.TemporaryDirectory() as scratch:
            made = Path(scratch) / name
            made.write_bytes(data)
            return self.put_keyed(kind, key, made)

    def mark(self, kind: str, key: str) -> None:
        """Remember that the check `kind` passed for `key`."""
        self.put_keyed_bytes(kind, key, "passed", b"")

    def marked(self, kind: str, key: str) -> bool:
        return self.get_keyed(kind, key) is not None


def _prune(logs: Path, before: float) -> None:
    """Drop the entries of `logs` last changed before `before`: old builds' folders, and the
    single files earlier versions kept there."""
    for entry in logs.iterdir():
        with contextlib.suppress(OSError):  # another build may prune it at the same time
            if entry.lstat().st_mtime >= before:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
