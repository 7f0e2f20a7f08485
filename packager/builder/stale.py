"""Pins older than pip's: uv's resolver sometimes backtracks the wrong package (astral-sh/uv
issues 1575, 8128, 8157). openstack's cp311 set took cryptography 51.0.1 first, met msal 1.39.0's
`cryptography<51` and went back to msal 1.5.1 and azure-identity 1.4.1 (2020) rather than to
cryptography 50.0.2, which pip picks. So after a fresh resolution, each pin whose newest release
usable on the target no requirement of the resolution excludes is raised to it in one more
resolution, kept when it is less stale: fewer usable releases newer than the pins, summed."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from ..cache import Cache, key_of
from ..errors import PackagerError
from ..events import Event, Events
from ..targets import BuildTarget
from .explain import explain_files, index_files
from .resolution import Candidate, Request, Unresolvable

RAISE_ROUNDS = 3  # resolutions tried after uv's, each without the pins the last one's failure named
MAJOR_GAP = 1  # a direct dependency more than this many major versions below its newest is said
LISTING_THREADS = 8
LISTING_TTL = 24 * 3600  # seconds, as a resolution is reused
_JUDGED = ("filename", "requires-python", "yanked")  # what explain_files reads of a listed file
Resolved = tuple[Path, list["Candidate"], list[Path]]


@dataclass(frozen=True)
class Behind:
    """A pin and the newer releases usable on the target."""

    name: str
    pick: Version
    newest: Version
    releases: int  # usable final releases newer than the pick
    majors: int = 0  # major versions published above the pick's (pyvmomi went 8 → 2014: two)


def usable_versions(files: Iterable[Mapping[str, Any]], target: BuildTarget) -> list[Version]:
    """The final releases with a file the target can use (a fitting wheel, an sdist), not
    yanked, Requires-Python admitting it: newest first, as explain judges them."""
    found = []
    for verdict in explain_files(files, target):
        version = Version(verdict.version)
        if (verdict.usable or verdict.sdist) and not version.is_prerelease:
            found.append(version)
    return found


def behind(pins: Mapping[str, str], listings: Mapping[str, Sequence[Version]]) -> dict[str, Behind]:
    """The pins with newer usable releases, by normalized name."""
    out = {}
    for name, text in pins.items():
        try:
            pick = Version(text)
        except InvalidVersion:
            continue
        newer = [v for v in listings.get(name, ()) if v > pick]
        if newer:
            majors = len({v.major for v in newer if v.major > pick.major})
            out[name] = Behind(name, pick, max(newer), len(newer), majors)
    return out


def staleness(found: Mapping[str, Behind], names: Iterable[str]) -> int:
    """How stale a resolution is: the usable releases newer than its pins of `names`, summed."""
    return sum(found[name].releases for name in names if name in found)


def applying(texts: Iterable[str], target: BuildTarget) -> list[Requirement]:
    """The requirements whose markers hold on the target (extras left out)."""
    environment = {**target.marker_environment(), "extra": ""}
    out = []
    for text in texts:
        try:
            requirement = Requirement(text)
        except InvalidRequirement:
            continue
        if requirement.marker is None or requirement.marker.evaluate(environment):
            out.append(requirement)
    return out


def excluded_by(requirements: Iterable[tuple[str, Requirement]], name: str,
                version: Version) -> list[str]:
    """`owner's requirement` for each requirement on `name` that excludes `version`."""
    return [f"{owner}'s {req}" if owner else str(req) for owner, req in requirements
            if canonicalize_name(req.name) == name
            and not req.specifier.contains(version, prereleases=True)]


def to_raise(found: Mapping[str, Behind], requirements: Sequence[tuple[str, Requirement]]) -> list[Behind]:
    """The stale pins that nothing in the resolution holds back: uv's search order did."""
    return [one for name, one in sorted(found.items())
            if not excluded_by(requirements, name, one.newest)]


def listings(names: Iterable[str], target: BuildTarget, index: str,
             headers: Mapping[str, str], cache: Cache) -> dict[str, list[Version]]:
    """Usable versions of each package on the index, kept a day (as resolutions are); a package
    the index does not answer for (a --find-links file, a private name) is left out, so it
    never counts as stale."""
    def one(name: str) -> tuple[str, list[Version]]:
        try:
            return name, usable_versions(_listed(name, index, headers, cache), target)
        except (PackagerError, ValueError, KeyError, TypeError, InvalidVersion):
            return name, []

    with ThreadPoolExecutor(LISTING_THREADS) as pool:
        return dict(pool.map(one, sorted(set(names))))


def _listed(name: str, index: str, headers: Mapping[str, str],
            cache: Cache) -> list[dict[str, Any]]:
    """The files the index lists for `name`, with what judging them takes (file name,
    Requires-Python, yanked), kept a day for every target: the targets of a build pin mostly the
    same packages, and each asking the index anew put dozens of requests on every target's path."""
    key = key_of("index-files", index, canonicalize_name(name))
    kept = cache.get_keyed("listings", key, max_age=LISTING_TTL)
    try:
        files = json.loads(kept.read_bytes()) if kept is not None else None
    except ValueError:
        files = None  # not what this function wrote: asked again
    if isinstance(files, list) and all(isinstance(f, dict) for f in files):
        return files
    files = [{field: entry[field] for field in _JUDGED if field in entry}
             for entry in index_files(name, index, headers)]
    cache.put_keyed_bytes("listings", key, "files.json", json.dumps(files).encode("utf-8"))
    return files


