"""`explain PKG TARGET`: why a package has (or has no) usable file for a target, version by version."""

from __future__ import annotations

import functools
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from html.parser import HTMLParser
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

from .. import _json
from ..errors import ResolutionError, TargetError
from ..targets import BuildTarget, Host, admits, manylinux_floor, parse_platform, parse_python
from .fetch import open_url
from .indexes import NO_INDEXES, Indexes

SIMPLE_JSON = "application/vnd.pypi.simple.v1+json"
TIMEOUT_SECONDS = 60
MAX_PAGE_BYTES = 64 << 20  # PyPI's largest project pages are a few MB


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
    on_platform: set[str] = field(default_factory=set)  # missed wheels for the target's OS and arch


@functools.lru_cache(maxsize=16)
def _abi_pairs(target: BuildTarget) -> frozenset[tuple[str, str]]:
    # target.tags() takes a millisecond; cryptography lists 3,900 files (stale.py judges them).
    return frozenset((a.interpreter, a.abi) for a in target.tags())


def _system(platform: str) -> str:
    """A wheel platform tag without its glibc floor: `linux_aarch64` for manylinux_2_34_aarch64."""
    floor = manylinux_floor(platform)
    return f"linux_{floor[0]}" if floor else platform


@functools.lru_cache(maxsize=16)
def _systems(target: BuildTarget) -> frozenset[str]:
    return frozenset(_system(t.platform) for t in target.tags())


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
            if not _systems(target).isdisjoint(_system(t.platform) for t in tags):
                verdict.on_platform.add(filename)
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
    name: str, index_url: str, headers: Mapping[str, str] | None = None,
    indexes: Indexes = NO_INDEXES,
) -> list[dict[str, Any]]:
    """The files the index lists for `name` (PEP 691 JSON, else the PEP 503 HTML page), each
    `url` made absolute (the page may give it relative to itself). `indexes` words a refusal
    (401/403) as build does, and redacts its credentials from messages."""
    url = f"{index_url.rstrip('/')}/{canonicalize_name(name)}/"
    accept = f"{SIMPLE_JSON}, text/html;q=0.1"
    request = urllib.request.Request(url, headers={**(headers or {}), "Accept": accept})
    try:
        with open_url(request, TIMEOUT_SECONDS) as response:
            body = response.read(MAX_PAGE_BYTES + 1)
            headers_got = getattr(response, "headers", None)
            kind = headers_got.get_content_type() if headers_got is not None else ""
    except urllib.error.HTTPError as exc:
        exc.close()
        if exc.code in (401, 403):
            raise indexes.refused(url, f"{exc.code} {exc.reason}") from None
        raise ResolutionError(f"{name}: the index at {url} answered HTTP {exc.code}",
                              "check the name and --index-url") from None
    except OSError as exc:
        raise ResolutionError(f"{name}: the index at {url} did not answer:"
                              f" {indexes.redact(str(exc))}", "check the name and --index-url") from None
    if len(body) > MAX_PAGE_BYTES:
        raise ResolutionError(f"{name}: the index page {url} is larger than {MAX_PAGE_BYTES} bytes",
                              "check --index-url")
    if kind == "text/html":
        return absolute(simple_page_files(body.decode("utf-8", "replace")), url)
    try:
        data = _json.loads(body)
    except ValueError:
        raise ResolutionError(f"{name}: the index page {url} is neither PEP 691 JSON nor HTML",
                              "check --index-url: it names a package index's simple API") from None
    files: list[dict[str, Any]] = data.get("files", []) if isinstance(data, dict) else []
    return absolute(files, url)


class _Anchors(HTMLParser):
    """The file links of a PEP 503 page, as PEP 691's file entries."""

    def __init__(self) -> None:
        super().__init__()
        self.files: list[dict[str, Any]] = []
        self._open: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "a":
            return
        given = dict(attrs)
        entry: dict[str, Any] = {"url": given.get("href") or "", "filename": ""}
        if given.get("data-requires-python"):
            entry["requires-python"] = given["data-requires-python"]
        if "data-yanked" in given:
            entry["yanked"] = given["data-yanked"] or True
        self._open = entry

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open["filename"] += data.strip()

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open is not None:
            if not self._open["filename"]:
                self._open["filename"] = self._open["url"].split("#")[0].rsplit("/", 1)[-1]
            self.files.append(self._open)
            self._open = None


def simple_page_files(page: str) -> list[dict[str, Any]]:
    parser = _Anchors()
    parser.feed(page)
    parser.close()
    return parser.files


def absolute(files: Sequence[dict[str, Any]], page: str) -> list[dict[str, Any]]:
    """The index's file entries with each `url` joined to the page they were listed on."""
    return [{**entry, "url": urljoin(page, entry["url"])} if "url" in entry else entry
            for entry in files]


def closest(verdict: VersionVerdict, limit: int = 3) -> list[tuple[str, str]]:
    """The rejected files nearest to a fit; one line when every file fails for the same reason."""
    reasons = set(verdict.reasons.values())
    if len(reasons) == 1 and len(verdict.reasons) > 1:
        return [(f"all {len(verdict.reasons)} wheels", reasons.pop())]

    def rank(item: tuple[str, str]) -> tuple[bool, Miss, str]:
        # A wheel for the target's OS and arch is nearer than any other (psutil 7.2.2's cp37
        # win_amd64 wheel for a cp36-win_amd64 target, before its cp36 Linux and macOS ones).
        return item[0] not in verdict.on_platform, verdict.kinds[item[0]], item[0]

    return sorted(verdict.reasons.items(), key=rank)[:limit]
