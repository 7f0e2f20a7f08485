"""Requirements for one target: resolved by uv for the target, one file chosen per package."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from packaging.markers import Marker
from packaging.utils import parse_wheel_filename

from .. import _tools
from .._toml import tomllib
from ..cache import Cache, key_of
from ..credentials import secret_file
from ..errors import BuildError, ResolutionError
from ..events import Event, Events, ignore
from ..targets import BuildTarget
from .context import BuildContext
from .failures import build_cause, failed_release
from .fetch import fetch
from .requires_python import not_admitted, requires_dist
from .resolution import Candidate, Pinned, Request, Resolution, Unresolvable
from .shared_metadata import ReleaseMetadata, uv_config
from .stale import fresher

NETWORK_HINT = (
    "the package index could not be reached: check the network, a proxy (HTTPS_PROXY) or"
    " --index-url; with locks, --offline --find-links DIR builds without it"
)
# uv's hint when an index answered 401 or 403 (it then reports the package as not found).
_DENIED = re.compile(r"index(?: URL)? \((?P<index>[^)\s]+)\).*?(?P<status>40[13] [A-Z][a-z]+)")
# uv's words when a direct reference (`name @ URL`) cannot be fetched or built.
_UNREACHABLE = re.compile(r"Failed to (?:download(?: and build)?|fetch) `([^`]+ @ [^`]+)`")
RESOLUTION_TTL = 24 * 3600  # seconds; new releases upstream are picked up a day later at most
EXCLUSION_ROUNDS = 8  # each round drops at least one release; real plugins needed two
LOCK_FILE = "pylock.target.toml"


def _pick_wheel(wheels: Sequence[Mapping[str, Any]], target: BuildTarget) -> Mapping[str, Any] | None:
    rank = {tag: i for i, tag in enumerate(target.tags())}
    best: tuple[int, Mapping[str, Any]] | None = None
    for wheel in wheels:
        name = _filename(wheel)
        _, _, _, tags = parse_wheel_filename(name)
        score = min((rank[t] for t in tags if t in rank), default=None)
        if score is not None and (best is None or score < best[0]):
            best = (score, wheel)
    return best[1] if best else None


def _filename(entry: Mapping[str, Any]) -> str:
    return str(entry.get("name") or str(entry.get("url") or entry.get("path")).rsplit("/", 1)[-1])


def _direct(package: Mapping[str, Any], name: str, version: str) -> Candidate | None:
    """A direct reference of the lock: a git commit, a local directory or an archive URL."""
    vcs, folder, archive = package.get("vcs"), package.get("directory"), package.get("archive")
    if isinstance(vcs, dict):
        commit = str(vcs["commit-id"])
        url = str(vcs["url"]) + (f"#subdirectory={vcs['subdirectory']}" if vcs.get("subdirectory")
                                 else "")
        return Candidate(name, version, f"{name}@{commit[:12]}", url, None, True, kind="git",
                         commit=commit)
    if isinstance(folder, dict):
        return Candidate(name, version, name, str(folder["path"]), None, True, kind="directory")
    if isinstance(archive, dict):
        filename = _filename(archive)
        return Candidate(name, version, filename, str(archive.get("url") or archive.get("path")),
                         archive.get("hashes", {}).get("sha256"), not filename.endswith(".whl"),
                         kind="archive")
    return None


def _candidate(package: Mapping[str, Any], target: BuildTarget) -> Candidate:
    name, version = str(package["name"]), str(package.get("version", ""))
    direct = _direct(package, name, version)
    if direct is not None:
        return direct
    entry = _pick_wheel(package.get("wheels", []), target)
    is_sdist = entry is None
    if entry is None:
        entry = package.get("sdist")
    if entry is None:
        raise ResolutionError(
            f"{name} {version} has no wheel for {target.id} and no sdist",
            f"provide a {target.id} wheel with --find-links, or pin another {name} version",
        )
    location = str(entry.get("url") or entry.get("path"))
    return Candidate(
        name=name,
        version=version,
        filename=_filename(entry),
        url=location,
        sha256=entry.get("hashes", {}).get("sha256"),
        is_sdist=is_sdist,
        wheels=tuple(_filename(w) for w in package.get("wheels", [])),
        size=entry.get("size"),
    )


def _uv_message(output: str, count: int = 4) -> str:
    lines = [re.sub(r"^[\s\u2570\u2500\u25b6\u00d7|:]+", "", line).strip() for line in output.splitlines()]
    lines = [line.removeprefix("error: ") for line in lines if line and not line.startswith("hint")]
    return " ".join(lines[:count]) or "uv gave no reason"


class Unbuildable(BuildError):
    """uv could not build an sdist's metadata; `release` is the index release (name, version)
    it names, None for a direct reference (which no other release can replace)."""

    def __init__(self, message: str, hint: str, release: tuple[str, str] | None,
                 cause: str) -> None:
        super().__init__(message, hint)
        self.release, self.cause = release, cause


def _ignore_pins(_candidates: Sequence[Candidate]) -> None:
    """The default: nobody starts work on a resolution before it is final."""


def _nothing() -> list[ReleaseMetadata]:
    """The default: nobody starts work before uv answers, or lends it metadata."""
    return []


def _key(r: Request) -> str:
    return key_of(
        "resolution", r.target.id, r.target.python_full_version, r.target.uv_platform(r.host),
        *sorted(r.requirements), r.indexes.digest(), _tools.tool_versions().get("uv", ""),
        *r.inputs.record(), *r.excluded,
    )


def resolve(
    request: Request, refresh: bool = False, on_event: Events = ignore,
    on_pinned: Pinned = _ignore_pins, on_compile: Callable[[], list[ReleaseMetadata]] = _nothing,
) -> Resolution:
    """Pinned files for the requirements, markers and tags evaluated for the target, not the host.

    A resolution of the same inputs younger than RESOLUTION_TTL is reused unless `refresh`.
    Else `on_compile` hears that uv starts and may lend it metadata (shared_metadata.py), and
    `on_pinned` hears each uv resolution's files before their Requires-Python is checked, so a
    build can start fetching and compiling meanwhile. The caller caches what uv made
    (`remember`): at once, or once the metadata it was lent has held.
    """
    r = request
    if not r.requirements:
        return Resolution([])
    key = _key(r)
    cached = None if refresh else r.cache.get_keyed("resolutions", key, max_age=RESOLUTION_TTL)
    if cached is not None:
        return Resolution(candidates_from_lock(cached, r.target))
    shared = tuple(on_compile())
    lock = compile_exact(r, on_event, on_pinned, shared)
    return Resolution(candidates_from_lock(lock, r.target), made=lock.read_bytes(), key=key,
                      shared=shared)


def remember(cache: Cache, resolution: Resolution) -> None:
    """Cache a resolution uv made, for the next build of the same inputs."""
    if resolution.made is not None:
        cache.put_keyed_bytes("resolutions", resolution.key, LOCK_FILE, resolution.made)


def candidates_from_lock(lock: Path, target: BuildTarget) -> list[Candidate]:
    """One file per package of a PEP 751 lock, for the packages whose markers hold on `target`."""
    packages = tomllib.loads(lock.read_text(encoding="utf-8")).get("packages", [])
    environment = target.marker_environment()
    # uv reads --python-version as a lower bound, so its lock may still carry markers.
    return [
        _candidate(p, target) for p in packages
        if "marker" not in p or Marker(p["marker"]).evaluate(environment)
    ]


def compile_exact(
    request: Request, on_event: Events = ignore, on_pinned: Pinned = _ignore_pins,
    shared: Sequence[ReleaseMetadata] = (),
) -> Path:
    """compile_lock, then again without each release that cannot serve the target, until every
    file admits it: a pinned release whose Requires-Python excludes the target's exact Python,
    and a release whose sdist uv could not build for it (a Python-2 setup.py), which stops uv.
    Then once more with the pins uv left needlessly old raised (stale.py)."""
    excluded = list(request.excluded)
    rounds = _ExclusionRounds(request, on_event, on_pinned, shared)
    return fresher(
        rounds.run(excluded), request, on_event,
        again=lambda raised: rounds.run([*excluded], raised),
        read_requires=requires_dist,
    )


@dataclass(frozen=True)
class _ExclusionRounds:
    """One target's resolution, run until no release needs excluding: what each run keeps."""

    request: Request
    on_event: Events
    on_pinned: Pinned
    shared: Sequence[ReleaseMetadata]

    def run(self, excluded: list[str], raised: Sequence[str] = ()
            ) -> tuple[Path, list[Candidate], list[Path]]:
        """The resolution, its files and their paths, once no release needs excluding;
        `excluded` grows by each release excluded, `raised` holds the pins stale.py raised."""
        target = self.request.target
        unbuilt: Unbuildable | None = None
        for _ in range(EXCLUSION_ROUNDS):
            try:
                lock = compile_lock(self.request, [*excluded, *raised], self.shared)
            except Unbuildable as exc:
                if exc.release is None or "{}!={}".format(*exc.release) in excluded:
                    raise
                name, version = exc.release
                self.on_event(Event(f"excluded {name} {version}: its sdist does not build for"
                                    f" Python {target.python_full_version} ({exc.cause})",
                                    target.id, "resolve"))
                excluded.append(f"{name}!={version}")
                unbuilt = exc
                continue
            except ResolutionError as exc:
                if unbuilt is not None:
                    # None resolves without it (bottle==0.12.7): its failure is the cause.
                    raise unbuilt from exc
                if not excluded:
                    raise
                raise ResolutionError(f"{exc.message}, after excluding {', '.join(excluded)}",
                                      exc.hint) from exc
            pinned = candidates_from_lock(lock, target)
            self.on_pinned(pinned)
            # Source trees (git, directories) are not files to read Requires-Python from; uv
            # already judged their metadata for this Python.
            candidates = [c for c in pinned if not c.tree]
            files = _files(self.request, candidates)
            found = not_admitted(candidates, files, target)
            if not found:
                return lock, candidates, files
            for one in found:
                self.on_event(Event(
                    f"excluded {one.name} {one.version}: its Requires-Python"
                    f" {one.requires_python!r} does not admit Python {target.python_full_version}",
                    target.id, "resolve"))
            excluded += [one.constraint for one in found]
        raise ResolutionError(
            f"no resolution for {target.id} admits Python {target.python_full_version} after"
            f" {EXCLUSION_ROUNDS} rounds excluding {', '.join(excluded)}",
            "pin the dependencies that dropped this Python to older releases",
        )


