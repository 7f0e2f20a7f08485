"""`explain PKG TARGET`: why a package has (or has no) usable file for a target, version by version."""

from __future__ import annotations

import functools
import json
import urllib.request
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any
from urllib.parse import urljoin

from packaging.requirements import InvalidRequirement, Requirement
from packaging.tags import Tag
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import Version

from ..errors import ResolutionError, TargetError
from ..targets import BuildTarget, Host, admits, manylinux_floor, parse_platform, parse_python
from .fetch import open_url

SIMPLE_JSON = "application/vnd.pypi.simple.v1+json"
TIMEOUT_SECONDS = 60


def parse_target_id(text: str, host: Host) -> BuildTarget:
    """`cp311-manylinux2014_x86_64` or `py311-any` back into a target."""
    python, _, platform = text.partition("-")
    if not platform:
        raise TargetError(f"unknown target {text!r}", "write it as cp311-manylinux2014_x86_64")
    return BuildTarget(parse_python(python), parse_platform(platform, host))


class Miss(IntEnum):
    """Why a file does not fit, nearest miss first: the first ones need the smallest change."""

    FLOOR = 1  # a glibc above the target's floor
    ARCH = 2
    PLATFORM = 3
    PYTHON = 4  # built for another Python or ABI
    REQUIRES_PYTHON = 5
    YANKED = 6


@dataclass
class VersionVerdict:
    version: str
    usable: list[str] = field(default_factory=list)
    reasons: dict[str, str] = field(default_factory=dict)  # file name → why not
    kinds: dict[str, Miss] = field(default_factory=dict)  # file name → which kind of miss
    sdist: str | None = None


@functools.lru_cache(maxsize=16)
def _abi_pairs(target: BuildTarget) -> frozenset[tuple[str, str]]:
    # target.tags() takes a millisecond; cryptography lists 3,900 files (stale.py judges them).
    return frozenset((a.interpreter, a.abi) for a in target.tags())


def why_not(tags: frozenset[Tag], target: BuildTarget) -> tuple[Miss, str]:
    """The most telling reason none of a wheel's tags fits the target."""
    pairs = _abi_pairs(target)
    if not any((t.interpreter, t.abi) in pairs for t in tags):
        pythons = sorted({f"{t.interpreter}-{t.abi}" for t in tags})
        return Miss.PYTHON, f"built for {', '.join(pythons)}, not {target.cptag}"
    floors = [f for f in (manylinux_floor(t.platform) for t in tags) if f]
    arches = {arch for arch, _ in floors}
    arches |= {t.platform.removeprefix("linux_") for t in tags if t.platform.startswith("linux_")}
    if target.platform.arch and arches and target.platform.arch not in arches:
        return Miss.ARCH, f"for {', '.join(sorted(arches))}, not {target.platform.arch}"
    if floors and target.platform.glibc:
        lowest = min(glibc for _, glibc in floors)
        if lowest > target.platform.glibc:
            need, have = f"{lowest[0]}.{lowest[1]}", "{}.{}".format(*target.platform.glibc)
            return Miss.FLOOR, f"needs glibc {need}, above the target's floor {have}"
    platforms = sorted({t.platform for t in tags})
    return Miss.PLATFORM, f"platform {', '.join(platforms)} does not fit {target.platform.name}"


def explain_files(files: Iterable[Mapping[str, Any]], target: BuildTarget) -> list[VersionVerdict]:
    """Each version's files judged for `target`, newest version first."""
    verdicts: dict[Version, VersionVerdict] = {}
    accepted = set(target.tags())
    for entry in files:
        filename = str(entry["filename"])
        try:
            if filename.endswith(".whl"):
                _, version, _, tags = parse_wheel_filename(filename)
            else:
                _, version = parse_sdist_filename(filename)
                tags = frozenset()
        except (InvalidWheelFilename, InvalidSdistFilename):
            continue
        verdict = verdicts.setdefault(version, VersionVerdict(str(version)))
        reason = _file_reason(entry, target)
        if reason is None and not filename.endswith(".whl"):
            verdict.sdist = filename
        elif reason is None and not accepted.isdisjoint(tags):
            verdict.usable.append(filename)
        else:
            kind, verdict.reasons[filename] = reason or why_not(tags, target)
            verdict.kinds[filename] = kind
    return [verdicts[v] for v in sorted(verdicts, reverse=True)]


def _file_reason(entry: Mapping[str, Any], target: BuildTarget) -> tuple[Miss, str] | None:
    if entry.get("yanked"):
        why = f": {entry['yanked']}" if isinstance(entry["yanked"], str) else ""
        return Miss.YANKED, f"yanked{why}"
    requires = entry.get("requires-python")
    if requires and admits(str(requires), target.python) is False:
        return Miss.REQUIRES_PYTHON, f"Requires-Python {requires} excludes {target.python_version}"
    return None


def marker_note(requirements: Sequence[str], name: str, target: BuildTarget) -> str | None:
    """When the plugin's own requirement on `name` has a marker false on `target`, say so."""
    for text in requirements:
        try:
            requirement = Requirement(text)
        except InvalidRequirement:
            continue
        if canonicalize_name(requirement.name) != canonicalize_name(name) or requirement.marker is None:
            continue
        if not requirement.marker.evaluate({**target.marker_environment(), "extra": ""}):
            return f"the plugin requires {text!r}: that marker is false on {target.id}, so it is left out"
    return None


def index_files(
    name: str, index_url: str, headers: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    """The files the index lists for `name` (PEP 691 JSON), each `url` made absolute (the JSON
    may give it relative to the page)."""
    url = f"{index_url.rstrip('/')}/{canonicalize_name(name)}/"
    request = urllib.request.Request(url, headers={**(headers or {}), "Accept": SIMPLE_JSON})
    try:
        with open_url(request, TIMEOUT_SECONDS) as response:
            data = json.load(response)
    except OSError as exc:
        raise ResolutionError(f"{name}: the index at {url} did not answer: {exc}",
                              "check the name and --index-url") from exc
    files: list[dict[str, Any]] = data.get("files", [])
    return absolute(files, url)


def absolute(files: Sequence[dict[str, Any]], page: str) -> list[dict[str, Any]]:
    """The index's file entries with each `url` joined to the page they were listed on."""
    return [{**entry, "url": urljoin(page, entry["url"])} if "url" in entry else entry
            for entry in files]


def closest(verdict: VersionVerdict, limit: int = 3) -> list[tuple[str, str]]:
    """The rejected files nearest to a fit; one line when every file fails for the same reason."""
    reasons = set(verdict.reasons.values())
    if len(reasons) == 1 and len(verdict.reasons) > 1:
        return [(f"all {len(verdict.reasons)} wheels", reasons.pop())]

    def rank(item: tuple[str, str]) -> tuple[Miss, str]:
        return verdict.kinds[item[0]], item[0]

    return sorted(verdict.reasons.items(), key=rank)[:limit]
