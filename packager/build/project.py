"""What every command needs from a plugin project: its targets, cache, tool environment, own wheel."""

from __future__ import annotations

import fnmatch
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from .. import _tools
from ..author.plugin_yaml import check_yamls, find_yamls, missing_yaml_warning
from ..errors import ConfigError, SourceError
from ..events import Event, Events
from ..targets import BuildTarget, Host, admits, parse_platform, parse_target_python
from ..wagon.writer import ZIP_EPOCH
from ..wheels import WheelInfo, inspect_wheel
from .cache import Cache, key_of
from .config import Options, read_pyproject
from .fingerprint import tree_digest
from .interpreters import find_interpreter


def configured_targets(
    options: Options, host: Host, only: Sequence[str] = (), skip: Sequence[str] = ()
) -> list[BuildTarget]:
    """The cross product of Pythons and platforms, without interpreters (a CI job that plans
    the matrix need not have them), narrowed to the ids `only` matches and `skip` does not."""
    pythons = [parse_target_python(p) for p in options.python] or [(sys.version_info[:2], None)]
    platforms = [parse_platform(p, host) for p in options.platform]
    targets = list(dict.fromkeys(
        BuildTarget(v, p, None, patch or 0) for v, patch in pythons for p in platforms
    ))
    ids = ", ".join(t.id for t in targets)
    for flag, globs in (("--only", only), ("--skip", skip)):
        for glob in globs:
            if not any(fnmatch.fnmatchcase(t.id, glob) for t in targets):
                raise ConfigError(f"{flag} {glob!r} matches none of the targets {ids}",
                                  "fix the pattern; it is matched against those ids")
    kept = [t for t in targets if (not only or any(fnmatch.fnmatchcase(t.id, g) for g in only))
            and not any(fnmatch.fnmatchcase(t.id, g) for g in skip)]
    if not kept:
        raise ConfigError(f"--skip leaves none of the targets {ids}", "skip fewer targets")
    return kept


def plan_targets(
    options: Options, host: Host, env: Mapping[str, str], only: Sequence[str] = ()
) -> list[BuildTarget]:
    """The configured targets (those `only` matches), each with the interpreter that serves it."""
    targets = configured_targets(options, host, only)
    given = {p[0]: p[1] for p in (parse_target_python(p) for p in options.python)}
    pythons = dict.fromkeys(t.python for t in targets)
    interpreters = {v: find_interpreter(v, options.interpreters, env) for v in pythons}
    # Without a patch release, resolve for the interpreter's, so the clean room agrees.
    releases = {v: _tools.python_release(exe, env)[2] for v, exe in interpreters.items()}
    return list(dict.fromkeys(
        replace(t, interpreter=interpreters[t.python],
                patch=releases[t.python] if given.get(t.python) is None else t.patch)
        for t in targets
    ))


def _check_requires_python(plugin: WheelInfo, target: BuildTarget) -> None:
    if admits(plugin.requires_python, target.python) is False:
        raise ConfigError(
            f"{plugin.name} {plugin.version} requires Python {plugin.requires_python},"
            f" target {target.id} is Python {target.python_version}",
            "drop that --python or widen requires-python in pyproject.toml",
        )


def _check_compiles(plugin: WheelInfo, targets: Sequence[BuildTarget], env: Mapping[str, str]) -> None:
    """Every module of the plugin's wheel compiles with each target's interpreter."""
    for version, python in {t.python: t.interpreter for t in targets}.items():
        if python is None:
            continue
        errors = _tools.compile_errors(python, plugin.path, env)
        if errors:
            raise SourceError(
                f"{plugin.path.name} does not compile on Python {version[0]}.{version[1]}:"
                f" {'; '.join(errors)}",
                "fix the module (or drop that --python); agents import it with that Python",
            )


