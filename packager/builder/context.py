"""What every stage of one build works with: the environment its tools see, the cache, the
machine, the directory its scratch goes to, and who hears its events."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from ..cache import Cache
from ..events import Events, ignore
from ..targets import Host


@dataclass(frozen=True)
class BuildContext:
    """One build's surroundings, handed down whole rather than as five parameters."""

    env: Mapping[str, str]
    cache: Cache
    host: Host
    workdir: Path
    on_event: Events = ignore

    def under(self, *parts: str) -> BuildContext:
        """The same context, its scratch in a directory of its own below this one's."""
        return replace(self, workdir=self.workdir.joinpath(*parts))
