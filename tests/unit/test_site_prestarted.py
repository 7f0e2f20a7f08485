"""Prestarted: the function runs in the child prepared ahead, or here when the child cannot."""

from __future__ import annotations

import os
import threading

import pytest

from packager.site.prestarted import Prestarted

HERE = __name__
PREPARED: list[int] = []


def pid_and_double(arg: int) -> tuple[int, int, list[int]]:
    return os.getpid(), arg * 2, PREPARED


def prepare() -> None:
    PREPARED.append(os.getpid())


def nothing() -> None:
    """Nothing to prepare."""


def die() -> None:
    os._exit(3)


def refuse(arg: int) -> int:
    raise ValueError(f"no {arg}")


def test_the_child_answers_with_what_it_prepared() -> None:
    with Prestarted(HERE, "pid_and_double", "prepare") as started:
        child = started.pid
        started.send(21)
        assert started.result() == (child, 42, [child])
    assert child != os.getpid()
    assert PREPARED == []  # prepared in the child's memory, not ours
    with pytest.raises(ChildProcessError):
        os.waitpid(child, os.WNOHANG)  # reaped


def test_an_error_in_the_child_is_raised_here() -> None:
    with Prestarted(HERE, "refuse", "nothing") as started:
        started.send(7)
        with pytest.raises(ValueError, match="no 7"):
            started.result()


def test_a_child_that_dies_while_preparing_leaves_the_work_here() -> None:
    with Prestarted(HERE, "pid_and_double", "die") as started:
        started.send(2)
        assert started.result() == (os.getpid(), 4, [])


def test_an_unwanted_child_is_stopped_and_reaped() -> None:
    with Prestarted(HERE, "pid_and_double", "nothing") as started:
        child = started.pid
    with pytest.raises(ChildProcessError):
        os.waitpid(child, os.WNOHANG)


def test_while_another_thread_runs_nothing_is_forked_and_the_work_is_done_here() -> None:
    stop = threading.Event()
    other = threading.Thread(target=stop.wait, args=(10,))
    other.start()
    try:
        with Prestarted(HERE, "pid_and_double", "prepare") as started:
            assert started.pid == 0
            started.send(5)
            assert started.result() == (os.getpid(), 10, [])  # not prepared: not needed here
    finally:
        stop.set()
        other.join()