def _extra_files(options: Options) -> list[Path]:
    found = find_yamls(options.project)
    for name in options.files:
        path = options.project / name
        if not path.is_file():
            raise ConfigError(f"extra file {name!r} not found in {options.project}", "fix files=")
        found.append(path)
    return found


@dataclass(frozen=True)
class Source:
    """Which sources a build came from: the tree digest, and git's HEAD when there is one."""

    tree: str
    git: str | None

    @classmethod
    def of(cls, options: Options, env: Mapping[str, str]) -> Source:
        skip = [options.output, options.project / options.locks]
        return cls(tree_digest(options.project, skip=skip), _tools.git_head(options.project, env))

    def as_dict(self) -> dict[str, str | None]:
        return {"git": self.git, "tree": self.tree}


def plugin_wheel(
    options: Options, cache: Cache, env: Mapping[str, str], outdir: Path, on_event: Events,
    source: Source,
) -> Path:
    """The plugin's own wheel, rebuilt only when its sources (or the build tools) changed."""
    tools = _tools.tool_versions()
    key = key_of(
        "plugin-wheel", source.tree,
        env.get("SOURCE_DATE_EPOCH", ""), tools.get("build", ""), tools.get("uv", ""),
    )
    with cache.lock(key):
        cached = cache.get_keyed("plugins", key)
        if cached is not None:
            on_event(Event(f"the plugin's sources are unchanged: reusing {cached.name}"))
            return cached
        on_event(Event(f"building the plugin's wheel from {options.project}"))
        return cache.put_keyed("plugins", key, _tools.build_project_wheel(options.project, outdir, env))


def tool_env(options: Options, env: Mapping[str, str], epoch: int) -> dict[str, str]:
    """The environment of every tool we start: the epoch, and with --offline no index at all."""
    out = {**env, "SOURCE_DATE_EPOCH": str(epoch)}
    if options.offline:
        local = " ".join(str(path) for path in options.indexes.local_dirs)
        out.update({"UV_OFFLINE": "1", "UV_FIND_LINKS": local, "PIP_NO_INDEX": "1"})
    return out


@dataclass(frozen=True)
class Prepared:
    """A project made ready for resolving: targets planned, plugin wheel built and checked."""

    targets: list[BuildTarget]
    cache: Cache
    env: dict[str, str]
    epoch: int
    plugin: WheelInfo
    files: list[Path]
    source: Source

    @property
    def requirements(self) -> list[str]:
        return list(self.plugin.requires_dist)


def prepare(
    options: Options, env: Mapping[str, str], host: Host, workdir: Path, on_event: Events,
    only: Sequence[str] = (),
) -> Prepared:
    targets = plan_targets(options, host, env, only)
    epoch = options.source_date_epoch if options.source_date_epoch is not None else ZIP_EPOCH
    cache = Cache(options.cache_dir)
    files = _extra_files(options)
    _tools.uv_bin()  # resolve it once here, before worker threads ask for it
    for target in targets:
        on_event(Event(f"Python {target.python_full_version} on {target.platform.name}", target.id, "plan"))
    environment = tool_env(options, env, epoch)
    source = Source.of(options, env)
    plugin = inspect_wheel(
        plugin_wheel(options, cache, environment, workdir / "plugin", on_event, source)
    )
    yamls = [f for f in files if f.suffix == ".yaml"]
    naming = check_yamls(yamls, plugin.name, plugin.version)
    warning = missing_yaml_warning(options.project, yamls, naming, plugin.name)
    if warning:
        on_event(Event(f"warning: {warning}"))
    for target in targets:
        _check_requires_python(plugin, target)
    _check_compiles(plugin, targets, environment)
    return Prepared(targets, cache, environment, epoch, plugin, files, source)


def project_requirements(options: Options) -> list[str]:
    """The plugin's declared dependencies, read from pyproject.toml without building it."""
    dependencies = read_pyproject(options.project).get("project", {}).get("dependencies", [])
    return [str(d) for d in dependencies]
