"""One build's work as a pipeline: each target's files are fetched as soon as its resolution names
them, each sdist builds as soon as it is in hand (the longest first, one build per core), and a
target is ready when its last wheel is."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from ..errors import ResolutionError
from ..events import Event, Events
from ..targets import BuildTarget, Host
from .ahead import exact_pins, sdist_to_build
from .config import Options
from .direct import tree_sdist
from .explain import index_files
from .fetch import DOWNLOAD_THREADS, Downloads
from .lock import lock_path, read_lock
from .pool import PriorityPool
from .project import Prepared
from .resolve import Candidate, resolve
from .sdists import (
    Refused,
    build_cost,
    build_sdist,
    compiled_release,
    release_wheels,
    require_pure,
)

if TYPE_CHECKING:
    from typing_extensions import Self

DEFAULT_INDEX = "https://pypi.org/simple"


@dataclass(frozen=True)
class Ready:
    """A target whose last wheel is in: its pins, its wheels, and the dependencies it cannot
    have (foreign targets only)."""

    candidates: list[Candidate]
    wheels: list[Path]
    refused: list[Refused]


class Work:
    """What all targets of one build share: the downloads, the sdist builds (`jobs` at a time,
    each compiler told it may use `jobs` cores), and every build started once per target."""

    def __init__(self, prepared: Prepared, options: Options, host: Host, tmp: Path,
                 jobs: int | None, on_event: Events) -> None:
        self.prepared, self.options, self.host, self.tmp = prepared, options, host, tmp
        self.on_event = on_event
        self.cores = max(1, jobs or os.cpu_count() or 1)
        self._fetchers = PriorityPool(DOWNLOAD_THREADS)
        self._builders = PriorityPool(self.cores)
        self.downloads = Downloads(self._fetchers, tmp / "download", prepared.cache,
                                   options.indexes.local_dirs, options.offline, options.indexes,
                                   on_event)
        self._wheels: dict[tuple[str, str], Future[Path]] = {}
        self._lock = threading.Lock()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.shutdown()

    def shutdown(self) -> None:
        """Drop the queued work (after a failure, or guesses nothing used), its waiters hear
        CancelledError; what runs finishes, as a tool stopped halfway leaves only scratch."""
        for pool in (self._builders, self._fetchers):
            pool.shutdown(cancel=True)

    def start(self, target: BuildTarget, candidates: Sequence[Candidate]) -> None:
        """Fetch every file of the target and build each sdist as soon as it is in hand."""
        for candidate in candidates:
            self.wheel(target, candidate)

    def wheel(self, target: BuildTarget, candidate: Candidate) -> Future[Path]:
        """The candidate's wheel for the target: the file itself, or built from its sdist."""
        # By file, not by Candidate: a guess made before uv answered has fewer details.
        key = (target.id, candidate.sha256 or candidate.url)
        with self._lock:
            future = self._wheels.get(key)
            if future is None:
                future = self._wheel(target, candidate)
                self._wheels[key] = future
        return future

    def _wheel(self, target: BuildTarget, candidate: Candidate) -> Future[Path]:
        if candidate.tree:
            # A source tree (git, a directory) has no file to fetch; it becomes an sdist first.
            workdir = self.tmp / target.id / "trees" / candidate.name
            return self._builders.submit(
                (0.0,), lambda: self._build(target, candidate,
                                            tree_sdist(candidate, workdir, self.prepared.env)))
        download = self.downloads.get(candidate, target.id)
        if not candidate.is_sdist:
            return download
        # Queued by a guess at its length as soon as the sdist is in; the longest go first.
        return self._builders.after(download, lambda sdist: (-float(build_cost(sdist)),),
                                    lambda sdist: self._build(target, candidate, sdist))

    def _build(self, target: BuildTarget, candidate: Candidate, sdist: Path) -> Path:
        if not candidate.tree and not self.options.offline and not target.is_native(self.host):
            # A release with wheels for other platforms only is compiled code: no need to build it.
            others = release_wheels(candidate, self.options.indexes.index_url or DEFAULT_INDEX)
            why = compiled_release(replace(candidate, wheels=candidate.wheels + others), target)
            if why is not None:
                raise Refused(candidate, why)
        return build_sdist(candidate, sdist, target, self.host,
                           self.tmp / target.id / candidate.name, self.prepared.env,
                           self.prepared.cache, self.cores, self.on_event)

    def candidates(self, target: BuildTarget, refresh: bool) -> list[Candidate]:
        """The target's lock when the project has one, else a (cached) resolution; its files
        start coming in as soon as uv names them."""
        options, prepared = self.options, self.prepared
        path = lock_path(options.project, options.locks, target)
        if path.is_file():
            self.on_event(Event(f"using {path.name}", target.id, "resolve"))
            return read_lock(path, target, prepared.locked_for(target))
        if options.offline:
            raise ResolutionError(
                f"--offline needs a lock for {target.id}, and {path} does not exist",
                "run plugin-packager lock while the network is there",
            )
        request = replace(prepared.request(target, self.tmp / target.id, options.indexes,
                                           self.host), downloads=self.downloads)
        count = len(request.requirements)
        self.on_event(Event(f"resolving {count} requirements", target.id, "resolve"))
        return resolve(request, refresh, self.on_event, lambda pinned: self.start(target, pinned),
                       lambda: self._look_ahead(target, request.requirements))

    def _look_ahead(self, target: BuildTarget, requirements: Sequence[str]) -> None:
        """While uv resolves, guess from the primary index alone (another index or a
        --find-links directory may hold the wheel uv picks)."""
        indexes = self.options.indexes
        if target.is_native(self.host) and not (indexes.local_dirs or indexes.extra_index_urls):
            self._fetchers.submit((-1.0,), lambda: self._ahead(target, requirements))

    def _ahead(self, target: BuildTarget, requirements: Sequence[str]) -> None:
        """Start building the sdists of exactly pinned requirements with no wheel for the target
        (see ahead.py); a question the index does not answer just leaves the guess out."""
        index = self.options.indexes.index_url or DEFAULT_INDEX
        for name, version in exact_pins(requirements, target):
            try:
                files = index_files(name, index, self.options.indexes.auth_header(index))
            except (ResolutionError, ValueError):
                continue
            sdist = sdist_to_build(files, name, version, target)
            if sdist is not None:
                self.on_event(Event(f"{name}=={version} has no wheel for this target: its sdist"
                                    " builds while uv resolves", target.id, "resolve", detail=True))
                self.wheel(target, sdist)

    def target_wheels(self, target: BuildTarget, refresh: bool) -> Ready:
        """The target once its last wheel is ready."""
        candidates = self.candidates(target, refresh)
        self.start(target, candidates)
        count = len(candidates)
        self.on_event(Event(f"pinned {count} file{'' if count == 1 else 's'}", target.id, "fetch"))
        out, refused = [], []
        for candidate in candidates:
            try:
                wheel = self.wheel(target, candidate).result()
            except Refused as exc:
                refused.append(exc)
                continue
            if candidate.is_sdist and not target.is_native(self.host):
                try:
                    require_pure(candidate, wheel, target, candidates)
                except Refused as exc:
                    refused.append(exc)
                    continue
            out.append(wheel)
        return Ready(candidates, out, refused)
