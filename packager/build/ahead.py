"""Work started before uv answers: a requirement pinned to one version (`name==1.2`) is in every
resolution that succeeds, so when that release has no wheel for the target its sdist can download
and build while uv still resolves. A guess that uv overrules costs time, never correctness: the
build only ever uses what the resolution pins."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import urljoin

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

from ..targets import BuildTarget
from .resolve import Candidate


def exact_pins(requirements: Sequence[str], target: BuildTarget) -> Iterator[tuple[str, Version]]:
    """(name, version) of each requirement that applies on `target` and admits one version."""
    environment = {**target.marker_environment(), "extra": ""}
    for text in requirements:
        try:
            requirement = Requirement(text)
            specs = list(requirement.specifier)
            if (len(specs) != 1 or specs[0].operator != "==" or "*" in specs[0].version
                    or requirement.url
                    or (requirement.marker and not requirement.marker.evaluate(environment))):
                continue
            yield canonicalize_name(requirement.name), Version(specs[0].version)
        except (InvalidRequirement, InvalidVersion):
            continue


def _release(entry: Mapping[str, Any]) -> tuple[str, Version | None]:
    """("wheel" or "sdist", version) of an index entry's file; None for a file we cannot read."""
    name = str(entry.get("filename", ""))
    try:
        if name.endswith(".whl"):
            return "wheel", parse_wheel_filename(name)[1]
        return "sdist", parse_sdist_filename(name)[1]
    except (InvalidWheelFilename, InvalidSdistFilename, InvalidVersion):
        return "other", None


def _admits(entry: Mapping[str, Any], target: BuildTarget) -> bool:
    try:
        return not entry.get("yanked") and SpecifierSet(
            entry.get("requires-python") or "").contains(target.python_full_version, True)
    except InvalidSpecifier:
        return True


def sdist_to_build(
    files: Sequence[Mapping[str, Any]], page: str, name: str, version: Version,
    target: BuildTarget,
) -> Candidate | None:
    """The release's sdist when the index page (`page`, the URL files are relative to) lists no
    wheel of it for `target`."""
    tags = set(target.tags())
    release = [(kind, f) for f in files for kind, v in [_release(f)] if v == version]
    for kind, entry in release:
        if kind == "wheel" and tags & set(parse_wheel_filename(entry["filename"])[3]):
            return None
    for kind, entry in release:
        sha256 = entry.get("hashes", {}).get("sha256")
        if kind == "sdist" and sha256 and _admits(entry, target):
            return Candidate(name, str(version), entry["filename"], urljoin(page, entry["url"]),
                             sha256, True, size=entry.get("size"))
    return None
