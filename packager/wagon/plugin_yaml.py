"""Plugin YAMLs: read with line numbers, version stamped in place, dumped stably, checked."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..errors import ConfigError, MismatchError
from ..wheels import same_name

YAML_NAMES = ("plugin.yaml", "v2_plugin.yaml", "plugin_1_4.yaml", "plugin_1_5.yaml")
# A plugin YAML (types, mappings) is tens of KB; these stop aliases that multiply ("billion laughs")
# and nesting that exhausts the composer's recursion, and they leave the largest real ones 10x room.
MAX_BYTES = 4 * 1024 * 1024
MAX_NODES = 200_000  # after expanding aliases, as a manager and our dumper do
MAX_DEPTH = 100
PLAIN_YAML = "plugin.yaml"  # the DSL 1_3 file: every manager reads it; the catalogs link it


def find_yamls(project: Path) -> list[Path]:
    return [project / name for name in YAML_NAMES if (project / name).is_file()]


class _Refused(yaml.MarkedYAMLError):
    """A document past a bound; `hint` says what to change."""

    def __init__(self, problem: str, mark: Any, hint: str) -> None:
        super().__init__(problem=problem, problem_mark=mark)
        self.hint = hint


class _Loader(yaml.SafeLoader):
    """SafeLoader that counts nodes as it composes them, each alias as the nodes it stands for,
    and refuses a document past MAX_NODES or MAX_DEPTH, or an alias inside its own anchor."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._count = 0
        self._depth = 0
        self._deepest = 0
        self._shapes: dict[yaml.Node, tuple[int, int]] = {}  # anchored node: (nodes, height)

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent):
            node = super().compose_node(parent, index)
            shape = self._shapes.get(node) if node else None
            if shape is None:
                raise _Refused(f"alias *{event.anchor} is inside its own anchor", event.start_mark,
                               "write the value out: a recursive YAML cannot be expanded")
            self._grow(shape[0], self._depth + shape[1], event.start_mark)
            return node
        level = self._depth + 1
        self._grow(1, level, event.start_mark)
        start, outer = self._count, self._deepest
        self._depth = self._deepest = level
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth = level - 1
        if event.anchor is not None and node is not None:
            self._shapes[node] = (self._count - start + 1, self._deepest - level + 1)
        self._deepest = max(outer, self._deepest)
        return node

    def _grow(self, nodes: int, depth: int, mark: Any) -> None:
        self._count += nodes
        self._deepest = max(self._deepest, depth)
        if self._count > MAX_NODES:
            raise _Refused(f"aliases expand to more than {MAX_NODES:,} nodes", mark,
                           "use fewer, smaller anchors: every alias is expanded")
        if depth > MAX_DEPTH:
            raise _Refused(f"nests deeper than {MAX_DEPTH} levels", mark, "flatten the YAML")


@contextmanager
def _reading(path: Path | str) -> Iterator[None]:
    """YAML and encoding errors become one `file:line: why` ConfigError (`path` may be a label)."""
    try:
        yield
    except _Refused as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else "?"
        raise ConfigError(f"{path}:{line}: refused: {exc.problem}", exc.hint) from exc
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else "?"
        raise ConfigError(f"{path}:{line}: invalid YAML: {exc.problem}", "fix the YAML") from exc
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: invalid YAML: {exc}", "fix the YAML") from exc


def read_text(path: Path, label: str | None = None) -> str:
    """The file's text, refused unread past MAX_BYTES."""
    with _reading(label or path), path.open("rb") as file:
        data = file.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise ConfigError(f"{label or path}: refused: larger than {MAX_BYTES:,} bytes",
                              "a plugin YAML holds types and mappings: move data out of it")
        return data.decode("utf-8")


def parse(text: str, path: Path | str) -> dict[str, Any]:
    with _reading(path):
        data = yaml.load(text, Loader=_Loader)  # a SafeLoader, bounded
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: a plugin YAML must be a mapping", "start it with plugins:")
    return data


def load(path: Path, label: str | None = None) -> dict[str, Any]:
    """The YAML as a mapping; errors name `label` (default: the path) and the line."""
    return parse(read_text(path, label), label or path)


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
        root = yaml.compose(text, Loader=_Loader)
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


def plugins_of(data: dict[str, Any], label: str) -> dict[str, Any]:
    plugins = data.get("plugins") or {}
    if not isinstance(plugins, dict):
        raise ConfigError(f"{label}: plugins: must be a mapping", "see SPEC §4")
    return plugins


