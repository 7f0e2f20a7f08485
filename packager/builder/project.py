"""What every command needs from a plugin project: its targets, cache, tool environment, own wheel."""

from __future__ import annotations

import fnmatch
import sys
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from .. import _installers, _tools
from .._files import sha256_of
from .._tree import tree_digest, working_copy
from ..cache import Cache, key_of
from ..errors import ConfigError, SourceError
from ..events import Event
from ..interpreters import find_interpreter
from ..targets import BuildTarget, Host, admits, parse_platform, parse_target_python
from ..wagon.plugin_yaml import check_yamls, find_yamls, load, missing_yaml_warning
from ..wagon.writer import ZIP_EPOCH
from ..wheels import WheelInfo, inspect_wheel
from .config import Options, read_pyproject
from .context import BuildContext
from .hook import hook_commands, run_hooks
from .indexes import Indexes
from .inputs import TargetInputs
from .resolution import Request


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


def _check_compiles(
    plugin: WheelInfo, targets: Sequence[BuildTarget], env: Mapping[str, str], cache: Cache,
) -> None:
    """Every module of the plugin's wheel compiles with each target's interpreter; a wheel that
    compiled once with an interpreter is not asked again."""
    for version, python in {t.python: t.interpreter for t in targets}.items():
        if python is None:
            continue
        release = ".".join(map(str, _tools.python_release(python, env)))
        key = key_of("compiles", sha256_of(plugin.path), str(python), release)
        if cache.marked("compiled", key):
            continue
        errors = _installers.compile_errors(python, plugin.path, env)
        if not errors:
            cache.mark("compiled", key)
        else:
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


def dynamic_dependencies(project: Path) -> bool:
    """True when the building Python computes the plugin's Requires-Dist: a setup.py project
    (no [project] table), or `dependencies` listed in [project] dynamic."""
    table = read_pyproject(project).get("project")
    return not isinstance(table, dict) or "dependencies" in table.get("dynamic", [])


def plugin_wheel(
    tree: Path, digest: str, context: BuildContext, *, interpreter: Path | None = None,
    project: Path | None = None,
) -> Path:
    """The plugin's wheel built from `tree` (a copy of `project`, its tree digest `digest`) into
    the context's work directory, rebuilt only when those sources (or the build tools) changed;
    with `interpreter`, built by that Python."""
    cache, env, on_event = context.cache, context.env, context.on_event
    tools = _tools.tool_versions()
    key = key_of(
        "plugin-wheel", digest,
        env.get("SOURCE_DATE_EPOCH", ""), tools.get("build", ""), tools.get("uv", ""),
        str(interpreter or ""),
    )
    with cache.lock(key):
        cached = cache.get_keyed("plugins", key)
        if cached is not None:
            on_event(Event(f"the plugin's sources are unchanged: reusing {cached.name}"))
            return cached
        by = f" with {interpreter}" if interpreter else ""
        on_event(Event(f"building the plugin's wheel from {project or tree}{by}"))
        wheel = _tools.build_project_wheel(tree, context.workdir, env, interpreter, project)
        return cache.put_keyed("plugins", key, wheel)


def plugin_wheels(
    options: Options, targets: Sequence[BuildTarget], context: BuildContext, *,
    plugin_builder: ThreadPoolExecutor,
) -> dict[tuple[int, int], Future[WheelInfo]]:
    """The plugin's wheel for each target Python, checked for it (Requires-Python, compiling),
    built from a copy of the project the pre-build hook ran in for that Python (one copy for
    all when there is no hook): by that Python when its setup.py computes the Requires-Dist.
    Pythons whose copies are the same share a wheel, unless their Requires-Dist differ. The
    lowest Python's is built at once, the others one after another by `plugin_builder` while
    the first target resolves."""
    env, cache, on_event = context.env, context.cache, context.on_event
    pythons = sorted({t.python for t in targets})
    dynamic = dynamic_dependencies(options.project)
    interpreters = {t.python: t.interpreter for t in targets}
    missing = next((p for p in pythons if interpreters[p] is None), None)
    if dynamic and missing is not None:
        raise ConfigError(
            f"no Python {missing[0]}.{missing[1]} to evaluate the plugin's setup.py with",
            "install it (pyenv install) or pass --interpreter",
        )
    hooked = bool(hook_commands(options.project, options.pre_build))
    skip = [options.output, options.project / options.locks, options.cache_dir]
    trees: dict[str, tuple[Path, str]] = {}  # by copy name: the copy and its digest
    built: list[tuple[str, WheelInfo]] = []  # one worker: each Python sees the wheels before it

    def tree(python: tuple[int, int]) -> tuple[Path, str]:
        name = f"project-{python[0]}.{python[1]}" if hooked else "project"
        if name not in trees:
            copy = working_copy(options.project, context.workdir / name, skip)
            mine = [t for t in targets if t.python == python]
            run_hooks(copy, options, mine, env, on_event)
            trees[name] = (copy, tree_digest(copy))
        return trees[name]

    def build(python: tuple[int, int]) -> WheelInfo:
        with context.cores.one():  # alongside the first target's sdist builds, when hooked
            return _build(python)

    def _build(python: tuple[int, int]) -> WheelInfo:
        copy, digest = tree(python)
        info = next((w for d, w in built if d == digest and not dynamic), None)
        if info is None:
            info = inspect_wheel(plugin_wheel(
                copy, digest, context.under(f"plugin-{python[0]}.{python[1]}"),
                interpreter=interpreters[python] if dynamic else None, project=options.project))
            same = (w for d, w in built if d == digest and w.normal_requires == info.normal_requires)
            info = next(same, info)
            built.append((digest, info))
        mine = [t for t in targets if t.python == python]
        for target in mine:
            _check_requires_python(info, target)
        _check_compiles(info, mine, env, cache)
        return info

    if not hooked and not dynamic:  # one wheel for all: checked for every Python at once
        return {p: _done(build(p)) for p in pythons}
    first = _done(build(pythons[0]))
    return {pythons[0]: first, **{p: plugin_builder.submit(build, p) for p in pythons[1:]}}


