"""One budget of cores for all of a build's work, as GNU make's jobserver hands out tokens: a job
(an sdist build, a wagon written and checked) takes one core to run, waiting its turn when none is
free, and a compiler that can run steps in parallel is told the cores it holds, which are its one
plus those free at its start that no waiting job wants. The cores held never exceed the budget,
where a pool of `jobs` builds each telling its compiler `jobs` cores ran up to jobs² processes."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .._toml import tomllib


class Cores:
    """`total` cores, handed out one at a time in the order they were asked for."""

    def __init__(self, total: int) -> None:
        self.total = max(1, total)
        self._free = self.total
        self._changed = threading.Condition()
        self._tickets = 0  # asked for so far
        self._served = 0  # given so far: the waiters are the tickets not yet served

    @property
    def waiting(self) -> int:
        """How many wait for a core."""
        with self._changed:
            return self._tickets - self._served

    def take(self) -> None:
        """One core, once every earlier waiter has had one and one is free."""
        with self._changed:
            ticket = self._tickets
            self._tickets += 1
            while ticket != self._served or not self._free:
                self._changed.wait()
            self._served += 1
            self._free -= 1
            self._changed.notify_all()  # the next ticket may be served too

    def spare(self, most: int) -> int:
        """Up to `most` cores more, without waiting: those free that no waiter wants."""
        with self._changed:
            count = max(0, min(most, self._free - (self._tickets - self._served)))
            self._free -= count
            return count

    def give(self, count: int = 1) -> None:
        with self._changed:
            self._free += count
            if self._free > self.total:
                raise RuntimeError(f"{self._free} cores given back of a budget of {self.total}")
            self._changed.notify_all()

    @contextmanager
    def one(self) -> Iterator[None]:
        """A core held for the block."""
        self.take()
        try:
            yield
        finally:
            self.give()

    @contextmanager
    def more(self, most: int) -> Iterator[int]:
        """Up to `most` spare cores held for the block, beside the one the caller holds: how
        many."""
        count = self.spare(most)
        try:
            yield count
        finally:
            if count:
                self.give(count)


PARALLEL_BUILDS = (b"cmake", b"scikit-build", b"scikit_build", b"maturin", b"setuptools-rust",
                   b"setuptools_rust", b"mesonpy")


def runs_steps_in_parallel(source: Path) -> bool:
    """Whether the unpacked sdist builds with CMake, Cargo or Meson, which run the steps of a
    build in parallel as told (CMAKE_BUILD_PARALLEL_LEVEL, CARGO_BUILD_JOBS, meson-python's
    compile-args): a CMakeLists.txt or Cargo.toml at its top, or a pyproject.toml that names
    such a backend."""
    if (source / "CMakeLists.txt").is_file() or (source / "Cargo.toml").is_file():
        return True
    text = _pyproject(source).lower()
    return any(name in text for name in PARALLEL_BUILDS)


def backend_settings(source: Path, jobs: int) -> list[str]:
    """The build backend's settings (KEY=VALUE) for a build holding `jobs` cores: meson-python's
    Ninja told `-j`, as it reads no variable and otherwise runs on every core."""
    try:
        table = tomllib.loads(_pyproject(source).decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
        # The sdist's publisher wrote it (tomllib recurses once per nested array): the build
        # itself says what is wrong with the file.
        return []
    system = table.get("build-system")
    backend = system.get("build-backend") if isinstance(system, dict) else None
    return [f"compile-args=-j{jobs}"] if backend == "mesonpy" else []


def _pyproject(source: Path) -> bytes:
    """The sdist's pyproject.toml, its first 64 KiB (b"" when it has none)."""
    try:
        with (source / "pyproject.toml").open("rb") as handle:
            return handle.read(1 << 16)
    except OSError:
        return b""


@contextmanager
def compiler_jobs(cores: Cores | None, source: Path) -> Iterator[int]:
    """The cores a build of `source` may use, held until it ends: the one its job holds, plus the
    spare ones of the budget when its steps run in parallel."""
    if cores is None or not runs_steps_in_parallel(source):
        yield 1
        return
    with cores.more(cores.total - 1) as more:
        yield 1 + more
