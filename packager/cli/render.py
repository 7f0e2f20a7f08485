"""How the CLI shows build events: rich bars on a terminal, plain lines everywhere else."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn

from ..events import STAGES, Event, Events


def _plain(event: Event) -> None:
    prefix = f"{event.target}: " if event.target else ""
    print(f"{prefix}{event.message}", file=sys.stderr, flush=True)


@contextmanager
def progress_renderer(console: Console | None = None) -> Iterator[Events]:
    """An event listener for the duration of one command."""
    console = console or Console(stderr=True)
    if not console.is_terminal:
        yield _plain
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

        yield show
