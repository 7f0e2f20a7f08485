"""One build's work as a pipeline: each target's files are fetched as soon as its resolution names
them, each sdist builds as soon as it is in hand (the longest first, one build per core), and a
target is ready when its last wheel is. The first target resolves alone; the others wait for
its sdists to be built and resolve with their metadata (shared_metadata.py). The scheduler asks
a Repository (repository.py) for everything that touches the world."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from ..events import Event, Events
from ..targets import BuildTarget
from .config import Options
from .cores import Cores
from .pool import PriorityPool
from .project import Prepared
from .repository import Attempt, Repository, UvRepository
from .resolution import Candidate, Resolution
from .resolve import EXCLUSION_ROUNDS
from .sdists import NoWheelForTarget, SdistFailure
from .shared_metadata import Lending, ReleaseMetadata, release_key

if TYPE_CHECKING:
    from typing_extensions import Self


@dataclass(frozen=True)
class TargetWheels:
    """A target whose last wheel is in: its pins, its wheels, and the dependencies it cannot
    have (foreign targets only)."""

    candidates: list[Candidate]
    wheels: list[Path]
    refused: list[NoWheelForTarget]


class Exclusions:
    """By target, the releases whose sdist turned out not to be for its Python."""

    def __init__(self, on_event: Events) -> None:
        self.on_event = on_event
        self._by_target: dict[str, tuple[str, ...]] = {}

    def of(self, target: BuildTarget) -> tuple[str, ...]:
        return self._by_target.get(target.id, ())

    def exclude(self, target: BuildTarget, candidate: Candidate, failure: SdistFailure,
                resolution: Resolution) -> bool:
        """Whether the target may resolve again without the release: its sdist is not for the
        target's Python, it came from an index rather than a lock, and rounds are left."""
        excluded = self.of(target)
        if (not failure.other_python or candidate.kind != "index" or resolution.locked
                or len(excluded) >= EXCLUSION_ROUNDS):
            return False
        self._by_target[target.id] = (*excluded, f"{candidate.name}!={candidate.version}")
        self.on_event(Event(f"excluded {candidate.name} {candidate.version}: its sdist does not"
                            f" build for Python {target.python_full_version}"
                            f" ({failure.cause})", target.id, "resolve"))
        return True


class Wheels:
    """Each target's wheel of each file, made once: the file itself, or built from its sdist as
    soon as it is in hand (as many at a time as the build's budget of cores allows, cores.py:
    the first target's first, as the others wait for its metadata, then the longest by a guess
    at their length)."""

    def __init__(self, repository: Repository, lending: Lending, cores: Cores) -> None:
        self.repository, self.lending = repository, lending
        self._builders = PriorityPool(cores.total, cores)
        self._futures: dict[tuple[str, str], Future[Path]] = {}
        self._lock = threading.Lock()

    def shutdown(self) -> None:
        """Drop the queued builds (their waiters hear CancelledError); those running finish."""
        self._builders.shutdown(cancel=True)

    def start(self, target: BuildTarget, candidates: Sequence[Candidate]) -> None:
        for candidate in candidates:
            self.get(target, candidate)

    def get(self, target: BuildTarget, candidate: Candidate) -> Future[Path]:
        # By file, not by Candidate: a guess made before uv answered has fewer details.
        key = (target.id, candidate.sha256 or candidate.url)
        with self._lock:
            future = self._futures.get(key)
            if future is None:
                future = self._make(target, candidate)
                self._futures[key] = future
        return future

    def _make(self, target: BuildTarget, candidate: Candidate) -> Future[Path]:
        if candidate.tree:
            return self._builders.submit((0.0,), lambda: self._build(target, candidate, None))
        download = self.repository.download(candidate, target)
        if not candidate.is_sdist:
            return download
        rank = float(target != self.lending.first)
        return self._builders.after(
            download, lambda sdist: (rank, -self.repository.cost(sdist)),
            lambda sdist: self._build(target, candidate, sdist))

    def _build(self, target: BuildTarget, candidate: Candidate, sdist: Path | None) -> Path:
        wheel = self.repository.build(target, candidate, sdist)
        metadata = self.repository.metadata(wheel)
        if metadata is not None:
            self.lending.record(metadata)
        return wheel


