"""What every stage of one build works with: the environment its tools see, the cache, the
machine, the directory its scratch goes to, who hears its events, and the budget of cores all of
its work shares (cores.py)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..cache import Cache
from ..events import Events, ignore
from ..targets import Host
from .cores import Cores


@dataclass(frozen=True)
class BuildContext:
    """One build's surroundings, handed down whole rather than as five parameters."""

    env: Mapping[str, str]
    cache: Cache
    host: Host
    workdir: Path
    on_event: Events = ignore
    cores: Cores = field(default_factory=lambda: Cores(os.cpu_count() or 1))

    def under(self, *parts: str) -> BuildContext:
        """The same context, its scratch in a directory of its own below this one's."""
        return replace(self, workdir=self.workdir.joinpath(*parts))
