"""How the CLI shows what it prints: build events as rich bars on a terminal, plain lines
everywhere else; every line made printable, whatever a wagon, a report or a site put in it."""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

from .._ci import in_github_actions
from ..events import STAGES, Event, Events

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import TaskID

    from ..wagon.report import BuildReport


_WRITING = threading.Lock()


def printable(line: str) -> str:
    """`line` as it may reach a terminal or a log: each character that is not printable (a
    newline, tab, escape sequence, bidi override) written as its Python escape, so a name read
    from a wagon neither starts a line of its own nor commands the terminal."""
    if line.isprintable():
        return line
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in line)


def echo(*lines: str, err: bool = False) -> None:
    """Each of `lines` on a line of its own, printable (stdout, or stderr with `err`)."""
    if lines:
        click.echo("\n".join(map(printable, lines)), err=err)


def _plain(event: Event) -> None:
    prefix = f"{event.target}: " if event.target else ""
    # One write per line under a lock: print() writes the text and its newline apart, so lines
    # from concurrent downloads and builds ran into each other.
    with _WRITING:
        sys.stderr.write(printable(f"{prefix}{event.message}") + "\n")
        sys.stderr.flush()


def _shown(events: Events, verbose: bool) -> Events:
    """Details (one of many alike, summarised elsewhere) only with --verbose."""

    def show(event: Event) -> None:
        if verbose or not event.detail:
            events(event)

    return show


@contextmanager
def progress_renderer(console: Console | None = None, verbose: bool = False) -> Iterator[Events]:
    """An event listener for the duration of one command."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn

    console = console or Console(stderr=True)
    if not console.is_terminal:
        yield _shown(_plain, verbose)
        return
    tasks: dict[str, TaskID] = {}
    reached: dict[str, int] = {}
    lock = threading.Lock()
    columns = (TextColumn("{task.fields[target]:<32}"), BarColumn(), TextColumn("{task.description}"))
    with Progress(*columns, console=console, transient=False) as progress:

        def show(event: Event) -> None:
            if event.target is None or event.stage is None:
                progress.console.print(event.message)
                return
            with lock:
                if event.target not in tasks:
                    tasks[event.target] = progress.add_task(
                        event.message, total=len(STAGES) - 1, target=event.target
                    )
                # Stages overlap (files still arrive while others build): the bar never goes back.
                reached[event.target] = max(reached.get(event.target, 0),
                                            STAGES.index(event.stage))
            progress.update(tasks[event.target], description=event.message,
                            completed=reached[event.target])

        yield _shown(show, verbose)



@contextmanager
def ci_group(title: str) -> Iterator[None]:
    """Under GitHub Actions, fold the command's log lines under `title`."""
    if in_github_actions(os.environ):
        print(f"::group::{title}", file=sys.stderr, flush=True)
    try:
        yield
    finally:
        if in_github_actions(os.environ):
            print("::endgroup::", file=sys.stderr, flush=True)


def step_summary(title: str, report: BuildReport, start: float) -> None:
    """Under GitHub Actions, the wagons of a build or merge in the job's step summary."""
    from ..release.summary import append_step_summary, report_markdown

    if in_github_actions(os.environ):
        markdown = report_markdown(title, report, time.monotonic() - start)
        append_step_summary(markdown, os.environ)
