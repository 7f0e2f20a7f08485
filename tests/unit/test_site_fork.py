"""`index` forks no process while a thread runs (the child of such a fork may wait forever on a
lock the thread held; Python 3.12 warns), and where it may not fork it does the work itself and
makes the same site."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from packager.site import index, state
from packager.site.index import index_site
from tests.unit.test_site_index import PREVIEW, hello, write


def _recorded_forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The number of threads running at each fork of this process from now on."""
    seen: list[int] = []
    fork = os.fork

    def recording() -> int:
        seen.append(threading.active_count())
        return fork()

    monkeypatch.setattr(os, "fork", recording)
    return seen


def _read_by_a_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two reading processes for four wagons, whatever the machine's cores."""
    monkeypatch.setattr(index, "POOL_FROM", 2)
    monkeypatch.setattr(os, "cpu_count", lambda: 4)


def _releases(tmp_path: Path) -> Path:
    for n in range(4):
        write(hello(f"1.{n}.0"), tmp_path / "in")
    return tmp_path / "in"


def _files(site: Path) -> dict[str, bytes]:
    return {str(p.relative_to(site)): p.read_bytes() for p in sorted(site.rglob("*"))
            if p.is_file() and p.name != "lock"}


def test_the_processes_are_forked_before_the_thread_that_empties_the_trash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    index_site([write(hello("0.9.0"), tmp_path / "first")], site, PREVIEW)
    index_site([write(hello("0.9.1"), tmp_path / "second")], site, PREVIEW)  # leaves trash
    old = set(state.trash_dir(site).iterdir())
    assert old
    # The trash's thread runs until the pages are rendered, after every wagon was read.
    rendering, delete, render = threading.Event(), state._delete, index._render

    def slow_delete(paths: list[Path]) -> None:
        assert rendering.wait(10)
        delete(paths)

    def render_then_go(*args: object) -> None:
        rendering.set()
        render(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(state, "_delete", slow_delete)
    monkeypatch.setattr(index, "_render", render_then_go)
    _read_by_a_pool(monkeypatch)
    forks = _recorded_forks(monkeypatch)
    result = index_site([_releases(tmp_path)], site, PREVIEW)
    assert len(result.added) == 4
    assert forks == [1, 1, 1]  # the renderer and two readers, each while this thread ran alone
    assert not old & set(state.trash_dir(site).iterdir())  # emptied all the same


@pytest.mark.parametrize("why", ["a thread runs", "no fork"])
def test_where_it_may_not_fork_index_does_the_work_itself_and_makes_the_same_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, why: str
) -> None:
    wagons = _releases(tmp_path)
    _read_by_a_pool(monkeypatch)
    index_site([wagons], tmp_path / "forked", PREVIEW)
    forks = _recorded_forks(monkeypatch)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait, args=(10,))
    if why == "a thread runs":
        other.start()
    else:
        monkeypatch.delattr(os, "fork")
    try:
        result = index_site([wagons], tmp_path / "here", PREVIEW)
    finally:
        stop.set()
        if other.is_alive():
            other.join()
    assert (len(result.added), forks) == (4, [])
    assert _files(tmp_path / "here") == _files(tmp_path / "forked")