def check_plugins(data: dict[str, Any], label: str, name: str, version: str) -> int:
    """Every `plugins:` entry must name the plugin's wheel, at its version; how many do."""
    filename = Path(label).name
    entries = plugins_of(data, label)
    for key, plugin in entries.items():
        if not isinstance(plugin, dict):
            continue
        found_name = str(plugin.get("package_name", ""))
        found_version = str(plugin.get("package_version", ""))
        if not same_name(found_name, name):
            raise MismatchError(
                f"{label}: plugins.{key}.package_name is {found_name!r}"
                f" but the built wheel is {name!r}",
                f"set package_name: {name} in {filename}",
            )
        if found_version != version:
            raise MismatchError(
                f"{label}: plugins.{key}.package_version is {found_version!r}"
                f" but the built wheel is {version!r}",
                f"set package_version: '{version}' in {filename}",
            )
    return sum(isinstance(p, dict) for p in entries.values())


def check_yamls(paths: Sequence[Path], name: str, version: str) -> list[Path]:
    """The YAMLs whose `plugins:` name the package (MismatchError when one names it wrongly)."""
    return [path for path in paths if check_plugins(load(path), str(path), name, version)]


def missing_yaml_warning(project: Path, paths: Sequence[Path], naming: Sequence[Path],
                         name: str) -> str | None:
    """Why a manager could not upload this plugin's wagon, or None when it could."""
    if naming and not any(p.name == PLAIN_YAML for p in naming):
        return (f"no {PLAIN_YAML} in {project} (only {', '.join(p.name for p in naming)}): the"
                " catalogs' `link` is null and managers before DSL 1_4 cannot use the plugin;"
                " generate it with `plugin-packager yaml`")
    if naming:
        return None
    what = (f"no plugin YAML ({', '.join(YAML_NAMES)}) in {project}" if not paths else
            f"no plugins: entry with package_name {name} in {', '.join(p.name for p in paths)}")
    return (f"{what}: a manager cannot upload the wagon without one"
            " (`plugin-packager new` shows a complete project)")


@dataclass(frozen=True)
class Operation:
    """One `<plugin key>.<module path>.<function>` mapping and where the YAML holds it."""

    where: str
    mapping: str
    module: str
    function: str
    executor: str = ""  # where it runs: the operation's `executor:`, else its plugin's


def _interfaces(owner: str, interfaces: Any, keys: dict[str, str]) -> Iterator[Operation]:
    if not isinstance(interfaces, dict):
        return
    for iface, ops in interfaces.items():
        for op, value in (ops.items() if isinstance(ops, dict) else ()):
            yield from _mapping(f"{owner}.{iface}.{op}", value, "implementation", keys)


def _mapping(where: str, value: Any, field: str, keys: dict[str, str],
             runs_in: str | None = None) -> Iterator[Operation]:
    text = value.get(field) if isinstance(value, dict) else value
    if not isinstance(text, str):
        return
    key, _, path = text.strip().partition(".")
    if key not in keys:
        return  # another plugin's operation, or a script path
    module, _, function = path.rpartition(".")
    own = value.get("executor") if isinstance(value, dict) else None
    executor = runs_in or (own if isinstance(own, str) else keys[key])
    yield Operation(where, text.strip(), module, function, executor)


def operations(data: dict[str, Any], label: str) -> list[Operation]:
    """Mappings that point into this YAML's own plugins: node types, relationships, workflows."""
    plugins = plugins_of(data, label)
    keys = {key: str(p.get("executor") or "") if isinstance(p, dict) else ""
            for key, p in plugins.items()}
    found: list[Operation] = []
    for section, fields in (("node_types", ("interfaces",)),
                            ("relationships", ("source_interfaces", "target_interfaces"))):
        types = data.get(section)
        for name, body in (types.items() if isinstance(types, dict) else ()):
            for field in fields:
                if isinstance(body, dict):
                    found += _interfaces(f"{section}.{name}.{field}", body.get(field), keys)
    workflows = data.get("workflows")
    for name, body in (workflows.items() if isinstance(workflows, dict) else ()):
        # Workflows run in the manager's mgmtworker whatever their plugin's executor.
        found += _mapping(f"workflows.{name}", body, "mapping", keys, "central_deployment_agent")
    return found


def _top_level(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements that run at import time, through if/try/with blocks but not into defs."""
    for node in body:
        yield node
        for name in ("body", "orelse", "finalbody"):
            if isinstance(node, (ast.If, ast.Try, ast.With)) and hasattr(node, name):
                yield from _top_level(getattr(node, name))
        for handler in getattr(node, "handlers", []):
            yield from _top_level(handler.body)


def static_binding(source: bytes, function: str) -> str | None:
    """How a module binds `function` at its top level: def, class, assignment, import, star
    import (undecidable), or None. SyntaxError when the source does not parse."""
    kinds: list[str] = []
    for node in _top_level(ast.parse(source).body):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == function:
            kinds.append("def")
        elif isinstance(node, ast.ClassDef) and node.name == function:
            kinds.append("class")
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == function for t in targets):
                kinds.append("assignment")
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.name == "*":
                    kinds.append("star import")
                elif (alias.asname or alias.name.split(".")[0]) == function:
                    kinds.append("import")
    order = ("def", "class", "assignment", "import", "star import")
    return min(kinds, key=order.index) if kinds else None
