from __future__ import annotations

from pathlib import Path

import pytest

from packager.errors import ArchiveError, ConfigError
from packager.plugin_yaml import check_yamls, find_yamls

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
