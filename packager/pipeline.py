"""`build`: plugin wheel → per-target dependency wheels → wagons, published atomically."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from platformdirs import user_cache_dir

from . import _tools, wagon
from .cache import Cache
from .compile import build_sdist, refuse_foreign
from .config import Options
from .errors import ConfigError, ResolutionError
from .fetch import fetch
from .interpreters import find_interpreter
from .plugin_yaml import check_yamls, find_yamls
from .resolve import Candidate, resolve
from .targets import BuildTarget, Host, parse_platform, parse_python
from .validate import Settings, require_valid
from .wheels import WheelInfo, inspect_wheel, sha256_of

Events = Callable[[str], None]
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
    sdists = [c for c in candidates if c.is_sdist]
    for candidate in sdists:
        if not target.is_native(host):
            raise refuse_foreign(candidate, target)
    files = fetch(candidates, workdir / "download", cache)
    out = [f for c, f in zip(candidates, files) if not c.is_sdist]
    for candidate, path in zip(candidates, files):
        if candidate.is_sdist:
            on_event(f"{target.id}: building {candidate.name} {candidate.version} from its sdist")
            out.append(build_sdist(candidate, path, target, host, workdir / candidate.name, env))
    return out


def _assemble(
    target: BuildTarget,
    plugin: WheelInfo,
    wheels: Sequence[Path],
    files: Sequence[Path],
    options: Options,
    epoch: int,
    stage: Path,
) -> WagonResult:
    infos = [plugin, *(inspect_wheel(w) for w in wheels)]
    accepted = target.tags()
    for info in infos:
        if not info.fits(accepted):
            raise ResolutionError(
                f"{info.path.name} does not run on {target.id}",
                "a plugin with compiled code must be built per target; provide a matching wheel",
            )
    pure = all(i.is_pure for i in infos)
    platform = target.wagon_platform(pure, options.legacy_platform_tag)
    name = wagon.archive_name(plugin.name, plugin.version, options.build_tag, [target.pytag], platform)
    ordered = sorted((i.path for i in infos), key=lambda p: p.name)
    digests = {p.name: {"sha256": sha256_of(p), "size": p.stat().st_size} for p in ordered}
    metadata = wagon.package_json(
        archive=name,
        name=plugin.name,
        version=plugin.version,
        build_tag=options.build_tag,
        pytags=[target.pytag],
        platform=platform,
        requires_python=wagon.python_requires(i.requires_python for i in infos),
        wheels=ordered,
        wheel_digests=digests,
        files=[f.name for f in files],
        extension={
            "targets": [target.id],
            "plugin_yamls": sorted(f.name for f in files if f.suffix == ".yaml"),
            "tools": _tools.tool_versions(),
        },
    )
    path = stage / name
    with path.open("wb") as out:
        wagon.write_wagon(out, options.format, plugin.name, wagon.members(metadata, ordered, files), epoch)
    data = path.read_bytes()
    return WagonResult(
        file=name,
        targets=[target.id],
        platform=platform,
        python_versions=[target.pytag],
        sha256=hashlib.sha256(data).hexdigest(),
        md5=hashlib.md5(data).hexdigest(),
        size=len(data),
        wheels=[p.name for p in ordered],
    )


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


def _publish(report: BuildReport, stage: Path, output: Path) -> None:
    output.mkdir(parents=True, exist_ok=True)
    for result in report.wagons:
        _replace_atomically(stage / result.file, output / result.file)
        _replace_atomically(f"{result.md5}\n".encode(), output / f"{result.file}.md5")
        _replace_atomically(f"{result.sha256}\n".encode(), output / f"{result.file}.sha256")
    _replace_atomically(report.to_json().encode(), output / REPORT_NAME)


def build(
    options: Options,
    env: Mapping[str, str],
    host: Host | None = None,
    on_event: Events = lambda _msg: None,
) -> BuildReport:
    """Build every target; the output directory is touched only once all of them succeeded."""
    host = host or Host.detect()
    targets = plan_targets(options, host, env)
    epoch = options.source_date_epoch if options.source_date_epoch is not None else wagon.ZIP_EPOCH
    tool_env = {**env, "SOURCE_DATE_EPOCH": str(epoch)}
    cache = Cache(cache_dir(env))
    files = _extra_files(options)
    with tempfile.TemporaryDirectory(prefix="plugin-packager-") as tmp_name:
        tmp = Path(tmp_name)
        on_event(f"building the plugin's wheel from {options.project}")
        plugin = inspect_wheel(_tools.build_project_wheel(options.project, tmp / "plugin", tool_env))
        check_yamls([f for f in files if f.suffix == ".yaml"], plugin.name, plugin.version)
        requirements = list(plugin.requires_dist)
        resolved: dict[BuildTarget, list[Candidate]] = {}
        for target in targets:
            _check_requires_python(plugin, target)
            on_event(f"{target.id}: resolving {len(requirements)} requirements")
            resolved[target] = resolve(
                target, requirements, tmp / target.id, index_args(options), tool_env, host
            )
            for candidate in resolved[target]:
                if candidate.is_sdist and not target.is_native(host):
                    raise refuse_foreign(candidate, target)
        stage = tmp / "stage"
        stage.mkdir()
        report = BuildReport(plugin.name, plugin.version, str(options.output), epoch)
        for target in targets:
            wheels = _target_wheels(
                target, resolved[target], tmp / target.id, cache, tool_env, host, on_event
            )
            result = _assemble(target, plugin, wheels, files, options, epoch, stage)
            clash = next((r for r in report.wagons if r.file == result.file), None)
            if clash is not None:
                raise ConfigError(
                    f"targets {clash.targets[0]} and {target.id} would both write"
                    f" {result.file}",
                    "drop one of the overlapping --platform values",
                )
            report.wagons.append(result)
            on_event(f"{target.id}: {result.file} ({len(result.wheels)} wheels)")
        require_valid([stage / r.file for r in report.wagons], env, host,
                      Settings(clean_room=options.validate, interpreters=options.interpreters),
                      on_event)
        _publish(report, stage, options.output)
    return report
