from __future__ import annotations

from pathlib import Path

import pytest

from packager.errors import ArchiveError, ConfigError
from packager.plugin_yaml import Quoted, check_yamls, dump, find_yamls, stamp_version

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
    with pytest.raises(ArchiveError, match=r"plugin.yaml: plugins.hello.package_version is '0.9'") as info:
        check_yamls([write(tmp_path, version="'0.9'")], "hello-plugin", "1.0.0")
    assert info.value.hint == "set package_version: '1.0.0' in plugin.yaml"


def test_unquoted_float_version_is_still_compared_as_text(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match=r"'1\.0' but the built wheel is '1\.0\.0'"):
        check_yamls([write(tmp_path, version="1.0")], "hello-plugin", "1.0.0")


def test_name_mismatch(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match="package_name is 'other'"):
        check_yamls([write(tmp_path, name="other")], "hello-plugin", "1.0.0")


def test_broken_yaml_points_at_the_line(tmp_path: Path) -> None:
    path = tmp_path / "plugin.yaml"
    path.write_text("plugins:\n  hello:\n    package_name: [unclosed\n    x: 1\n")
    with pytest.raises(ConfigError, match=r"plugin.yaml:\d+: invalid YAML"):
        check_yamls([path], "hello-plugin", "1.0.0")


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
