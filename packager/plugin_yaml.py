"""Plugin YAMLs: found in the project, read with line numbers, checked against the built wheel."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from .errors import ArchiveError, ConfigError
from .wheels import same_name

YAML_NAMES = ("plugin.yaml", "v2_plugin.yaml", "plugin_1_4.yaml", "plugin_1_5.yaml")


def find_yamls(project: Path) -> list[Path]:
    return [project / name for name in YAML_NAMES if (project / name).is_file()]


def load(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else "?"
        raise ConfigError(f"{path}:{line}: invalid YAML: {exc.problem}", "fix the YAML") from exc
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: invalid YAML: {exc}", "fix the YAML") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: a plugin YAML must be a mapping", "start it with plugins:")
    return data


def check_yamls(paths: Sequence[Path], name: str, version: str) -> None:
    """Every `plugins:` entry must name the wheel that was built, at its version."""
    for path in paths:
        plugins = load(path).get("plugins") or {}
        if not isinstance(plugins, dict):
            raise ConfigError(f"{path}: plugins: must be a mapping", "see SPEC §4")
        for key, plugin in plugins.items():
            if not isinstance(plugin, dict):
                continue
            found_name = str(plugin.get("package_name", ""))
            found_version = str(plugin.get("package_version", ""))
            if not same_name(found_name, name):
                raise ArchiveError(
                    f"{path}: plugins.{key}.package_name is {found_name!r}"
                    f" but the built wheel is {name!r}",
                    f"set package_name: {name} in {path.name}",
                )
            if found_version != version:
                raise ArchiveError(
                    f"{path}: plugins.{key}.package_version is {found_version!r}"
                    f" but the built wheel is {version!r}",
                    f"set package_version: '{version}' in {path.name}",
                )