def _done(info: WheelInfo) -> Future[WheelInfo]:
    future: Future[WheelInfo] = Future()
    future.set_result(info)
    return future


def tool_env(options: Options, env: Mapping[str, str], epoch: int) -> dict[str, str]:
    """The environment of every tool we start: the epoch, and with --offline no index at all.
    It holds no credential and no path to one: the hook, uv and every setup.py they run see it;
    uv alone reads the credentials, from the config file compile_lock hands it."""
    out = options.indexes.without_credentials(env)
    out["SOURCE_DATE_EPOCH"] = str(epoch)
    if options.offline:
        local = " ".join(str(path) for path in options.indexes.local_dirs)
        out.update({"UV_OFFLINE": "1", "UV_FIND_LINKS": local, "PIP_NO_INDEX": "1"})
    return out


@dataclass(frozen=True)
class Prepared:
    """A project made ready for resolving: targets planned, the plugin wheel of the lowest
    target Python built and checked, the others coming (their errors raised when asked for)."""

    targets: list[BuildTarget]
    context: BuildContext  # its env is the tools' (tool_env), its workdir the build's scratch
    epoch: int
    plugins: Mapping[tuple[int, int], Future[WheelInfo]]
    files: list[Path]
    inputs: Mapping[str, TargetInputs]
    source: Source
    plugin_builder: ThreadPoolExecutor | None = None  # builds the other Pythons' plugin wheels

    def close(self) -> None:
        """Wait for the plugin builds still running, drop those not started."""
        if self.plugin_builder is not None:
            self.plugin_builder.shutdown(cancel_futures=True)

    @property
    def plugin(self) -> WheelInfo:
        """The plugin wheel of the lowest target Python (name and version are the same in all)."""
        return self.plugins[min(self.plugins)].result()

    def plugin_for(self, target: BuildTarget) -> WheelInfo:
        return self.plugins[target.python].result()

    def requirements(self, target: BuildTarget) -> list[str]:
        """The plugin's Requires-Dist for the target's Python, then its extra requirements."""
        own = list(self.plugin_for(target).requires_dist)
        return own + [r for r in self.inputs[target.id].requirements if r not in own]

    def request(self, target: BuildTarget, workdir: Path, indexes: Indexes, host: Host) -> Request:
        """What resolving `target` takes: its requirements and inputs, this build's cache and
        tool environment."""
        return Request(target, self.requirements(target), workdir, indexes, self.context.env,
                       host, self.context.cache, self.inputs[target.id])

    def locked_for(self, target: BuildTarget) -> list[str]:
        """What a lock records it answers: requirements, constraints and exclusions."""
        return self.requirements(target) + self.inputs[target.id].record()


def prepare(options: Options, context: BuildContext, only: Sequence[str] = ()) -> Prepared:
    """The project made ready (see Prepared); `context` carries the caller's environment, the
    Prepared one the tools' environment made of it."""
    env, host, on_event = context.env, context.host, context.on_event
    files = _extra_files(options)
    yamls = [f for f in files if f.suffix == ".yaml"]
    for path in yamls:
        load(path)  # unreadable, or past the bounds: refused before any work
    targets = plan_targets(options, host, env, only)
    epoch = options.source_date_epoch if options.source_date_epoch is not None else ZIP_EPOCH
    inputs = {t.id: options.inputs.for_target(t.id, options.project) for t in targets}
    _tools.uv_bin()  # resolve it once here, before worker threads ask for it
    for target in targets:
        on_event(Event(f"Python {target.python_full_version} on {target.platform.name}", target.id, "plan"))
    tools = replace(context, env=tool_env(options, env, epoch))
    source = Source.of(options, env)
    plugin_builder = ThreadPoolExecutor(1, thread_name_prefix="plugin-wheels")
    try:
        plugins = plugin_wheels(options, targets, tools, plugin_builder=plugin_builder)
        first = plugins[min(plugins)].result()
        naming = check_yamls(yamls, first.name, first.version)
    except BaseException:
        plugin_builder.shutdown(cancel_futures=True)
        raise
    warning = missing_yaml_warning(options.project, yamls, naming, first.name)
    for text in (*options.warnings, *([warning] if warning else [])):
        on_event(Event(f"warning: {text}"))
    return Prepared(targets, tools, epoch, plugins, files, inputs, source, plugin_builder)


def project_requirements(options: Options) -> list[str]:
    """The plugin's declared dependencies, read from pyproject.toml without building it."""
    dependencies = read_pyproject(options.project).get("project", {}).get("dependencies", [])
    return [str(d) for d in dependencies]
