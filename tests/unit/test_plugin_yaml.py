from __future__ import annotations

from pathlib import Path

import pytest

from packager.errors import ConfigError, MismatchError
from packager.wagon.plugin_yaml import (
    MAX_BYTES,
    MAX_DEPTH,
    MAX_NODES,
    Quoted,
    check_yamls,
    dump,
    find_yamls,
    load,
    operations,
    parse,
    stamp_version,
    static_binding,
)

from ..yamls import HEAD, laughs, nested

YAML = """plugins:
  hello:
    executor: central_deployment_agent
    package_name: {name}
    package_version: {version}
"""


def write(tmp_path: Path, name: str = "hello-plugin", version: str = "'1.0.0'") -> Path:
    path = tmp_path / "plugin.yaml"
    path.write_text(YAML.format(name=name, version=version))
    return path


def test_matching_yaml_passes(tmp_path: Path) -> None:
    check_yamls([write(tmp_path, name="hello_plugin")], "hello-plugin", "1.0.0")
    assert find_yamls(tmp_path) == [tmp_path / "plugin.yaml"]


def test_version_mismatch_names_file_key_and_fix(tmp_path: Path) -> None:
    with pytest.raises(MismatchError, match=r"plugin.yaml: plugins.hello.package_version is '0.9'") as info:
        check_yamls([write(tmp_path, version="'0.9'")], "hello-plugin", "1.0.0")
    assert info.value.hint == "set package_version: '1.0.0' in plugin.yaml"


def test_unquoted_float_version_is_still_compared_as_text(tmp_path: Path) -> None:
    with pytest.raises(MismatchError, match=r"'1\.0' but the built wheel is '1\.0\.0'"):
        check_yamls([write(tmp_path, version="1.0")], "hello-plugin", "1.0.0")


def test_name_mismatch(tmp_path: Path) -> None:
    with pytest.raises(MismatchError, match="package_name is 'other'"):
        check_yamls([write(tmp_path, name="other")], "hello-plugin", "1.0.0")


def test_broken_yaml_points_at_the_line(tmp_path: Path) -> None:
    path = tmp_path / "plugin.yaml"
    path.write_text("plugins:\n  hello:\n    package_name: [unclosed\n    x: 1\n")
    with pytest.raises(ConfigError, match=r"plugin.yaml:\d+: invalid YAML"):
        check_yamls([path], "hello-plugin", "1.0.0")


OPERATIONS = """plugins:
  hello: {executor: central_deployment_agent, package_name: hello-plugin, package_version: '1'}
node_types:
  hello.Node:
    interfaces:
      cloudify.interfaces.lifecycle:
        create: hello.hello_plugin.tasks.create
        start: {implementation: hello.hello_plugin.deep.module.start, inputs: {}}
        stop: script.script_runner.tasks.run
        delete: scripts/delete.sh
        configure: {}
relationships:
  hello.Rel:
    source_interfaces:
      cloudify.interfaces.relationship_lifecycle:
        preconfigure: hello.hello_plugin.rel.pre
workflows:
  hello_wf: {mapping: hello.hello_plugin.workflows.run, parameters: {}}
  broken: hello.nomodule
"""


def test_operations_are_this_yamls_own_mappings(tmp_path: Path) -> None:
    path = tmp_path / "plugin.yaml"
    path.write_text(OPERATIONS)
    found = {(op.module, op.function) for op in operations(load(path), "plugin.yaml")}
    assert found == {
        ("hello_plugin.tasks", "create"), ("hello_plugin.deep.module", "start"),
        ("hello_plugin.rel", "pre"), ("hello_plugin.workflows", "run"), ("", "nomodule"),
    }


SOURCE = b"""
import os
from .impl import started as start
from .more import *
try:
    from fast import speedy
except ImportError:
    def speedy(): pass
if os.name:
    class Task: pass
handler = lambda ctx: None
def outer():
    def hidden(): pass
"""


