"""An index held in memory behind the scheduler's Repository seam: releases with requirements and
Requires-Python, sdists that "build" into wheels whose metadata each test chooses (per Python),
sdists that fail on one Python. It resolves the way uv does for what the scheduler sees: the
highest release each requirement admits, read with the metadata it is lent, else its own."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from packager.builder.repository import Attempt
from packager.builder.resolution import Candidate, Pinned, Resolution
from packager.builder.sdists import SdistFailure
from packager.builder.shared_metadata import ReleaseMetadata, release_key
from packager.errors import ResolutionError
from packager.targets import BuildTarget

Python = tuple[int, int]


@dataclass(frozen=True)
class Release:
    name: str
    version: str
    requires: tuple[str, ...] = ()  # Requires-Dist on every Python, unless `built` says otherwise
    requires_python: str | None = None
    sdist: bool = True  # only an sdist; else a wheel for every target
    built: Mapping[Python, tuple[str, ...]] = field(default_factory=dict)  # a branching setup.py
    fails_on: frozenset[Python] = frozenset()  # its sdist does not build on these Pythons
    other_python: bool = True  # because its code is for another Python (a SyntaxError)

    def requires_on(self, python: Python) -> tuple[str, ...]:
        return self.built.get(python, self.requires)

    def filename(self, python: Python | None = None) -> str:
        if python is not None:
            return f"{self.name}-{self.version}-cp{python[0]}{python[1]}.whl"
        return f"{self.name}-{self.version}.tar.gz" if self.sdist else f"{self.name}-{self.version}.whl"


@dataclass(frozen=True)
class Call:
    """One resolution the scheduler asked for."""

    target: str
    attempt: Attempt
    lent: tuple[ReleaseMetadata, ...]
    candidates: tuple[Candidate, ...]

    @property
    def pinned(self) -> tuple[str, ...]:
        return tuple(f"{c.name}=={c.version}" for c in self.candidates)


class FakeIndex:
    def __init__(self, releases: Sequence[Release], requirements: Sequence[str]) -> None:
        self.releases, self.requirements = list(releases), list(requirements)
        self.calls: list[Call] = []
        self.built: list[tuple[str, str]] = []  # (target id, name) of each build, in order
        self.remembered: list[Resolution] = []
        self.closed = False
        self.failing_downloads: set[str] = set()  # names whose file does not download
        self.before_build: dict[tuple[str, str], Callable[[], None]] = {}  # (target id, name)
        self.before_compile: dict[str, Callable[[], None]] = {}  # by target id
        self.failing_resolutions: set[str] = set()  # target ids
        self._wheels: dict[Path, ReleaseMetadata] = {}
        self._lock = threading.Lock()

    def _release(self, requirement: Requirement, python: Python,
                 excluded: Sequence[str]) -> Release:
        name = canonicalize_name(requirement.name)
        admitted = [r for r in self.releases if canonicalize_name(r.name) == name
                    and f"{r.name}!={r.version}" not in excluded
                    and requirement.specifier.contains(r.version)
                    and SpecifierSet(r.requires_python or "").contains(f"{python[0]}.{python[1]}")]
        if not admitted:
            raise ResolutionError(f"no release of {name} fits", "add one")
        return max(admitted, key=lambda r: Version(r.version))

    def resolve(self, target: BuildTarget, attempt: Attempt, on_pinned: Pinned,
                on_compile: Callable[[], list[ReleaseMetadata]]) -> Resolution:
        if target.id in self.failing_resolutions:
            raise ResolutionError(f"no resolution for {target.id}", "fix it")
        self.before_compile.get(target.id, lambda: None)()
        lent = tuple(on_compile())
        metadata = {one.key: one.requires_dist for one in lent}
        todo, pinned = [Requirement(text) for text in self.requirements], {}
        while todo:
            requirement = todo.pop(0)
            if canonicalize_name(requirement.name) in pinned:
                continue
            release = self._release(requirement, target.python, attempt.excluded)
            pinned[canonicalize_name(release.name)] = release
            key = release_key(release.name, release.version)
            todo += map(Requirement, metadata.get(key, release.requires_on(target.python)))
        candidates = [Candidate(r.name, r.version, r.filename(), f"fake://{r.filename()}", None,
                                r.sdist) for r in pinned.values()]
        on_pinned(candidates)
        with self._lock:
            self.calls.append(Call(target.id, attempt, lent, tuple(candidates)))
        return Resolution(candidates, made=b"# a lock", key=target.id, shared=lent)

    def calls_of(self, target: BuildTarget) -> list[Call]:
        return [call for call in self.calls if call.target == target.id]

    def remember(self, resolution: Resolution) -> None:
        self.remembered.append(resolution)

    def download(self, candidate: Candidate, target: BuildTarget) -> Future[Path]:
        future: Future[Path] = Future()
        if candidate.name in self.failing_downloads:
            future.set_exception(ResolutionError(f"{candidate.filename} did not download", "retry"))
        else:
            future.set_result(Path(candidate.filename))
        return future

    def cost(self, sdist: Path) -> float:
        return 0.0

    def build(self, target: BuildTarget, candidate: Candidate, sdist: Path | None) -> Path:
        self.before_build.get((target.id, candidate.name), lambda: None)()
        release = next(r for r in self.releases
                       if (r.name, r.version) == (candidate.name, candidate.version))
        with self._lock:
            self.built.append((target.id, candidate.name))
        if target.python in release.fails_on:
            raise SdistFailure(f"building {release.name} failed", "pin another", "SyntaxError",
                               release.other_python)
        wheel = Path(release.filename(target.python))
        with self._lock:
            self._wheels[wheel] = ReleaseMetadata(release.name, release.version,
                                                  release.requires_on(target.python),
                                                  release.requires_python)
        return wheel

    def metadata(self, wheel: Path) -> ReleaseMetadata | None:
        with self._lock:
            return self._wheels.get(wheel)

    def require_usable(self, target: BuildTarget, candidate: Candidate, wheel: Path,
                       pinned: Sequence[Candidate]) -> None:
        """Every wheel serves: the targets are native."""

    def prefetch(self, target: BuildTarget, start: Callable[[Candidate], object]) -> None:
        """No guesses: the scheduler starts what the resolution pins."""

    def close(self) -> None:
        self.closed = True
