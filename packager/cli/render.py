"""How the CLI shows build events: rich bars on a terminal, plain lines everywhere else."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from ..events import STAGES, Event, Events

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import TaskID


def _plain(event: Event) -> None:
    prefix = f"{event.target}: " if event.target else ""
    print(f"{prefix}{event.message}", file=sys.stderr, flush=True)


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
            progress.update(
                tasks[event.target], description=event.message, completed=STAGES.index(event.stage)
            )

        yield _shown(show, verbose)