class Scheduler:
    """Every target of one build, each resolved, fetched and built as soon as it can be: the
    first target lends the others its sdists' metadata; a target resolves again when a release
    must be excluded or its wheel disagrees with what it was lent."""

    def __init__(self, repository: Repository, targets: Sequence[BuildTarget], cores: Cores,
                 on_event: Events) -> None:
        self.repository, self.cores, self.on_event = repository, cores, on_event
        self.lending = Lending(min(targets, key=lambda t: t.python) if len(targets) > 1 else None)
        self.wheels = Wheels(repository, self.lending, cores)
        self._exclusions = Exclusions(on_event)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.shutdown()

    def shutdown(self) -> None:
        """Drop the queued work (after a failure, or guesses nothing used), its waiters hear
        CancelledError; what runs finishes, as a tool stopped halfway leaves only scratch."""
        self.wheels.shutdown()
        self.repository.close()
        self.lending.lend()  # no target waits for a first target that will not build

    def _lend_when_built(self, target: BuildTarget, candidates: Sequence[Candidate]) -> None:
        """The other targets resolve once the first target's sdists are built (or failed):
        those uv first pinned, before its Requires-Python check may pin others."""
        if target == self.lending.first:
            self.lending.lend_when_built(
                [self.wheels.get(target, c) for c in candidates if c.is_sdist or c.tree])

    def _resolve(self, target: BuildTarget, refresh: bool, alone: bool) -> Resolution:
        """The target's resolution; its files start coming in as soon as uv names them."""

        def before_uv() -> list[ReleaseMetadata]:
            self.repository.prefetch(target, lambda sdist: self.wheels.get(target, sdist))
            lent = [] if alone else self.lending.borrow(target)
            if lent:
                first = self.lending.first.id if self.lending.first else ""
                self.on_event(Event(f"resolving with the metadata of {len(lent)} sdists built"
                                    f" for {first}", target.id, "resolve", detail=True))
            return lent

        def pinned(candidates: Sequence[Candidate]) -> None:
            self.wheels.start(target, candidates)
            self._lend_when_built(target, candidates)

        attempt = Attempt(refresh, alone, self._exclusions.of(target))
        resolution = self.repository.resolve(target, attempt, pinned, before_uv)
        if not resolution.shared:
            self.repository.remember(resolution)
        return resolution

    def wheels_for(self, target: BuildTarget, refresh: bool, alone: bool = False) -> TargetWheels:
        """The target once its last wheel is ready: again on its own when a release's sdist is
        not for its Python, or a wheel it built says other than the metadata it was lent."""
        try:
            resolution = self._resolve(target, refresh, alone)
        except BaseException:
            if target == self.lending.first:
                self.lending.lend()  # the others resolve on their own
            raise
        candidates = resolution.candidates
        self.wheels.start(target, candidates)
        self._lend_when_built(target, candidates)  # a lock or a cached resolution: uv pinned none
        count = len(candidates)
        self.on_event(Event(f"pinned {count} file{'' if count == 1 else 's'}", target.id, "fetch"))
        wheels, refused = [], []
        lent = {one.key: one for one in resolution.shared}
        for candidate in candidates:
            try:
                wheel = self.wheels.get(target, candidate).result()
            except NoWheelForTarget as exc:
                refused.append(exc)
                continue
            except SdistFailure as exc:
                if not self._exclusions.exclude(target, candidate, exc, resolution):
                    raise
                return self.wheels_for(target, True, alone=True)
            key = release_key(candidate.name, candidate.version)
            if key in lent and self.repository.metadata(wheel) != lent[key]:
                self.on_event(Event(f"{candidate.name} {candidate.version} says other"
                                    f" requirements on {target.python_full_version}: resolving"
                                    " again without borrowed metadata", target.id, "resolve"))
                return self.wheels_for(target, True, alone=True)
            try:
                self.repository.require_usable(target, candidate, wheel, candidates)
            except NoWheelForTarget as exc:
                refused.append(exc)
                continue
            wheels.append(wheel)
        if resolution.shared:
            self.repository.remember(resolution)  # what it was lent held: the resolution stands
        return TargetWheels(candidates, wheels, refused)


class PluginBuild(Scheduler):
    """One build of the plugin: its inputs, and the scheduler over uv and the indexes that every
    target shares; its builds take their cores from the build's budget (cores.py)."""

    def __init__(self, prepared: Prepared, options: Options) -> None:
        context = prepared.context  # the build's host, scratch directory, listener and cores
        self.prepared, self.options = prepared, options
        self.host, self.tmp = context.host, context.workdir
        super().__init__(UvRepository(prepared, options), prepared.targets, context.cores,
                         context.on_event)
