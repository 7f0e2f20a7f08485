"""The seam between the scheduler and the world (as pip-tools' BaseRepository): how a target is
resolved, how a candidate's file arrives and becomes a wheel, and what a wheel says. `UvRepository`
does it with uv, the package indexes and the sdist builds; the scheduler's unit tests use an index
held in memory."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

from ..errors import ResolutionError
from ..events import Event
from ..targets import BuildTarget
from ..wheels import inspect_wheel
from .config import Options
from .direct import tree_sdist
from .fetch import DOWNLOAD_THREADS, Downloads
from .lock import lock_path, read_lock
from .pool import PriorityPool
from .prefetch import sdists_to_prefetch
from .project import Prepared
from .resolution import Candidate, Pinned, Request, Resolution
from .resolve import remember, resolve
from .sdists import (
    NoWheelForTarget,
    build_cost,
    build_sdist,
    compiled_release,
    release_wheels,
    require_pure,
)
from .shared_metadata import ReleaseMetadata

OnCompile = Callable[[], list[ReleaseMetadata]]


@dataclass(frozen=True)
class Attempt:
    """One resolution the scheduler asks of a target."""

    refresh: bool  # a cached resolution is not reused
    alone: bool  # resolved on its own: no metadata lent, uv's cache unread
    excluded: tuple[str, ...] = ()  # `name!=version` of releases whose sdist is not for it


class Repository(Protocol):
    def resolve(self, target: BuildTarget, attempt: Attempt, on_pinned: Pinned,
                on_compile: OnCompile) -> Resolution:
        """The target's pinned files. When uv is to resolve, `on_compile` is called first and
        returns the metadata it resolves with; `on_pinned` hears the files of each of its
        rounds."""

    def remember(self, resolution: Resolution) -> None:
        """Cache a resolution that holds."""

    def download(self, candidate: Candidate, target: BuildTarget) -> Future[Path]:
        """The candidate's file, fetched once however many targets ask."""

    def cost(self, sdist: Path) -> float:
        """A guess at how long the sdist takes to build, to start the longest first."""

    def build(self, target: BuildTarget, candidate: Candidate, sdist: Path | None) -> Path:
        """The wheel built from the sdist (None: from the candidate's source tree); raises
        NoWheelForTarget, or SdistFailure."""

    def metadata(self, wheel: Path) -> ReleaseMetadata | None:
        """What uv would read of the wheel's release to resolve."""

    def require_usable(self, target: BuildTarget, candidate: Candidate, wheel: Path,
                       pinned: Sequence[Candidate]) -> None:
        """Raises NoWheelForTarget when the target cannot have the wheel built for it."""

    def prefetch(self, target: BuildTarget, start: Callable[[Candidate], object]) -> None:
        """`start` each sdist the resolution is bound to pin, guessed while uv resolves."""

    def close(self) -> None:
        """Drop the queued downloads; those running finish."""


class UvRepository:
    """Resolution by uv (or the project's locks), downloads from the indexes, sdists built by
    the target's interpreter."""

    def __init__(self, prepared: Prepared, options: Options) -> None:
        context = prepared.context  # the build's host, scratch directory, listener and cores
        self.prepared, self.options = prepared, options
        self.host, self.tmp, self.on_event = context.host, context.workdir, context.on_event
        self._fetchers = PriorityPool(DOWNLOAD_THREADS)
        self._downloads = Downloads(self._fetchers, prepared.context, options.indexes,
                                    offline=options.offline)

    def close(self) -> None:
        self._fetchers.shutdown(cancel=True)

    def _request(self, target: BuildTarget) -> Request:
        return self.prepared.request(target, self.tmp / target.id, self.options.indexes,
                                     self.host)

    def resolve(self, target: BuildTarget, attempt: Attempt, on_pinned: Pinned,
                on_compile: OnCompile) -> Resolution:
        """The target's lock when the project has one, else a (cached) resolution."""
        options, prepared = self.options, self.prepared
        path = lock_path(options.project, options.locks, target)
        if path.is_file():
            self.on_event(Event(f"using {path.name}", target.id, "resolve"))
            return Resolution(read_lock(path, target, prepared.locked_for(target)), locked=True)
        if options.offline:
            raise ResolutionError(
                f"--offline needs a lock for {target.id}, and {path} does not exist",
                "run plugin-packager lock while the network is there",
            )
        request = replace(self._request(target), downloads=self._downloads, fresh=attempt.alone,
                          excluded=attempt.excluded)
        count = len(request.requirements)
        self.on_event(Event(f"resolving {count} requirements", target.id, "resolve"))
        return resolve(request, attempt.refresh, self.on_event, on_pinned, on_compile)

    def remember(self, resolution: Resolution) -> None:
        remember(self.prepared.context.cache, resolution)

    def download(self, candidate: Candidate, target: BuildTarget) -> Future[Path]:
        return self._downloads.get(candidate, target.id)

    def cost(self, sdist: Path) -> float:
        return float(build_cost(sdist))

    def build(self, target: BuildTarget, candidate: Candidate, sdist: Path | None) -> Path:
        if sdist is None:
            # A source tree (git, a directory) has no file to fetch; it becomes an sdist first.
            sdist = tree_sdist(candidate,
                               self.prepared.context.under(target.id, "trees", candidate.name))
        elif not self.options.offline and not target.is_native(self.host):
            # A release with wheels for other platforms only is compiled code: no need to build it.
            others = release_wheels(candidate, self.options.indexes)
            why = compiled_release(replace(candidate, wheels=candidate.wheels + others), target)
            if why is not None:
                raise NoWheelForTarget(candidate, why)
        context = self.prepared.context.under(target.id, f"{candidate.name}-{candidate.version}")
        return build_sdist(candidate, sdist, target, context)

    def metadata(self, wheel: Path) -> ReleaseMetadata | None:
        return ReleaseMetadata.of(inspect_wheel(wheel))

    def require_usable(self, target: BuildTarget, candidate: Candidate, wheel: Path,
                       pinned: Sequence[Candidate]) -> None:
        if candidate.is_sdist and not target.is_native(self.host):
            require_pure(candidate, wheel, target, pinned)

    def prefetch(self, target: BuildTarget, start: Callable[[Candidate], object]) -> None:
        """While uv resolves, guess from the primary index alone (another index or a
        --find-links directory may hold the wheel uv picks)."""
        indexes = self.options.indexes
        if not target.is_native(self.host) or indexes.local_dirs or indexes.extra_index_urls:
            return
        requirements = self.prepared.requirements(target)
        index = indexes.primary

        def guess() -> None:
            for sdist in sdists_to_prefetch(requirements, target, index,
                                            indexes.auth_header(index)):
                self.on_event(Event(f"{sdist.name}=={sdist.version} has no wheel for this target:"
                                    " its sdist builds while uv resolves", target.id, "resolve",
                                    detail=True))
                start(sdist)

        self._fetchers.submit((-1.0,), guess)
