"""The DSL variants: what each drops or rewrites, stamping, staleness, stable output."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from packager.author import dsl
from packager.errors import ConfigError

FEATURES = Path(__file__).resolve().parents[1] / "projects" / "dsl-features"
CREATE = ("node_types", "feat.nodes.Thing", "interfaces", "cloudify.interfaces.lifecycle", "create",
          "inputs")


def source() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((FEATURES / "plugin_1_5.yaml").read_text())
    return data


def at(doc: dict[str, Any], *path: str) -> Any:
    for key in path:
        doc = doc[key]
    return doc


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for name in ("plugin_1_5.yaml", "pyproject.toml"):
        shutil.copy(FEATURES / name, tmp_path / name)
    return tmp_path


def test_1_4_drops_what_1_5_added_and_keeps_the_rest() -> None:
    doc = dsl.to_1_4(source())
    assert doc["plugins"]["feat"] == {
        "executor": "central_deployment_agent",
        "package_name": "dsl-features-plugin",
        "package_version": "0.0.1",
    }
    assert "runtime_properties" not in doc["node_types"]["feat.nodes.Thing"]
    inputs = at(doc, *CREATE)
    assert inputs["next_operation"] == {"type": "string", "default": "cloudify.interfaces.lifecycle.start"}
    assert inputs["retries"]["constraints"] == [{"greater_or_equal": 0}]
    # 1_4 features stay.
    assert inputs["names"]["item_type"] == "string"
    assert inputs["owner"]["type"] == "deployment_id"
    assert doc["labels"] == doc["blueprint_labels"] == {"obj-type": {"values": ["feat"]}}
    assert "availability_rules" in doc["workflows"]["feat_refresh"]


def test_v2_is_1_3_safe_with_labels() -> None:
    doc = dsl.to_v2(source())
    inputs = at(doc, *CREATE)
    assert inputs["names"] == {"type": "list", "default": []}
    assert inputs["owner"] == {"type": "string", "default": "dep", "constraints": [{"valid_values": ["dep", "dep2"]}]}
    assert inputs["text"] == {"type": "string", "default": "hello"}
    assert inputs["quiet"] == {"type": "string", "hidden": True, "default": "x"}
    thing = doc["node_types"]["feat.nodes.Thing"]["properties"]
    assert thing["secret"]["type"] == "string"
    assert doc["data_types"]["feat.types.Config"]["properties"]["peer"]["type"] == "string"
    peer = at(doc, "relationships", "feat.relationships.uses", "source_interfaces",
              "cloudify.interfaces.relationship_lifecycle", "establish", "inputs", "peer")
    assert peer == {"type": "string", "default": "a"}
    workflow = doc["workflows"]["feat_refresh"]
    assert "availability_rules" not in workflow
    assert workflow["parameters"] == {
        "node_ids": {"type": "list", "default": []},
        "target": {"type": "string", "default": "dep"},
    }
    assert "labels" in doc
    assert "blueprint_labels" in doc


def test_plugin_yaml_is_v2_without_labels() -> None:
    v2 = dsl.to_v2(source())
    plain = dsl.to_1_3(source())
    assert "labels" not in plain
    assert "blueprint_labels" not in plain
    assert plain == {k: v for k, v in v2.items() if k not in ("labels", "blueprint_labels")}


def test_transforms_leave_their_input_alone() -> None:
    doc = source()
    dsl.to_1_3(doc)
    assert doc == source()


def test_plan_stamps_the_source_in_place_and_generates_variants(project: Path) -> None:
    files = dsl.plan(project, "2.1.0", dsl.GENERATED)
    assert [f.path.name for f in files] == list(dsl.ORDER)
    stamped = files[0]
    before = (project / "plugin_1_5.yaml").read_text()
    # Only the version changed: comments and quoting style elsewhere are kept.
    assert stamped.expected == before.replace('"0.0.1"', "'2.1.0'")
    assert stamped.source is None
    for file in files[1:]:
        assert file.current is None
        assert file.source == "plugin_1_5.yaml"
        assert file.expected.startswith("# Generated from plugin_1_5.yaml by `plugin-packager yaml`")
        assert "package_version: '2.1.0'\n" in file.expected
    assert "error_message" not in files[1].expected
    assert "labels:" in files[2].expected
    assert "labels:" not in files[3].expected


def test_generated_text_keeps_key_order_and_is_block_style(project: Path) -> None:
    text = dsl.plan(project, "2.1.0", ["plugin_1_4.yaml"])[1].expected
    tops = [line.split(":")[0] for line in text.splitlines() if line[:1].isalpha()]
    assert tops == ["plugins", "blueprint_labels", "labels", "data_types", "node_types",
                    "relationships", "workflows"]
    assert "{" not in text.replace("default: {}", "")
    assert "\n\nnode_types:\n" in text
    assert "        values:\n          - feat\n" not in text
    assert "    values:\n      - feat\n" in text


def test_write_then_plan_is_clean_and_the_bytes_are_stable(project: Path) -> None:
    written = dsl.write(dsl.plan(project, "2.1.0", dsl.GENERATED))
    assert [p.name for p in written] == list(dsl.ORDER)
    first = {p.name: p.read_bytes() for p in written}
    again = dsl.plan(project, "2.1.0", dsl.GENERATED)
    assert not [f for f in again if f.stale]
    assert dsl.write(again) == []
    assert {p.name: p.read_bytes() for p in written} == first


def test_stale_files_name_the_first_different_line(project: Path) -> None:
    dsl.write(dsl.plan(project, "2.1.0", dsl.GENERATED))
    plugin = project / "plugin.yaml"
    lines = plugin.read_text().splitlines(keepends=True)
    lines[10] = "# hand edit\n"
    plugin.write_text("".join(lines))
    (project / "v2_plugin.yaml").unlink()
    files = {f.path.name: f for f in dsl.plan(project, "2.1.0", dsl.GENERATED)}
    assert not files["plugin_1_5.yaml"].stale
    assert files["plugin.yaml"].describe() == (
        f"{plugin}:11: stale: differs from what plugin_1_5.yaml generates"
    )
    assert files["v2_plugin.yaml"].describe().endswith("v2_plugin.yaml: missing (generated from plugin_1_5.yaml)")
    bumped = {f.path.name: f for f in dsl.plan(project, "2.2.0", dsl.GENERATED)}
    assert bumped["plugin_1_5.yaml"].describe() == f"{project / 'plugin_1_5.yaml'}:6: stale: has another version"


def test_only_the_variants_asked_for_are_generated(project: Path) -> None:
    files = dsl.plan(project, "2.1.0", ["plugin.yaml"])
    assert [f.path.name for f in files] == ["plugin_1_5.yaml", "plugin.yaml"]
    with pytest.raises(ConfigError, match=r"unknown plugin YAML variant 'plugin_1_6\.yaml'"):
        dsl.plan(project, "2.1.0", ["plugin_1_6.yaml"])


def test_a_hand_written_1_4_source_is_stamped_not_regenerated(tmp_path: Path) -> None:
    text = "plugins:\n  p:\n    executor: host_agent  # kept\n    package_name: p\n    package_version: '1'\n"
    (tmp_path / "plugin_1_4.yaml").write_text(text)
    (tmp_path / "plugin_1_5.yaml.bak").write_text(text)
    files = dsl.plan(tmp_path, "3.0", dsl.GENERATED)
    assert [(f.path.name, f.source) for f in files] == [
        ("plugin_1_4.yaml", None), ("v2_plugin.yaml", "plugin_1_4.yaml"), ("plugin.yaml", "plugin_1_4.yaml"),
    ]
    assert files[0].expected == text.replace("'1'", "'3.0'")


def test_a_lone_plugin_yaml_is_only_stamped(tmp_path: Path) -> None:
    (tmp_path / "plugin.yaml").write_text("plugins:\n  p:\n    package_version: 1.0\n")
    (file,) = dsl.plan(tmp_path, "1.0", dsl.GENERATED)
    assert file.expected == "plugins:\n  p:\n    package_version: '1.0'\n"
    assert file.stale


def test_no_plugin_yaml_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no plugin YAML in"):
        dsl.plan(tmp_path, "1.0", dsl.GENERATED)


@pytest.mark.parametrize(("text", "error"), [
    ("node_types: {}\n", r"plugin_1_5.yaml:1: a plugin YAML needs a plugins: mapping"),
    ("a: 1\nplugins: []\n", r"plugin_1_5.yaml:2: a plugin YAML needs a plugins: mapping"),
    ("plugins:\n  p:\n    executor: host_agent\n", r"plugin_1_5.yaml:2: plugins.p has no package_version"),
    ("plugins:\n  p: [unclosed\n", r"plugin_1_5.yaml:3: invalid YAML"),
])
def test_yaml_errors_point_at_file_and_line(tmp_path: Path, text: str, error: str) -> None:
    (tmp_path / "plugin_1_5.yaml").write_text(text)
    with pytest.raises(ConfigError, match=error):
        dsl.plan(tmp_path, "1.0", dsl.GENERATED)
