"""Metadata shared across Pythons. uv prepares an sdist's metadata once per target Python (a
build environment and a setup.py run each time: most of a resolution's CPU when the plugin needs
sdists). Once the first target has built an sdist, the others resolve with that wheel's
Requires-Dist and Requires-Python as uv's `dependency-metadata`; each then checks the wheel it
builds from the same sdist against what it was lent, and a setup.py that says otherwise on its
Python sends it back to resolve on its own (Scheduler.wheels_for)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from packaging.requirements import InvalidRequirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from ..targets import BuildTarget
from ..wheels import WheelInfo


@dataclass(frozen=True)
class ReleaseMetadata:
    """What uv reads of a release to resolve: its dependencies and its Requires-Python."""

    name: str  # canonical
    version: str  # normalized
    requires_dist: tuple[str, ...]  # WheelInfo.normal_requires: equal means the same
    requires_python: str | None

    @classmethod
    def of(cls, info: WheelInfo) -> ReleaseMetadata | None:
        """The wheel's metadata, or None when a requirement does not parse (uv derives it)."""
        try:
            requires = info.normal_requires
        except InvalidRequirement:
            return None
        return cls(canonicalize_name(info.name), str(info.release), requires,
                   info.requires_python)

    @property
    def key(self) -> tuple[str, Version | str]:
        return release_key(self.name, self.version)


class Lending:
    """The first target (of the lowest Python: its plugin wheel is built first) resolves alone;
    the others wait until the sdists it pinned are built (or failed), then resolve with the
    metadata of every sdist built so far."""

    def __init__(self, first: BuildTarget | None) -> None:
        self.first = first  # None: one target, nobody to lend to
        self._lent = threading.Event()
        self._lock = threading.Lock()
        self._metadata: dict[tuple[str, Version | str], ReleaseMetadata] = {}

    def record(self, metadata: ReleaseMetadata) -> None:
        """The metadata of a wheel built from an sdist (the first one per release)."""
        with self._lock:
            self._metadata.setdefault(metadata.key, metadata)

    def lend_when_built(self, builds: Sequence[Future[Any]]) -> None:
        """Lend once every one of the first target's `builds` is done, however it ended."""
        if self._lent.is_set():
            return
        pending = set(builds)
        if not pending:
            self.lend()

        def one_done(build: Future[Any]) -> None:
            with self._lock:
                pending.discard(build)
                last = not pending
            if last:
                self.lend()

        for build in builds:
            build.add_done_callback(one_done)

    def lend(self) -> None:
        """Let the other targets resolve with what was recorded (after a failure: maybe none)."""
        self._lent.set()

    def borrow(self, target: BuildTarget) -> list[ReleaseMetadata]:
        """For a target other than the first: the metadata lent, once it is."""
        if self.first is None or target == self.first:
            return []
        self._lent.wait()
        with self._lock:
            return list(self._metadata.values())


def release_key(name: str, version: str) -> tuple[str, Version | str]:
    """A release as PEP 440 compares it (1.0 is 1.0.0), however it is spelled."""
    try:
        return canonicalize_name(name), Version(version)
    except InvalidVersion:
        return canonicalize_name(name), version


def uv_config(shared: Iterable[ReleaseMetadata]) -> str:
    """uv.toml: a [[dependency-metadata]] table per release (none: uv's settings, no others)."""
    lines = []
    for one in shared:
        lines += ["[[dependency-metadata]]", f"name = {_string(one.name)}",
                  f"version = {_string(one.version)}",
                  f"requires-dist = [{', '.join(map(_string, one.requires_dist))}]"]
        if one.requires_python:
            lines.append(f"requires-python = {_string(one.requires_python)}")
        lines.append("")
    return "\n".join(lines)


def _string(text: str) -> str:
    return json.dumps(text)  # a TOML basic string: json.dumps writes only escapes TOML reads
