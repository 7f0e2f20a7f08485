"""`yaml`: one version in every plugin YAML, and the older DSL variants generated from the newest.

plugin_1_5.yaml (or plugin_1_4.yaml) is the source of truth. From it:
plugin_1_4.yaml drops what cloudify_dsl_1_5 added; v2_plugin.yaml is 1_3-safe but keeps the labels
that 5.1+ managers read; plugin.yaml is v2_plugin.yaml without labels, for every manager.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._files import replace_atomically
from ..errors import ConfigError
from ..wagon.plugin_yaml import Quoted, dump, parse, read_text, stamp_version

Doc = dict[str, Any]
SOURCES = ("plugin_1_5.yaml", "plugin_1_4.yaml")
GENERATED = ("plugin_1_4.yaml", "v2_plugin.yaml", "plugin.yaml")
# Newest first: a manager takes *_<dsl>.yaml, else the highest lower one, else plugin.yaml.
ORDER = ("plugin_1_5.yaml", "plugin_1_4.yaml", "v2_plugin.yaml", "plugin.yaml")
OBJECT_TYPES_1_4 = frozenset({
    "blueprint_id", "deployment_id", "capability_value", "scaling_group", "node_id", "node_type",
    "node_instance", "secret_key",
})
OBJECT_TYPES_1_5 = frozenset({"operation_name"})
# textarea is newer than any 1_3 manager; its `display` hint goes with it.
TYPES_NOT_1_3 = OBJECT_TYPES_1_4 | OBJECT_TYPES_1_5 | {"textarea"}
# Constraints that only apply to object types, so they go when the type becomes a string.
OBJECT_CONSTRAINTS = frozenset({"filter_id", "labels", "tenants", "name_pattern", "deployment_id"})
LABELS = ("blueprint_labels", "labels")


def _maps(value: Any) -> Iterator[Doc]:
    """The mapping values of a mapping (skipping anything else a hand-written file may hold)."""
    if isinstance(value, dict):
        yield from (v for v in value.values() if isinstance(v, dict))


def _schemas(doc: Doc) -> Iterator[Doc]:
    """Every property, input and parameter declaration (the mappings that carry `type:`)."""
    for section in ("node_types", "data_types", "relationships", "policy_types"):
        for type_def in _maps(doc.get(section)):
            yield from _maps(type_def.get("properties"))
            for interfaces in ("interfaces", "source_interfaces", "target_interfaces"):
                for interface in _maps(type_def.get(interfaces)):
                    for operation in _maps(interface):
                        yield from _maps(operation.get("inputs"))
    for section, key in (("workflows", "parameters"), ("policy_triggers", "parameters")):
        for entry in _maps(doc.get(section)):
            yield from _maps(entry.get(key))
    yield from _maps(doc.get("inputs"))


def _to_string(schema: Doc, types: frozenset[str]) -> None:
    if schema.get("type") not in types:
        return
    schema["type"] = "string"
    schema.pop("display", None)
    if isinstance(schema.get("constraints"), list):
        schema["constraints"] = [
            c for c in schema["constraints"]
            if not (isinstance(c, dict) and OBJECT_CONSTRAINTS & c.keys())
        ]
        if not schema["constraints"]:
            del schema["constraints"]


def to_1_4(doc: Doc) -> Doc:
    """Without plugin properties, runtime_properties, operation_name and constraint extras."""
    out = copy.deepcopy(doc)
    for plugin in _maps(out.get("plugins")):
        plugin.pop("properties", None)
        plugin.pop("properties_description", None)
    for node_type in _maps(out.get("node_types")):
        node_type.pop("runtime_properties", None)
    for schema in _schemas(out):
        _to_string(schema, OBJECT_TYPES_1_5)
        if isinstance(schema.get("constraints"), list):
            # 1_5 lets a constraint carry error_message beside its operator; 1_4 takes one key.
            schema["constraints"] = [
                {k: v for k, v in c.items() if k != "error_message"} if isinstance(c, dict) else c
                for c in schema["constraints"]
            ]
    return out


def to_v2(doc: Doc) -> Doc:
    """1_3-safe: object types as strings, no item_type or display_label; labels kept."""
    out = to_1_4(doc)
    for schema in _schemas(out):
        _to_string(schema, TYPES_NOT_1_3)
        for key in ("item_type", "display_label"):
            schema.pop(key, None)
    for workflow in _maps(out.get("workflows")):
        workflow.pop("availability_rules", None)
    return out


def to_1_3(doc: Doc) -> Doc:
    """plugin.yaml: v2_plugin.yaml without the labels pre-5.1 managers refuse."""
    out = to_v2(doc)
    for key in LABELS:
        out.pop(key, None)
    return out


TRANSFORMS: dict[str, Callable[[Doc], Doc]] = {
    "plugin_1_4.yaml": to_1_4, "v2_plugin.yaml": to_v2, "plugin.yaml": to_1_3,
}


def _quote_versions(doc: Doc) -> Doc:
    for plugin in _maps(doc.get("plugins")):
        if "package_version" in plugin:
            plugin["package_version"] = Quoted(plugin["package_version"])
    return doc


def generated_text(source_name: str, doc: Doc, name: str) -> str:
    header = (
        f"# Generated from {source_name} by `plugin-packager yaml`:"
        " edit that file and run it again.\n"
    )
    return header + dump(_quote_versions(TRANSFORMS[name](doc)))


@dataclass(frozen=True)
class YamlFile:
    """One plugin YAML: what it holds now (None: missing) and what it should hold."""

    path: Path
    current: str | None
    expected: str
    source: str | None  # the file it is generated from; None for a file that is only stamped

    @property
    def stale(self) -> bool:
        return self.current != self.expected

    def first_difference(self) -> int:
        """1-based number of the first line that differs."""
        old = (self.current or "").splitlines()
        new = self.expected.splitlines()
        differing = (i + 1 for i, (a, b) in enumerate(zip(old, new)) if a != b)
        return next(differing, min(len(old), len(new)) + 1)

    def describe(self) -> str:
        if self.current is None:
            return f"{self.path}: missing (generated from {self.source})"
        why = f"differs from what {self.source} generates" if self.source else "has another version"
        return f"{self.path}:{self.first_difference()}: stale: {why}"


def plan(project: Path, version: str, variants: Sequence[str]) -> list[YamlFile]:
    """Every plugin YAML of `project` as it should be: stamped with `version`, variants made."""
    unknown = [v for v in variants if v not in GENERATED]
    if unknown:
        raise ConfigError(
            f"unknown plugin YAML variant {unknown[0]!r} in yaml-variants",
            f"choose from {', '.join(GENERATED)}",
        )
    present = {name: read_text(project / name) for name in ORDER if (project / name).is_file()}
    if not present:
        raise ConfigError(
            f"no plugin YAML in {project} (looked for {', '.join(ORDER)})",
            "write plugin_1_5.yaml; `plugin-packager new` shows one",
        )
    source = next((name for name in SOURCES if name in present), None)
    below = ORDER[ORDER.index(source) + 1:] if source else ()
    generated = [name for name in below if name in variants]
    files = {
        name: YamlFile(project / name, text, stamp_version(text, project / name, version), None)
        for name, text in present.items()
        if name not in generated
    }
    if source is not None:
        doc = parse(files[source].expected, project / source)
        for name in generated:
            text = generated_text(source, doc, name)
            files[name] = YamlFile(project / name, present.get(name), text, source)
    return [files[name] for name in ORDER if name in files]


def write(files: Sequence[YamlFile]) -> list[Path]:
    """Write the stale files; returns their paths."""
    written = []
    for file in files:
        if file.stale:
            replace_atomically(file.expected.encode("utf-8"), file.path)
            written.append(file.path)
    return written
