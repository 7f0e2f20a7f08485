"""Plugin YAMLs: read with line numbers, version stamped in place, dumped stably, checked."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

from .errors import ArchiveError, ConfigError
from .wheels import same_name

YAML_NAMES = ("plugin.yaml", "v2_plugin.yaml", "plugin_1_4.yaml", "plugin_1_5.yaml")


def find_yamls(project: Path) -> list[Path]:
    return [project / name for name in YAML_NAMES if (project / name).is_file()]


@contextmanager
def _reading(path: Path) -> Iterator[None]:
    """YAML and encoding errors become one `file:line: why` ConfigError."""
    try:
        yield
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else "?"
        raise ConfigError(f"{path}:{line}: invalid YAML: {exc.problem}", "fix the YAML") from exc
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: invalid YAML: {exc}", "fix the YAML") from exc


def read_text(path: Path) -> str:
    with _reading(path):
        return path.read_text(encoding="utf-8")


def parse(text: str, path: Path) -> dict[str, Any]:
    with _reading(path):
        data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: a plugin YAML must be a mapping", "start it with plugins:")
    return data


def load(path: Path) -> dict[str, Any]:
    return parse(read_text(path), path)


def _child(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value in node.value:
            if key_node.value == key:
                found: yaml.Node = value
                return found
    return None


def stamp_version(text: str, path: Path, version: str) -> str:
    """`text` with every `plugins.*.package_version` set to `'version'`; nothing else moves."""
    with _reading(path):
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    plugins = _child(root, "plugins")
    if not isinstance(plugins, yaml.MappingNode) or not plugins.value:
        line = plugins.start_mark.line + 1 if plugins is not None else 1
        raise ConfigError(
            f"{path}:{line}: a plugin YAML needs a plugins: mapping with at least one plugin",
            "see plugin_1_5.yaml made by plugin-packager new",
        )
    spans = []
    for key_node, entry in plugins.value:
        value = _child(entry, "package_version")
        if value is None:
            raise ConfigError(
                f"{path}:{key_node.start_mark.line + 1}: plugins.{key_node.value} has no"
                " package_version",
                f"add package_version: '{version}' under it",
            )
        spans.append((value.start_mark.index, value.end_mark.index))
    for start, end in sorted(spans, reverse=True):
        text = f"{text[:start]}'{version}'{text[end:]}"
    return text


class _Dumper(yaml.SafeDumper):
    """Block style, lists indented under their key, no anchors: a file people read and diff."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)

    def ignore_aliases(self, data: Any) -> bool:
        return True


class Quoted(str):
    """A string always written in single quotes (`package_version: '1.0'`)."""


def _str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|" if "\n" in data else None)


def _quoted(dumper: yaml.SafeDumper, data: Quoted) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(data), style="'")


_Dumper.add_representer(str, _str)
_Dumper.add_representer(Quoted, _quoted)


def dump(data: dict[str, Any]) -> str:
    """Stable text for `data`, keys in their order, a blank line between top-level sections."""
    text = yaml.dump(
        data, Dumper=_Dumper, sort_keys=False, default_flow_style=False, allow_unicode=True, width=100
    )
    return re.sub(r"\n(?=[^\s#-])", "\n\n", text)


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
