"""One build's work as a pipeline: each target's files are fetched as soon as its resolution names
them, each sdist builds as soon as it is in hand (the longest first, one build per core), and a
target is ready when its last wheel is. The first target resolves alone; the others wait for
its sdists to be built and resolve with their metadata (borrowed.py)."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from packaging.version import Version

from ..errors import ResolutionError
from ..events import Event, Events
from ..targets import BuildTarget, Host
from ..wheels import inspect_wheel
from .ahead import exact_pins, sdist_to_build
from .borrowed import Borrowed, release_key
from .config import Options
from .direct import tree_sdist
from .explain import index_files
from .fetch import DOWNLOAD_THREADS, Downloads
from .lock import lock_path, read_lock
from .pool import PriorityPool
from .project import Prepared
from .resolve import EXCLUSION_ROUNDS, Candidate, Request, keep, resolve
from .sdists import (
    Refused,
    SdistFailure,
    build_cost,
    build_sdist,
    compiled_release,
    release_wheels,
    require_pure,
)

if TYPE_CHECKING:
    from typing_extensions import Self

@dataclass(frozen=True)
class Ready:
    """A target whose last wheel is in: its pins, its wheels, and the dependencies it cannot
    have (foreign targets only)."""

    candidates: list[Candidate]
    wheels: list[Path]
    refused: list[Refused]


class Work:
    """What all targets of one build share: the downloads, the sdist builds (`jobs` at a time,
    each CMake build told it may use `jobs` cores), and every build started once per target."""

    def __init__(self, prepared: Prepared, options: Options, host: Host, tmp: Path,
                 jobs: int | None, on_event: Events) -> None:
        self.prepared, self.options, self.host, self.tmp = prepared, options, host, tmp
        self.on_event = on_event
        self.cores = max(1, jobs or os.cpu_count() or 1)
        self._fetchers = PriorityPool(DOWNLOAD_THREADS)
        self._builders = PriorityPool(self.cores)
        self.downloads = Downloads(self._fetchers, prepared.context, options.indexes,
                                   offline=options.offline)
        self._wheels: dict[tuple[str, str], Future[Path]] = {}
        self._lock = threading.Lock()
        # The lender, of the lowest Python (its plugin wheel is built first), resolves first;
        # the metadata of every sdist built here, by release.
        targets = prepared.targets
        self._lender = min(targets, key=lambda t: t.python) if len(targets) > 1 else None
        self._lent = threading.Event()
        self._metadata: dict[tuple[str, Version | str], Borrowed] = {}
        # By target: the releases whose sdist turned out not to be for its Python.
        self._excluded: dict[str, tuple[str, ...]] = {}

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
        self._lent.set()  # no target waits for a lender that will not build

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
            context = self.prepared.context.under(target.id, "trees", candidate.name)
            return self._builders.submit(
                (0.0,), lambda: self._build(target, candidate, tree_sdist(candidate, context)))
        download = self.downloads.get(candidate, target.id)
        if not candidate.is_sdist:
            return download
        # Queued as soon as the sdist is in: the lender's first (the others wait for its
        # metadata), then the longest by a guess at their length.
        lender = float(target != self._lender)
        return self._builders.after(download, lambda sdist: (lender, -float(build_cost(sdist))),
                                    lambda sdist: self._build(target, candidate, sdist))

    def _build(self, target: BuildTarget, candidate: Candidate, sdist: Path) -> Path:
        if not candidate.tree and not self.options.offline and not target.is_native(self.host):
            # A release with wheels for other platforms only is compiled code: no need to build it.
            others = release_wheels(candidate, self.options.indexes)
            why = compiled_release(replace(candidate, wheels=candidate.wheels + others), target)
            if why is not None:
                raise Refused(candidate, why)
        context = self.prepared.context.under(target.id, f"{candidate.name}-{candidate.version}")
        wheel = build_sdist(candidate, sdist, target, context, cores=self.cores)
        borrowed = Borrowed.of(inspect_wheel(wheel))
        if borrowed is not None:
            with self._lock:
                self._metadata.setdefault(borrowed.key, borrowed)
        return wheel

    def _request(self, target: BuildTarget) -> Request:
        return replace(self.prepared.request(target, self.tmp / target.id, self.options.indexes,
                                             self.host), downloads=self.downloads,
                       excluded=self._excluded.get(target.id, ()))

    def candidates(self, target: BuildTarget, refresh: bool,
                   borrowed: list[Borrowed] | None = None) -> list[Candidate]:
        """The target's lock when the project has one, else a (cached) resolution; its files
        start coming in as soon as uv names them. Metadata borrowed for it goes to `borrowed`;
        None: borrow none, and uv prepares all the metadata itself, its cache unread."""
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
        request = replace(self._request(target), fresh=borrowed is None)
        count = len(request.requirements)
        self.on_event(Event(f"resolving {count} requirements", target.id, "resolve"))

        def before_uv() -> list[Borrowed]:
            self._look_ahead(target, request.requirements)
            lender = self._lender
            if borrowed is None or lender is None or target == lender:
                return []
            self._lent.wait()
            with self._lock:
                borrowed.extend(self._metadata.values())
            if borrowed:
                self.on_event(Event(f"resolving with the metadata of {len(borrowed)} sdists"
                                    f" built for {lender.id}", target.id, "resolve",
                                    detail=True))
            return borrowed

        def pinned(candidates: Sequence[Candidate]) -> None:
            self.start(target, candidates)
            if target == self._lender:
                self._lend_when_built(target, candidates)

        return resolve(request, refresh, self.on_event, pinned, before_uv)

    def _look_ahead(self, target: BuildTarget, requirements: Sequence[str]) -> None:
        """While uv resolves, guess from the primary index alone (another index or a
        --find-links directory may hold the wheel uv picks)."""
        indexes = self.options.indexes
        if target.is_native(self.host) and not (indexes.local_dirs or indexes.extra_index_urls):
            self._fetchers.submit((-1.0,), lambda: self._ahead(target, requirements))

    def _ahead(self, target: BuildTarget, requirements: Sequence[str]) -> None:
        """Start building the sdists of exactly pinned requirements with no wheel for the target
        (see ahead.py); a question the index does not answer just leaves the guess out."""
        index = self.options.indexes.primary
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

    def _lend_when_built(self, target: BuildTarget, candidates: Sequence[Candidate]) -> None:
        """Let the other targets resolve once the lender's sdists are built (or failed): those
        uv first pinned, before its Requires-Python check may pin others."""
        if self._lent.is_set():
            return
        builds = [self.wheel(target, c) for c in candidates if c.is_sdist or c.tree]
        left = [len(builds)]

        def one_done(_: Future[Path]) -> None:
            with self._lock:
                left[0] -= 1
                if not left[0]:
                    self._lent.set()

        if not builds:
            self._lent.set()
        for build in builds:
            build.add_done_callback(one_done)

    def _exclude(self, target: BuildTarget, candidate: Candidate, failure: SdistFailure) -> bool:
        """Whether the resolution may go again without the release: its sdist is not for the
        target's Python, it came from an index rather than a lock, and rounds are left."""
        excluded = self._excluded.get(target.id, ())
        locked = lock_path(self.options.project, self.options.locks, target).is_file()
        if (not failure.other_python or candidate.kind != "index" or locked
                or len(excluded) >= EXCLUSION_ROUNDS):
            return False
        self._excluded[target.id] = (*excluded, f"{candidate.name}!={candidate.version}")
        self.on_event(Event(f"excluded {candidate.name} {candidate.version}: its sdist does not"
                            f" build for Python {target.python_full_version}"
                            f" ({failure.cause})", target.id,
                            "resolve"))
        return True

    def target_wheels(self, target: BuildTarget, refresh: bool, borrow: bool = True) -> Ready:
        """The target once its last wheel is ready: again on its own, when a wheel it built
        says other than the metadata it borrowed."""
        borrowed: list[Borrowed] = []
        try:
            candidates = self.candidates(target, refresh, borrowed if borrow else None)
        except BaseException:
            if target == self._lender:
                self._lent.set()  # the others resolve on their own
            raise
        self.start(target, candidates)
        if target == self._lender:  # a lock or a cached resolution: uv pinned nothing
            self._lend_when_built(target, candidates)
        count = len(candidates)
        self.on_event(Event(f"pinned {count} file{'' if count == 1 else 's'}", target.id, "fetch"))
        out, refused = [], []
        lent = {one.key: one for one in borrowed}
        for candidate in candidates:
            try:
                wheel = self.wheel(target, candidate).result()
            except Refused as exc:
                refused.append(exc)
                continue
            except SdistFailure as exc:
                if not self._exclude(target, candidate, exc):
                    raise
                return self.target_wheels(target, True, borrow=False)
            key = release_key(candidate.name, candidate.version)
            if key in lent and Borrowed.of(inspect_wheel(wheel)) != lent[key]:
                self.on_event(Event(f"{candidate.name} {candidate.version} says other"
                                    f" requirements on {target.python_full_version}: resolving"
                                    " again without borrowed metadata", target.id, "resolve"))
                return self.target_wheels(target, True, borrow=False)
            if candidate.is_sdist and not target.is_native(self.host):
                try:
                    require_pure(candidate, wheel, target, candidates)
                except Refused as exc:
                    refused.append(exc)
                    continue
            out.append(wheel)
        if borrowed:
            keep(self._request(target))  # what it borrowed held: the resolution is its own
        return Ready(candidates, out, refused)
