"""Requires-Python of pinned files against the target's exact Python: uv's `--python-version 3.6`
means "3.6 and newer", so it pins releases (jsonpatch 1.33: `!=3.6.*`) that 3.6 cannot install."""

from __future__ import annotations

import tarfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.metadata import parse_email
from packaging.specifiers import InvalidSpecifier, SpecifierSet

from ..targets import BuildTarget
from ..wheels import MAX_READ, inspect_wheel

if TYPE_CHECKING:
    from .resolve import Candidate


@dataclass(frozen=True)
class Refused:
    """A pinned release whose Requires-Python excludes the target's exact Python."""

    name: str
    version: str
    requires_python: str

    @property
    def constraint(self) -> str:
        return f"{self.name}!={self.version}"


def _sdist_requires_python(path: Path) -> str | None:
    """Requires-Python from an sdist's top-level PKG-INFO (zip or tar)."""
    data = b""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            name = next((n for n in archive.namelist() if n.count("/") == 1
                         and n.endswith("/PKG-INFO")), None)
            data = archive.open(name).read(MAX_READ) if name else b""
    else:
        with tarfile.open(path) as archive:
            member = next((m for m in archive if m.name.count("/") == 1
                           and m.name.endswith("/PKG-INFO") and m.isfile()), None)
            handle = archive.extractfile(member) if member else None
            data = handle.read(MAX_READ) if handle else b""
    return parse_email(data)[0].get("requires_python") or None


def requires_python(candidate: Candidate, path: Path) -> str | None:
    if candidate.is_sdist:
        return _sdist_requires_python(path)
    return inspect_wheel(path).requires_python


def refused(
    candidates: Sequence[Candidate], files: Sequence[Path], target: BuildTarget
) -> list[Refused]:
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
            out.append(Refused(candidate.name, candidate.version, spec or ""))
    return out
