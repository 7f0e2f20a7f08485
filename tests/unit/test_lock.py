"""One lock between processes (flock, as filelock takes it) for the cache's keys, a site's index
and a build's output directory: whoever holds one, the others wait, or give up with their error."""

from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path

import pytest

from packager import _lock
from packager.builder.publish import publish
from packager.cache import Cache
from packager.errors import ConfigError


def _held(path: Path) -> int:
    """A descriptor of `path` holding its flock, as another process's would."""
    handle = os.open(path, os.O_RDONLY | os.O_DIRECTORY if path.is_dir() else os.O_WRONLY | os.O_CREAT)
    fcntl.flock(handle, fcntl.LOCK_EX)
    return handle


def test_a_bounded_wait_gives_up_with_the_callers_error(tmp_path: Path) -> None:
    path = tmp_path / "lock"
    other = _held(path)
    try:
        with pytest.raises(ConfigError, match="busy"), _lock.flocked(path, 0.1, ConfigError("busy")):
            pytest.fail("the lock was taken twice")
        with pytest.raises(TimeoutError, match=f"{path} stayed locked"), _lock.flocked(path, 0.1):
            pytest.fail("the lock was taken twice")
    finally:
        os.close(other)
    with _lock.flocked(path, 0.1):
        pass  # released with its holder's descriptor


def test_the_cache_and_a_build_output_take_the_same_lock(tmp_path: Path) -> None:
    """cache.lock was filelock's: an flock of the same file still excludes it (and the reverse),
    so builds of this version and those before it fetch one key once."""
    cache = Cache(tmp_path / "cache")
    key = tmp_path / "cache" / "locks" / "key.lock"
    with cache.lock("key"), pytest.raises(TimeoutError), _lock.flocked(key, 0.1):
        pytest.fail("the cache's lock was taken twice")
    output = tmp_path / "out"
    output.mkdir()
    other = _held(output)
    done = threading.Event()

    def publisher() -> None:
        publish({"a.txt": b"a"}, output)
        done.set()

    worker = threading.Thread(target=publisher)
    worker.start()
    assert not done.wait(0.3)  # publish waits for the other publisher, however long it takes
    assert not (output / "a.txt").exists()
    os.close(other)
    worker.join(10)
    assert (output / "a.txt").read_bytes() == b"a"