def fresher(
    first: Resolved, request: Request, on_event: Events, *,
    again: Callable[[Sequence[str]], Resolved], read_requires: Callable[[Candidate, Path], list[str]],
) -> Path:
    """The lock of `first`, or of one more resolution `again` with the stale pins raised as lower
    bounds when that one is less stale; the request's (direct) requirements far below their
    newest are said. Listings come from its primary index, asked with its credentials."""
    target, direct, cache = request.target, request.requirements, request.cache
    index = request.indexes.primary
    headers = request.indexes.auth_header(index)
    lock, candidates, files = first
    pins = _index_pins(candidates)
    seen = listings(pins, target, index, headers, cache)
    found = behind(pins, seen)
    raise_ = to_raise(found, _requirements(candidates, files, direct, target, read_requires))
    if raise_:
        saved = lock.read_bytes()
        lock.unlink()  # uv takes the pins of an existing output file as preferences
        # Nor may the plugin's own dependencies go down: uv would rather drop what needs the raised.
        floors = [f"{name}>={pins[name]}" for name in _names_of(direct, target) if name in pins]
        second = _raise(raise_, floors, again)
        if second is None:
            on_event(Event(f"raising {', '.join(o.name for o in raise_)} to their newest usable"
                           " releases does not resolve: keeping uv's resolution", target.id,
                           "resolve", detail=True))
        else:
            pins2 = _index_pins(second[1])
            seen.update(listings(set(pins2) - set(seen), target, index, headers, cache))
            found2 = behind(pins2, seen)
            # Compared on the packages both pin: one the second leaves out is not made fresher.
            common = set(pins) & set(pins2)
            if staleness(found2, common) < staleness(found, common):
                requirements2 = _requirements(second[1], second[2], direct, target, read_requires)
                on_event(Event(_raised_message(pins, pins2, requirements2,
                                               staleness(found, common),
                                               staleness(found2, common)), target.id, "resolve"))
                _say_direct(found2, applying(direct, target), target, on_event)
                return second[0]
        lock.write_bytes(saved)  # the same path: uv wrote the second over the first
    _say_direct(found, applying(direct, target), target, on_event)
    return lock


def _index_pins(candidates: Sequence[Candidate]) -> dict[str, str]:
    return {canonicalize_name(c.name): c.version for c in candidates if c.kind == "index"}


def _raise(raising: list[Behind], floors: Sequence[str],
           again: Callable[[Sequence[str]], Resolved]) -> Resolved | None:
    """The resolution with `raising` as lower bounds; when uv finds none, again without those
    its explanation names (osc-lib 4.7.0 needs an openstacksdk the plugin pins below), at most
    RAISE_ROUNDS times."""
    for _ in range(RAISE_ROUNDS):
        try:
            return again([*floors, *(f"{one.name}>={one.newest}" for one in raising)])
        except Unresolvable as exc:
            named = [one for one in raising if _names(exc.output, one.name)]
            raising = [one for one in raising if one not in named]
            if not named or not raising:
                return None
        except PackagerError:
            return None
    return None


def _names_of(requirements: Sequence[str], target: BuildTarget) -> list[str]:
    return [canonicalize_name(req.name) for req in applying(requirements, target)]


def _names(output: str, name: str) -> bool:
    """Whether uv's explanation names the package (its words spell names normalized)."""
    return re.search(rf"(?<![\w.-]){re.escape(name)}(?![\w-])", output, re.IGNORECASE) is not None


def _requirements(candidates: Sequence[Candidate], files: Sequence[Path], direct: Sequence[str],
                  target: BuildTarget, read_requires: Callable[[Candidate, Path], list[str]],
                  ) -> list[tuple[str, Requirement]]:
    """Every requirement of the resolution on the target, with who says it ("" for the plugin)."""
    out = [("", req) for req in applying(direct, target)]
    for candidate, path in zip(candidates, files):
        owner = f"{candidate.name} {candidate.version}"
        out += [(owner, req) for req in applying(read_requires(candidate, path), target)]
    return out


def _raised_message(before: Mapping[str, str], after: Mapping[str, str],
                    requirements: Sequence[tuple[str, Requirement]], stale: int,
                    stale2: int) -> str:
    """What moved, and for each pin that went down, the requirement that holds it down."""
    ups, downs = [], []
    for name in sorted(set(before) & set(after)):
        old, new = Version(before[name]), Version(after[name])
        if new > old:
            ups.append(f"{name} {old} → {new}")
        elif new < old:
            why = excluded_by(requirements, name, old)
            downs.append(f"{name} {old} → {new}" + (f" (held back by {why[0]})" if why else ""))
    text = (f"uv's resolution was {stale} releases behind the newest usable ones, raised to"
            f" {stale2} behind: {', '.join(ups)}")
    return text + (f"; in turn {', '.join(downs)}" if downs else "")


def _say_direct(found: Mapping[str, Behind], direct: Sequence[Requirement], target: BuildTarget,
                on_event: Events) -> None:
    """Name the plugin's dependencies that resolve far below a newest release their own
    requirement admits (a pin the plugin wrote, like openstacksdk==0.53.0, is its choice)."""
    for requirement in direct:
        one = found.get(canonicalize_name(requirement.name))
        if (one is not None and one.majors > MAJOR_GAP
                and requirement.specifier.contains(one.newest, prereleases=True)):
            on_event(Event(f"{one.name} resolves to {one.pick}, {one.majors} major versions below"
                           f" its newest usable release {one.newest}, which the plugin's"
                           f" {requirement} admits: other requirements hold it back",
                           target.id, "resolve"))
