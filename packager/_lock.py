"""One kind of lock between processes: flock(2) on a file or a directory, as filelock's
UnixFileLock takes it (hosts are POSIX), released when its descriptor closes or its process dies,
so a killed holder leaves nothing to clean. The cache's keys, a site's index and a build's output
directory each take theirs here (filelock's import cost an index a twentieth of its time)."""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_POLL = 0.05  # flock cannot wait with a timeout: a bounded wait tries again this often


@contextmanager
def flocked(path: Path, wait: float | None = None, busy: Exception | None = None) -> Iterator[None]:
    """An exclusive lock on `path` (a directory, or a file made when missing) while the block
    runs: waited for as long as it takes, or with `wait`, that many seconds at most, then `busy`
    raised (a TimeoutError naming `path` without one)."""
    flags = os.O_RDONLY | os.O_DIRECTORY if path.is_dir() else os.O_WRONLY | os.O_CREAT
    handle = os.open(path, flags, 0o644)
    try:
        if wait is None:
            fcntl.flock(handle, fcntl.LOCK_EX)
        else:
            _wait_for(handle, time.monotonic() + wait,
                      busy or TimeoutError(f"{path} stayed locked for {wait:.0f} s"))
        yield
    finally:
        os.close(handle)


def _wait_for(handle: int, deadline: float, busy: Exception) -> None:
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise busy from None
            time.sleep(_POLL)
