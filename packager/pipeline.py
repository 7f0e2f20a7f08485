"""`build`: plugin wheel → per-target dependency wheels → wagons, published atomically."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from platformdirs import user_cache_dir

from . import _tools, wagon
from .cache import Cache, key_of
from .compile import build_sdist, refuse_foreign
from .config import Options
from .errors import ConfigError, ResolutionError
from .events import Event, Events, ignore
from .fetch import fetch
from .fingerprint import tree_digest
from .interpreters import find_interpreter
from .plugin_yaml import check_yamls, find_yamls
from .resolve import Candidate, resolve
from .targets import BuildTarget, Host, parse_platform, parse_python
from .wheels import WheelInfo, inspect_wheel, sha256_of

REPORT_NAME = "build-report.json"


@dataclass(frozen=True)
class WagonResult:
    file: str
    targets: list[str]
    platform: str
    python_versions: list[str]
    sha256: str
    md5: str
    size: int
    wheels: list[str]


@dataclass(frozen=True)
class BuildReport:
    package_name: str
    package_version: str
    output: str
    source_date_epoch: int
    wagons: list[WagonResult] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True) + "\n"


def cache_dir(env: Mapping[str, str]) -> Path:
    return Path(env.get("PLUGIN_PACKAGER_CACHE") or user_cache_dir("plugin-packager"))


def plan_targets(options: Options, host: Host, env: Mapping[str, str]) -> list[BuildTarget]:
    """The cross product of Pythons and platforms, each with the interpreter that serves it."""
    pythons = [parse_python(p) for p in options.python] or [sys.version_info[:2]]
    platforms = [parse_platform(p, host) for p in options.platform]
    interpreters = {v: find_interpreter(v, options.interpreters, env) for v in dict.fromkeys(pythons)}
    targets = [BuildTarget(v, p, interpreters[v]) for v in pythons for p in platforms]
    return list(dict.fromkeys(targets))


def index_args(options: Options) -> list[str]:
    args = ["--index-url", options.index_url] if options.index_url else []
    for url in options.extra_index_url:
        args += ["--extra-index-url", url]
    for link in options.find_links:
        args += ["--find-links", link]
    return args


def _check_requires_python(plugin: WheelInfo, target: BuildTarget) -> None:
    try:
        spec = SpecifierSet(plugin.requires_python or "")
    except InvalidSpecifier:
        return
    if not spec.contains(target.python_version, prereleases=True):
        raise ConfigError(
            f"{plugin.name} {plugin.version} requires Python {spec}, target {target.id} is"
            f" Python {target.python_version}",
            "drop that --python or widen requires-python in pyproject.toml",
        )


def _extra_files(options: Options) -> list[Path]:
    found = find_yamls(options.project)
    for name in options.files:
        path = options.project / name
        if not path.is_file():
            raise ConfigError(f"extra file {name!r} not found in {options.project}", "fix files=")
        found.append(path)
    return found


def _target_wheels(
    target: BuildTarget,
    candidates: Sequence[Candidate],
    workdir: Path,
    cache: Cache,
    env: Mapping[str, str],
    host: Host,
    on_event: Events,
) -> list[Path]:
    on_event(Event(f"fetching {len(candidates)} files", target.id, "fetch"))
    files = fetch(candidates, workdir / "download", cache)
    out = [f for c, f in zip(candidates, files) if not c.is_sdist]
    for candidate, path in zip(candidates, files):
        if candidate.is_sdist:
            message = f"building {candidate.name} {candidate.version} from its sdist"
            on_event(Event(message, target.id, "compile"))
            out.append(build_sdist(candidate, path, target, host, workdir / candidate.name, env, cache))
    return out


def _cell_infos(plugin: WheelInfo, cell: Sequence[tuple[BuildTarget, Sequence[Path]]]) -> list[WheelInfo]:
    """Every wheel of the cell once (the lowest Python's copy), each checked against its target."""
    by_name = {plugin.path.name: plugin}
    for target, wheels in cell:
        accepted = target.tags()
        for info in [plugin, *(inspect_wheel(w) for w in wheels)]:
            if not info.fits(accepted):
                raise ResolutionError(
                    f"{info.path.name} does not run on {target.id}",
                    "a plugin with compiled code must be built per target; provide a matching wheel",
                )
            by_name.setdefault(info.path.name, info)
    return [by_name[name] for name in sorted(by_name)]


def _shared_requires_python(plugin: WheelInfo, cell: Sequence[tuple[BuildTarget, Sequence[Path]]],
                            infos: Sequence[WheelInfo]) -> str | None:
    """Requires-Python of the wheels every Python of the cell installs, so it admits them all."""
    shared = set.intersection(*({p.name for p in wheels} | {plugin.path.name} for _, wheels in cell))
    return wagon.python_requires(i.requires_python for i in infos if i.path.name in shared)


def _assemble(
    cell: Sequence[tuple[BuildTarget, Sequence[Path]]],
    plugin: WheelInfo,
    files: Sequence[Path],
    options: Options,
    epoch: int,
    stage: Path,
) -> WagonResult:
    """One wagon for a cell: one target, or (--combine) several Pythons on one platform."""
    targets = [target for target, _ in cell]
    infos = _cell_infos(plugin, cell)
    pure = all(i.is_pure for i in infos)
    platform = targets[0].wagon_platform(pure, options.legacy_platform_tag)
    pytags = [t.pytag for t in targets]
    name = wagon.archive_name(plugin.name, plugin.version, options.build_tag, pytags, platform)
    ordered = [i.path for i in infos]
    digests = {p.name: {"sha256": sha256_of(p), "size": p.stat().st_size} for p in ordered}
    metadata = wagon.package_json(
        archive=name,
        name=plugin.name,
        version=plugin.version,
        build_tag=options.build_tag,
        pytags=pytags,
        platform=platform,
        requires_python=_shared_requires_python(plugin, cell, infos),
        wheels=ordered,
        wheel_digests=digests,
        files=[f.name for f in files],
        extension={
            "targets": [t.id for t in targets],
            "plugin_yamls": sorted(f.name for f in files if f.suffix == ".yaml"),
            "tools": _tools.tool_versions(),
        },
    )
    stage.mkdir(parents=True)
    path = stage / name
    with path.open("wb") as out:
        wagon.write_wagon(out, options.format, plugin.name, wagon.members(metadata, ordered, files), epoch)
    data = path.read_bytes()
    return WagonResult(
        file=name,
        targets=[t.id for t in targets],
        platform=platform,
        python_versions=pytags,
        sha256=hashlib.sha256(data).hexdigest(),
        md5=hashlib.md5(data).hexdigest(),
        size=len(data),
        wheels=[p.name for p in ordered],
    )


def cells(targets: Sequence[BuildTarget], combine: bool) -> list[list[BuildTarget]]:
    """Which targets share a wagon: each its own, or with --combine all Pythons of a platform."""
    if not combine:
        return [[t] for t in targets]
    groups: dict[str, list[BuildTarget]] = {}
    for target in targets:
        groups.setdefault(target.platform.name, []).append(target)
    return [sorted(group, key=lambda t: t.python) for group in groups.values()]


def _replace_atomically(data: bytes | Path, dest: Path) -> None:
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            if isinstance(data, Path):
                with data.open("rb") as source:
                    shutil.copyfileobj(source, out)
            else:
                out.write(data)
        Path(tmp).chmod(0o644)
        Path(tmp).replace(dest)
    finally:
        Path(tmp).unlink(missing_ok=True)


def _publish(report: BuildReport, staged: Mapping[str, Path], output: Path) -> None:
    output.mkdir(parents=True, exist_ok=True)
    for result in report.wagons:
        _replace_atomically(staged[result.file], output / result.file)
        _replace_atomically(f"{result.md5}\n".encode(), output / f"{result.file}.md5")
        _replace_atomically(f"{result.sha256}\n".encode(), output / f"{result.file}.sha256")
    _replace_atomically(report.to_json().encode(), output / REPORT_NAME)


def plugin_wheel(
    options: Options, cache: Cache, env: Mapping[str, str], outdir: Path, on_event: Events
) -> Path:
    """The plugin's own wheel, rebuilt only when its sources (or the build tools) changed."""
    tools = _tools.tool_versions()
    key = key_of(
        "plugin-wheel", tree_digest(options.project, skip=[options.output]),
        env.get("SOURCE_DATE_EPOCH", ""), tools.get("build", ""), tools.get("uv", ""),
    )
    with cache.lock(key):
        cached = cache.get_keyed("plugins", key)
        if cached is not None:
            on_event(Event(f"the plugin's sources are unchanged: reusing {cached.name}"))
            return cached
        on_event(Event(f"building the plugin's wheel from {options.project}"))
        return cache.put_keyed("plugins", key, _tools.build_project_wheel(options.project, outdir, env))


def _without_clashes(results: Sequence[WagonResult]) -> list[WagonResult]:
    seen: dict[str, WagonResult] = {}
    for result in results:
        clash = seen.setdefault(result.file, result)
        if clash is not result:
            raise ConfigError(
                f"targets {clash.targets[0]} and {result.targets[0]} would both write {result.file}",
                "drop one of the overlapping --platform values",
            )
    return list(results)


def build(
    options: Options,
    env: Mapping[str, str],
    host: Host | None = None,
    on_event: Events = ignore,
    jobs: int | None = None,
    refresh: bool = False,
) -> BuildReport:
    """Build every target, `jobs` at a time; the output is touched only once all succeeded."""
    host = host or Host.detect()
    targets = plan_targets(options, host, env)
    epoch = options.source_date_epoch if options.source_date_epoch is not None else wagon.ZIP_EPOCH
    tool_env = {**env, "SOURCE_DATE_EPOCH": str(epoch)}
    cache = Cache(cache_dir(env))
    files = _extra_files(options)
    _tools.uv_bin()  # resolve it once here, before worker threads ask for it
    for target in targets:
        on_event(Event(f"Python {target.python_version} on {target.platform.name}", target.id, "plan"))
    with tempfile.TemporaryDirectory(prefix="plugin-packager-") as tmp_name, ThreadPoolExecutor(
        max(1, jobs or os.cpu_count() or 1)
    ) as pool:
        tmp = Path(tmp_name)
        plugin = inspect_wheel(plugin_wheel(options, cache, tool_env, tmp / "plugin", on_event))
        check_yamls([f for f in files if f.suffix == ".yaml"], plugin.name, plugin.version)
        for target in targets:
            _check_requires_python(plugin, target)
        requirements = list(plugin.requires_dist)

        def resolve_one(target: BuildTarget) -> list[Candidate]:
            on_event(Event(f"resolving {len(requirements)} requirements", target.id, "resolve"))
            candidates = resolve(
                target, requirements, tmp / target.id, index_args(options), tool_env, host, cache,
                refresh,
            )
            for candidate in candidates:
                if candidate.is_sdist and not target.is_native(host):
                    raise refuse_foreign(candidate, target)
            return candidates

        # Every target resolves before any builds, so a refusal comes before expensive work;
        # resolving waits on the network more than the CPU, so all targets resolve at once.
        with ThreadPoolExecutor(len(targets)) as resolvers:
            resolved = list(resolvers.map(resolve_one, targets))

        def wheels_for(target: BuildTarget, candidates: list[Candidate]) -> list[Path]:
            return _target_wheels(target, candidates, tmp / target.id, cache, tool_env, host, on_event)

        wheels = dict(zip(targets, pool.map(wheels_for, targets, resolved)))

        def assemble(cell: list[BuildTarget]) -> tuple[WagonResult, Path]:
            for target in cell:
                on_event(Event("writing the wagon", target.id, "write"))
            stage = tmp / "stage" / cell[0].id
            result = _assemble([(t, wheels[t]) for t in cell], plugin, files, options, epoch, stage)
            for target in cell:
                on_event(Event(f"{result.file} ({len(result.wheels)} wheels)", target.id, "done"))
            return result, stage / result.file

        built = list(pool.map(assemble, cells(targets, options.combine)))
        report = BuildReport(
            plugin.name, plugin.version, str(options.output), epoch,
            _without_clashes([result for result, _ in built]),
        )
        _publish(report, {result.file: path for result, path in built}, options.output)
    return report