def _files(request: Request, candidates: Sequence[Candidate]) -> list[Path]:
    if request.downloads is None:
        context = BuildContext(request.env, request.cache, request.host, request.workdir)
        return fetch(candidates, context, request.indexes)
    futures = [request.downloads.get(candidate, request.target.id) for candidate in candidates]
    return [future.result() for future in futures]


def compile_lock(request: Request, excluded: Sequence[str] = (),
                 shared: Sequence[ReleaseMetadata] = ()) -> Path:
    """A fresh uv resolution for the target as a PEP 751 lock in the request's workdir, without
    the `excluded` releases (`name!=version` constraints), with `shared` metadata."""
    target, workdir, indexes, inputs = (request.target, request.workdir, request.indexes,
                                        request.inputs)
    workdir.mkdir(parents=True, exist_ok=True)
    req_file = workdir / "requirements.in"
    req_file.write_text("\n".join(request.requirements) + "\n", encoding="utf-8")
    constraints = _lines(workdir / "constraints.in", [*inputs.constraints, *excluded])
    excludes = _lines(workdir / "excludes.in", inputs.exclude)
    lock = workdir / LOCK_FILE
    try:
        # The credentials reach uv in its config file, held in memory: not in its environment,
        # which every setup.py it runs for metadata inherits.
        with secret_file(uv_config(shared) + indexes.uv_credentials(),
                         workdir / "uv.toml") as config:
            job = _tools.UvCompile(
                requirements=req_file, output=lock, python_version=target.python_full_version,
                python_platform=target.uv_platform(request.host), interpreter=target.interpreter,
                index_args=tuple(indexes.args()), config=config, constraints=constraints,
                excludes=excludes, fresh=request.fresh,
            )
            _tools.uv_compile(job, request.env)
    except _tools.ToolFailure as exc:
        output = indexes.redact(exc.output)
        denied = _DENIED.search(output)
        if denied:
            raise indexes.refused(denied.group("index"), denied.group("status")) from None
        if exc.build_failed:
            log = request.cache.keep_log(f"resolve-{target.id}", output)
            cause = build_cause(output) or exc.last_lines(2)
            raise Unbuildable(
                f"resolving for {target.id}: {_uv_message(output, 1)}: {indexes.redact(cause)}",
                f"the whole log is in {log}; pin a version of that package with a wheel for"
                " this Python, or provide one with --find-links",
                failed_release(output), indexes.redact(cause),
            ) from exc
        direct = _UNREACHABLE.search(output)
        if direct:
            raise ResolutionError(
                f"cannot fetch {direct.group(1)} for {target.id}: {_uv_message(output)}",
                "check that the URL (and for git, the revision) is reachable from here",
            ) from None
        raise Unresolvable(
            f"dependencies cannot be resolved for {target.id}: {_uv_message(output)}",
            NETWORK_HINT if exc.network else
            "check that every dependency publishes a release for this Python and platform,"
            " or add --find-links with the missing files",
            output,
        ) from exc
    return lock


def _lines(path: Path, lines: Sequence[str]) -> Path | None:
    """`lines` written to `path` for uv to read; None when there are none."""
    if not lines:
        return None
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
