"""Forked: the function runs in the child prepared ahead, or here when the child cannot."""

from __future__ import annotations

import os

import pytest

from packager.site.forked import Forked


def pid_and_double(arg: int) -> tuple[int, int]:
    return os.getpid(), arg * 2


def refuse(arg: int) -> int:
    raise ValueError(f"no {arg}")


def test_the_child_answers_with_what_it_prepared() -> None:
    prepared: list[int] = []
    with Forked(pid_and_double, prepare=lambda: prepared.append(os.getpid())) as forked:
        child = forked.pid
        forked.send(21)
        assert forked.result() == (child, 42)
    assert child != os.getpid()
    assert prepared == []  # prepared in the child's memory, not ours
    with pytest.raises(ChildProcessError):
        os.waitpid(child, os.WNOHANG)  # reaped


def test_an_error_in_the_child_is_raised_here() -> None:
    with Forked(refuse, prepare=lambda: None) as forked:
        forked.send(7)
        with pytest.raises(ValueError, match="no 7"):
            forked.result()


def test_a_child_that_dies_while_preparing_leaves_the_work_here() -> None:
    with Forked(pid_and_double, prepare=lambda: os._exit(3)) as forked:
        forked.send(2)
        assert forked.result() == (os.getpid(), 4)


def test_an_unwanted_child_is_stopped_and_reaped() -> None:
    with Forked(pid_and_double, prepare=lambda: None) as forked:
        child = forked.pid
    with pytest.raises(ChildProcessError):
        os.waitpid(child, os.WNOHANG)
