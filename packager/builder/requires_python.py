"""Requires-Python of pinned files against the target's exact Python: uv's `--python-version 3.6`
means "3.6 and newer", so it pins releases (jsonpatch 1.33: `!=3.6.*`) that 3.6 cannot install.
Requires-Python and Requires-Dist are read from the files themselves, sdists too."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.metadata import RawMetadata, parse_email
from packaging.specifiers import InvalidSpecifier, SpecifierSet

from ..targets import BuildTarget
from ..wheels import inspect_wheel
from .sdist_archive import sdist_member

if TYPE_CHECKING:
    from .resolution import Candidate


@dataclass(frozen=True)
class PythonNotAdmitted:
    """A pinned release whose Requires-Python excludes the target's exact Python."""

    name: str
    version: str
    requires_python: str

    @property
    def constraint(self) -> str:
        return f"{self.name}!={self.version}"


def _sdist_metadata(path: Path) -> RawMetadata:
    """An sdist's top-level PKG-INFO, parsed leniently."""
    return parse_email(sdist_member(path, r"[^/]+/PKG-INFO"))[0]


def egg_requires(text: str) -> list[str]:
    """setuptools' `requires.txt` as Requires-Dist: the unnamed section, and `[:marker]` ones
    with their marker; sections of extras are left out."""
    out, marker, extra = [], "", False
    for line in (raw.strip() for raw in text.splitlines()):
        if line.startswith("[") and line.endswith("]"):
            name, _, marker = line[1:-1].partition(":")
            extra = bool(name)
        elif line and not line.startswith("#") and not extra:
            out.append(f"{line}; {marker}" if marker else line)
    return out


def requires_python(candidate: Candidate, path: Path) -> str | None:
    if candidate.is_sdist:
        return _sdist_metadata(path).get("requires_python") or None
    return inspect_wheel(path).requires_python


def requires_dist(candidate: Candidate, path: Path) -> list[str]:
    """The file's Requires-Dist; an old sdist's PKG-INFO may not say, but the requires.txt of
    the egg-info setuptools put in it does."""
    if not candidate.is_sdist:
        return list(inspect_wheel(path).requires_dist)
    listed = _sdist_metadata(path).get("requires_dist")
    if listed:
        return list(listed)
    text = sdist_member(path, r"[^/]+/[^/]+\.egg-info/requires\.txt")
    return egg_requires(text.decode("utf-8", "replace"))


def not_admitted(
    candidates: Sequence[Candidate], files: Sequence[Path], target: BuildTarget
) -> list[PythonNotAdmitted]:
    """The pinned files whose Requires-Python does not admit `target.python_full_version`."""
    out = []
    for candidate, path in zip(candidates, files):
        spec = requires_python(candidate, path)
        try:
            admitted = SpecifierSet(spec or "").contains(target.python_full_version,
                                                         prereleases=True)
        except InvalidSpecifier:
            continue  # pip ignores what it cannot parse, and so does the installer on the agent
        if not admitted:
            out.append(PythonNotAdmitted(candidate.name, candidate.version, spec or ""))
    return out
