"""What the library reports while it works; the CLI decides how to show it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

# Stages of one target, in order; a progress display advances one step per stage.
STAGES = ("plan", "resolve", "fetch", "compile", "write", "done")


@dataclass(frozen=True)
class Event:
    message: str
    target: str | None = None
    stage: str | None = None
    detail: bool = False  # one of many alike, summarised in another event: shown with --verbose


Events = Callable[[Event], None]


def ignore(_event: Event) -> None:
    """The default listener: libraries stay silent unless someone listens."""
