"""The option cascade: defaults < [tool.plugin-packager] < PLUGIN_PACKAGER_* < command line."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.version import InvalidVersion, Version
from platformdirs import user_cache_dir

from .. import _tools
from .._epoch import source_date_epoch
from .._keys import check_keys
from .._names import name_refusal
from .._toml import resource, tomllib
from ..errors import ConfigError
from .indexes import Indexes, Location
from .inputs import InputSettings, parse_overrides

ENV_PREFIX = "PLUGIN_PACKAGER_"
# Set by the build for the pre-build hook, so a hook that runs plugin-packager is not refused.
HOOK_ENV = ("TARGET_IDS", "TARGET_PYTHONS", "TARGET_PLATFORMS")
CREDENTIAL_ENV = ("INDEX_USERNAME", "INDEX_PASSWORD")
FORMATS = ("zip", "tar.gz")


@dataclass(frozen=True)
class Options:
    project: Path
    python: tuple[str, ...]
    platform: tuple[str, ...]
    output: Path
    format: str
    build_tag: str
    legacy_platform_tag: bool
    combine: bool
    files: tuple[str, ...]
    yaml_variants: tuple[str, ...]
    interpreters: tuple[str, ...]
    indexes: Indexes
    cache_dir: Path
    locks: str
    offline: bool
    validate: bool
    source_date_epoch: int | None
    inputs: InputSettings
    pre_build: str
    runners: tuple[str, ...] = ()  # ARCH=LABEL: the CI runner `matrix` gives each architecture
    agent_provides: tuple[str, ...] = ()
    title: str = ""
    description: str = ""
    warnings: tuple[str, ...] = ()  # what the configuration looks wrong in, reported by `build`


TABLE = "plugin-packager"


def misspelled_tables(tool: Mapping[str, Any], path: Path) -> tuple[str, ...]:
    """A [tool.*] table named almost like ours (plugin_packager, pluginpackager…) is ignored:
    say so, since nothing else would."""
    return tuple(
        f"{path}: [tool.{name}] is not read; did you mean [tool.{TABLE}]?"
        for name in tool if name != TABLE and isinstance(name, str)
        and difflib.SequenceMatcher(None, name.lower(), TABLE).ratio() >= 0.8)


def read_pyproject(project: Path) -> dict[str, Any]:
    """The parsed pyproject.toml ({} for a setup.py-only project)."""
    path = project / "pyproject.toml"
    if not path.is_file():
        if (project / "setup.py").is_file():
            return {}
        raise ConfigError(
            f"no Python project in {project}: neither pyproject.toml nor setup.py is there",
            "run plugin-packager in the plugin's root directory or pass it: plugin-packager build DIR",
        )
    try:
        data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}", "fix the file and run again") from exc
    return data


def project_version(project: Path, env: Mapping[str, str]) -> str:
    """The version the plugin's wheel will carry: static in pyproject.toml, else from its backend."""
    metadata = read_pyproject(project).get("project", {})
    if "version" not in metadata or "version" in metadata.get("dynamic", []):
        try:
            return _tools.metadata_version(project, env)
        except _tools.ToolFailure as exc:
            raise ConfigError(
                f"cannot read the version of the project in {project}: {exc.last_lines()}",
                "set [project] version in pyproject.toml",
            ) from exc
    try:
        return str(Version(str(metadata["version"])))
    except InvalidVersion as exc:
        raise ConfigError(
            f"{project / 'pyproject.toml'}: version {metadata['version']!r} is not a PEP 440 version",
            "write it like 1.2.0",
        ) from exc


def _coerce(key: str, value: Any, default: Any, where: str) -> Any:
    if isinstance(default, bool):
        if isinstance(value, str):
            lowered = value.strip().lower()
            if lowered in ("1", "true", "yes", "on"):
                return True
            if lowered in ("0", "false", "no", "off", ""):
                return False
        if isinstance(value, bool):
            return value
    elif isinstance(default, list):
        if isinstance(value, str):
            value = [v for v in value.replace(",", " ").split() if v]
        if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
            return tuple(value)
    elif isinstance(value, str):
        return _build_tag(value, where) if key == "build-tag" else value
    kind = type(default).__name__ if not isinstance(default, list) else "list of strings"
    raise ConfigError(f"{where}: {key} must be a {kind}, got {value!r}", f"set {key} to a {kind}")


