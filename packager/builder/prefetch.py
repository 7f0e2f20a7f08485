"""Prefetch: work started before uv answers. A requirement pinned to one version (`name==1.2`)
is in every resolution that succeeds, so when that release has no wheel for the target its sdist
can download and build while uv still resolves. A guess that uv overrules costs time, never correctness: the
build only ever uses what the resolution pins."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from ..errors import ResolutionError
from ..targets import BuildTarget
from .explain import explain_files, index_files
from .resolution import Candidate


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


def sdist_to_build(
    files: Sequence[Mapping[str, Any]], name: str, version: Version, target: BuildTarget
) -> Candidate | None:
    """The release's sdist when `explain` finds no usable wheel of it for `target` (`files` as
    index_files gives them), and the index gives the sdist's sha256 to check it against."""
    verdict = next((v for v in explain_files(files, target) if Version(v.version) == version),
                   None)
    if verdict is None or verdict.usable or verdict.sdist is None:
        return None
    entry = next(f for f in files if f["filename"] == verdict.sdist)
    sha256 = entry.get("hashes", {}).get("sha256")
    if not sha256:
        return None
    return Candidate(name, str(version), verdict.sdist, entry["url"], sha256, True,
                     size=entry.get("size"))


def sdists_to_prefetch(
    requirements: Sequence[str], target: BuildTarget, index: str, headers: Mapping[str, str]
) -> Iterator[Candidate]:
    """The sdist of each exactly pinned requirement with no wheel for `target` on `index`; a
    question the index does not answer just leaves the guess out."""
    for name, version in exact_pins(requirements, target):
        try:
            files = index_files(name, index, headers)
        except (ResolutionError, ValueError):
            continue
        sdist = sdist_to_build(files, name, version, target)
        if sdist is not None:
            yield sdist
