"""What a resolution takes and gives, shared by resolving, fetching, building and scheduling: a
`Request` in, a `Resolution` out, a `Candidate` for each pinned file."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ..cache import Cache
from ..errors import ResolutionError
from ..targets import BuildTarget, Host
from .indexes import Indexes
from .inputs import NO_INPUTS, TargetInputs
from .shared_metadata import ReleaseMetadata


@dataclass(frozen=True)
class Candidate:
    """The one file a target gets for a pinned package."""

    name: str
    version: str
    filename: str
    url: str
    sha256: str | None
    is_sdist: bool
    wheels: tuple[str, ...] = ()  # every wheel file of the release, for saying why none fits
    kind: str = "index"  # or a direct reference: "archive", "git" (url@commit), "directory"
    commit: str | None = None
    size: int | None = None  # bytes, when the index says

    @property
    def tree(self) -> bool:
        """A source tree (a git checkout or a local directory) rather than a file."""
        return self.kind in ("git", "directory")

    @property
    def reference(self) -> str | None:
        """A direct reference as pinned: `name @ git+URL@commit`, `name @ URL#sha256=...`."""
        url = self.url if "://" in self.url else Path(self.url).resolve().as_uri()
        base, hash_mark, fragment = url.partition("#")
        pinned = {"git": f"git+{base.removeprefix('git+')}@{self.commit}{hash_mark}{fragment}",
                  "archive": f"{url}#sha256={self.sha256}", "directory": url}
        return f"{self.name} @ {pinned[self.kind]}" if self.kind in pinned else None


class Files(Protocol):
    """Where a resolution gets the files it reads Requires-Python from (fetch.Downloads)."""

    def get(self, candidate: Candidate, target: str | None = None) -> Future[Path]: ...


@dataclass(frozen=True)
class Request:
    """One target's resolution: what to resolve, for which target, from where, with what."""

    target: BuildTarget
    requirements: Sequence[str]
    workdir: Path  # scratch space for uv's input and output files
    indexes: Indexes
    env: Mapping[str, str]
    host: Host
    cache: Cache
    inputs: TargetInputs = NO_INPUTS
    downloads: Files | None = None  # a build's shared downloads; else the resolution's own
    fresh: bool = False  # uv's cache unread (see _tools.uv_compile)
    excluded: tuple[str, ...] = ()  # `name!=version` of releases a build found unusable


@dataclass(frozen=True)
class Resolution:
    """A target's pinned files, and what the caller may cache: `made` is the lock uv just wrote
    (under `key`), None for a lock of the project's or a cached resolution; `shared` is the
    metadata of other targets' builds uv resolved with, which the target's own wheels confirm."""

    candidates: list[Candidate]
    locked: bool = False  # the project's lock: nothing to exclude, nothing to resolve again
    made: bytes | None = None
    key: str = ""
    shared: tuple[ReleaseMetadata, ...] = ()


class Unresolvable(ResolutionError):
    """uv found no solution; `output` holds its whole explanation (stale.py reads the names)."""

    def __init__(self, message: str, hint: str, output: str) -> None:
        super().__init__(message, hint)
        self.output = output


Pinned = Callable[[Sequence[Candidate]], None]