def _build_tag(value: str, where: str) -> str:
    """Part of every wagon's file name (and of a site's tab-separated state): plain, or none."""
    refusal = name_refusal(value, where, "build-tag") if value else None
    if refusal:
        raise ConfigError(refusal, "write it like centos-Core: letters, digits, '-', '_' or '.'")
    return value


def load_options(
    project: Path,
    env: Mapping[str, str],
    cli: Mapping[str, Any] | None = None,
    cwd: Path | None = None,
) -> Options:
    """Merge the four layers; `env` is passed in so tests can hand over {}.

    Relative paths from the command line are relative to `cwd` (default: the project), those in
    pyproject.toml or the environment to the project.
    """
    defaults = resource("defaults.toml")
    pyproject = read_pyproject(project)
    tool = pyproject.get("tool", {})
    table = tool.get(TABLE, {}) if isinstance(tool, dict) else {}
    where = f"{project / 'pyproject.toml'} [tool.plugin-packager]"
    if not isinstance(table, dict):
        raise ConfigError(f"{where} must be a table", "write it as [tool.plugin-packager]")
    check_keys(table, defaults, where)
    overrides = parse_overrides(table.get("targets", {}), where)
    table = {k: v for k, v in table.items() if k != "targets"}
    defaults = {k: v for k, v in defaults.items() if k != "targets"}
    merged = {k: _coerce(k, v, v, "defaults") for k, v in defaults.items()}
    merged.update({k: _coerce(k, v, defaults[k], where) for k, v in table.items()})
    env_keys = {ENV_PREFIX + k.upper().replace("-", "_"): k for k in defaults}
    reserved = (ENV_PREFIX + name for name in ("CACHE", *HOOK_ENV, *CREDENTIAL_ENV))
    env_known = [*env_keys, *reserved]
    given_by_user: set[str] = set()
    for name, value in env.items():
        if name.startswith(ENV_PREFIX) and name not in env_known:
            check_keys({name: value}, dict.fromkeys(env_known), "the environment")
        if name in env_keys:
            key = env_keys[name]
            merged[key] = _coerce(key, value, defaults[key], f"environment variable {name}")
            given_by_user.add(key)
    cli = dict(cli or {})
    cli_base = cwd or project
    cache = cli.pop("cache-dir", None)
    cache = (cli_base / cache) if cache else env.get(ENV_PREFIX + "CACHE")
    for key, given in cli.items():
        if key not in defaults:
            raise ConfigError(f"unknown option {key!r}", "see plugin-packager build --help")
        if isinstance(given, Path):
            given = str(given if given.is_absolute() else cli_base / given)
        if key == "find-links" and given:
            given = [str(Location.parse(str(v), cli_base)) for v in given]
        if key in ("requirements", "constraints") and given:
            given = [str(cli_base / v) for v in given]
        if given not in (None, (), []):
            merged[key] = _coerce(key, given, defaults[key], f"option --{key}")
            given_by_user.add(key)
    if merged["format"] not in FORMATS:
        raise ConfigError(
            f"unknown archive format {merged['format']!r}", f"use one of {', '.join(FORMATS)}"
        )
    epoch = source_date_epoch(env)
    output = Path(merged["output"])
    return Options(
        project=project,
        python=merged["python"],
        platform=merged["platform"],
        output=output if output.is_absolute() else project / output,
        format=merged["format"],
        build_tag=merged["build-tag"],
        legacy_platform_tag=merged["legacy-platform-tag"],
        combine=merged["combine"],
        files=merged["files"],
        yaml_variants=merged["yaml-variants"],
        interpreters=merged["interpreters"],
        indexes=Indexes.parse(
            merged["index-url"], merged["extra-index-url"], merged["find-links"], project, env
        ),
        cache_dir=Path(cache).expanduser() if cache else Path(user_cache_dir("plugin-packager")),
        locks=merged["locks"],
        offline=merged["offline"],
        validate=merged["validate"],
        source_date_epoch=epoch,
        inputs=InputSettings(
            merged["requirements"], merged["constraints"], merged["exclude"],
            # Per-target tables refine pyproject.toml; the environment and flags beat them.
            tuple((glob, {k: v for k, v in values.items() if k not in given_by_user})
                  for glob, values in overrides),
        ),
        pre_build=merged["pre-build"],
        runners=merged["runners"],
        agent_provides=merged["agent-provides"],
        title=merged["title"],
        description=merged["description"],
        warnings=misspelled_tables(tool if isinstance(tool, dict) else {},
                                   project / "pyproject.toml"),
    )