@pytest.mark.parametrize(("name", "kind"), [
    ("speedy", "def"), ("Task", "class"), ("handler", "assignment"), ("start", "import"),
    ("os", "import"), ("hidden", "star import"), ("outer", "def"),
])
def test_static_binding_reads_top_level_names(name: str, kind: str) -> None:
    assert static_binding(SOURCE, name) == kind


def test_static_binding_without_star_imports_finds_nothing() -> None:
    assert static_binding(b"def a(): pass\n", "b") is None
    with pytest.raises(SyntaxError):
        static_binding(b"def (:\n", "a")
def test_stamping_touches_only_the_versions(tmp_path: Path) -> None:
    text = (
        "# keep me\nplugins:\n  a: {package_name: a, package_version: \"0.1\"}  # inline\n"
        "  b:\n    package_version:   0.1   # spaced\n    executor: host_agent\n"
    )
    assert stamp_version(text, tmp_path / "plugin.yaml", "1.0.0") == (
        "# keep me\nplugins:\n  a: {package_name: a, package_version: '1.0.0'}  # inline\n"
        "  b:\n    package_version:   '1.0.0'   # spaced\n    executor: host_agent\n"
    )


def test_dump_is_readable_block_yaml() -> None:
    data = {
        "plugins": {"p": {"package_version": Quoted("1.0"), "executor": "host_agent"}},
        "node_types": {"t": {"description": "two\nlines\n", "tags": ["a", "b"], "empty": {}}},
    }
    assert dump(data) == (
        "plugins:\n  p:\n    package_version: '1.0'\n    executor: host_agent\n\n"
        "node_types:\n  t:\n    description: |\n      two\n      lines\n"
        "    tags:\n      - a\n      - b\n    empty: {}\n"
    )


def test_aliases_that_multiply_are_refused_while_composing(tmp_path: Path) -> None:
    path = tmp_path / "plugin.yaml"
    path.write_text(laughs())
    with pytest.raises(ConfigError) as info:
        load(path)
    assert info.value.message == (
        f"{path}:12: refused: aliases expand to more than {MAX_NODES:,} nodes"
    )
    assert info.value.hint == "use fewer, smaller anchors: every alias is expanded"
    with pytest.raises(ConfigError, match="refused: aliases expand"):
        stamp_version(laughs(), path, "1.0.0")


def test_aliases_that_stay_small_are_expanded_as_before() -> None:
    text = laughs(levels=4) + "defaults: &d {a: 1, b: 2}\nuse: {<<: *d, b: 3}\n"
    data = parse(text, "plugin.yaml")
    assert len(data["data_types"]["l4"]) == 10
    assert data["use"] == {"a": 1, "b": 3}


def test_deep_nesting_is_refused_without_a_recursion_error() -> None:
    with pytest.raises(ConfigError, match=r"^plugin.yaml:6: refused: nests deeper than 100 levels$"):
        parse(nested(100_000), "plugin.yaml")
    assert parse(nested(MAX_DEPTH - 1), "plugin.yaml")  # the top mapping, then the lists
    with pytest.raises(ConfigError, match="nests deeper"):
        parse(nested(MAX_DEPTH), "plugin.yaml")


def test_an_alias_deepens_where_it_is_used() -> None:
    anchor = "a: &deep " + "[" * 60 + "]" * 60 + "\n"
    assert parse(anchor + "b: *deep\n", "plugin.yaml")
    with pytest.raises(ConfigError, match=r"^plugin.yaml:2: refused: nests deeper than 100 levels$"):
        parse(anchor + "b: " + "[" * 50 + "*deep" + "]" * 50 + "\n", "plugin.yaml")


def test_an_alias_inside_its_own_anchor_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"plugin.yaml:1: refused: alias \*a is inside its own anchor"):
        parse("a: &a {b: *a}\n", "plugin.yaml")


def test_a_file_past_the_size_bound_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "plugin.yaml"
    path.write_text(HEAD + "#" * MAX_BYTES)
    with pytest.raises(ConfigError) as info:
        load(path, "files/plugin.yaml")
    assert info.value.message == f"files/plugin.yaml: refused: larger than {MAX_BYTES:,} bytes"
