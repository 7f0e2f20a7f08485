"""Metadata borrowed across Pythons. uv prepares an sdist's metadata once per target Python (a
build environment and a setup.py run each time: most of a resolution's CPU when the plugin needs
sdists). Once one target has built an sdist, the others resolve with that wheel's Requires-Dist
and Requires-Python as uv's `dependency-metadata`; each then checks the wheel it builds from the
same sdist against what it borrowed, and a setup.py that says otherwise on its Python sends it
back to resolve on its own (Work.target_wheels)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from packaging.requirements import InvalidRequirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from ..wheels import WheelInfo


@dataclass(frozen=True)
class Borrowed:
    """What uv reads of a release to resolve: its dependencies and its Requires-Python."""

    name: str  # canonical
    version: str  # normalized
    requires_dist: tuple[str, ...]  # WheelInfo.normal_requires: equal means the same
    requires_python: str | None

    @classmethod
    def of(cls, info: WheelInfo) -> Borrowed | None:
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


def release_key(name: str, version: str) -> tuple[str, Version | str]:
    """A release as PEP 440 compares it (1.0 is 1.0.0), however it is spelled."""
    try:
        return canonicalize_name(name), Version(version)
    except InvalidVersion:
        return canonicalize_name(name), version


def uv_config(borrowed: Iterable[Borrowed]) -> str:
    """uv.toml: a [[dependency-metadata]] table per release (none: uv's settings, no others)."""
    lines = []
    for one in borrowed:
        lines += ["[[dependency-metadata]]", f"name = {_string(one.name)}",
                  f"version = {_string(one.version)}",
                  f"requires-dist = [{', '.join(map(_string, one.requires_dist))}]"]
        if one.requires_python:
            lines.append(f"requires-python = {_string(one.requires_python)}")
        lines.append("")
    return "\n".join(lines)


def _string(text: str) -> str:
    return json.dumps(text)  # a TOML basic string: json.dumps writes only escapes TOML reads
