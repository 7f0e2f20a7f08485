from __future__ import annotations

from pathlib import Path

import pytest

from packager.builder.config import load_options, project_version
from packager.builder.indexes import Location
from packager.errors import ConfigError


def project(tmp_path: Path, table: str = "") -> Path:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "p"\nversion = "1"\n' + (f"[tool.plugin-packager]\n{table}" if table else "")
    )
    return tmp_path


def test_defaults(tmp_path: Path) -> None:
    opts = load_options(project(tmp_path), env={})
    assert opts.platform == ("manylinux",)
    assert opts.python == ()
    assert opts.format == "zip"
    assert opts.output == tmp_path / "dist"
    assert opts.source_date_epoch is None


def test_cascade_defaults_pyproject_env_cli(tmp_path: Path) -> None:
    proj = project(tmp_path, 'python = ["3.9"]\nformat = "tar.gz"\nbuild-tag = "manylinux"\n')
    opts = load_options(proj, env={})
    assert (opts.python, opts.format, opts.build_tag) == (("3.9",), "tar.gz", "manylinux")
    env = {"PLUGIN_PACKAGER_PYTHON": "3.11, 3.12", "PLUGIN_PACKAGER_FORMAT": "zip"}
    opts = load_options(proj, env=env)
    assert (opts.python, opts.format, opts.build_tag) == (("3.11", "3.12"), "zip", "manylinux")
    opts = load_options(proj, env=env, cli={"python": ("3.13",), "format": None})
    assert (opts.python, opts.format) == (("3.13",), "zip")


def test_boolean_from_env(tmp_path: Path) -> None:
    opts = load_options(project(tmp_path), env={"PLUGIN_PACKAGER_LEGACY_PLATFORM_TAG": "yes"})
    assert opts.legacy_platform_tag is True


def test_unknown_key_has_a_did_you_mean_hint(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown key 'pythons'") as info:
        load_options(project(tmp_path, 'pythons = ["3.11"]\n'), env={})
    assert info.value.hint == "did you mean 'python'?"
    assert info.value.exit_code == 2


def test_unknown_env_variable_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="PLUGIN_PACKAGER_PLATFROM") as info:
        load_options(project(tmp_path), env={"PLUGIN_PACKAGER_PLATFROM": "any"})
    assert "PLUGIN_PACKAGER_PLATFORM" in (info.value.hint or "")


def test_wrong_type_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="python must be a list of strings"):
        load_options(project(tmp_path, "python = 3.11\n"), env={})


def test_no_project(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no Python project in"):
        load_options(tmp_path, env={})


def test_setup_py_only_project(tmp_path: Path) -> None:
    (tmp_path / "setup.py").write_text("from setuptools import setup\nsetup()\n")
    assert load_options(tmp_path, env={}).platform == ("manylinux",)


def test_broken_pyproject_names_the_line(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "p\n')
    with pytest.raises(ConfigError, match=r"pyproject.toml: not valid TOML: .*line 2"):
        load_options(tmp_path, env={})


def test_bad_format_and_epoch(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown archive format 'rar'"):
        load_options(project(tmp_path, 'format = "rar"\n'), env={})
    with pytest.raises(ConfigError, match="SOURCE_DATE_EPOCH"):
        load_options(project(tmp_path), env={"SOURCE_DATE_EPOCH": "yesterday"})
    assert load_options(project(tmp_path), env={"SOURCE_DATE_EPOCH": "1700000000"}).source_date_epoch


def test_relative_find_links_are_relative_to_the_project(tmp_path: Path) -> None:
    opts = load_options(project(tmp_path, 'find-links = ["wheels", "https://x/simple"]\n'), env={})
    assert opts.indexes.find_links == (
        Location(path=tmp_path / "wheels"), Location(url="https://x/simple"),
    )
    assert opts.indexes.local_dirs == [tmp_path / "wheels"]


def test_command_line_paths_are_relative_to_where_it_runs(tmp_path: Path) -> None:
    here = tmp_path / "cwd"
    opts = load_options(
        project(tmp_path), env={"PLUGIN_PACKAGER_CACHE": str(tmp_path / "from-env")},
        cli={"find-links": ("wheels", "file:///srv/wheels"), "output": Path("out")}, cwd=here,
    )
    assert opts.indexes.find_links == (
        Location(path=here / "wheels"), Location(url="file:///srv/wheels"),
    )
    assert opts.output == here / "out"
    assert opts.cache_dir == tmp_path / "from-env"
    cli = load_options(project(tmp_path), env={}, cli={"cache-dir": here / "c"}, cwd=here)
    assert cli.cache_dir == here / "c"


def test_yaml_variants_default_to_every_older_dsl_and_can_be_narrowed(tmp_path: Path) -> None:
    assert load_options(project(tmp_path), env={}).yaml_variants == (
        "plugin_1_4.yaml", "v2_plugin.yaml", "plugin.yaml",
    )
    opts = load_options(project(tmp_path, 'yaml-variants = ["plugin.yaml"]\n'), env={})
    assert opts.yaml_variants == ("plugin.yaml",)
    opts = load_options(tmp_path, env={"PLUGIN_PACKAGER_YAML_VARIANTS": ""})
    assert opts.yaml_variants == ()


def test_static_version_is_written_as_the_wheel_writes_it(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "p"\nversion = "1.0.0-RC1"\n')
    assert project_version(tmp_path, {}) == "1.0.0rc1"
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "p"\nversion = "one"\n')
    with pytest.raises(ConfigError, match="version 'one' is not a PEP 440 version"):
        project_version(tmp_path, {})


def test_the_public_api_is_what_all_names() -> None:
    import packager

    assert sorted(packager.__all__) == sorted(packager._API)
    for name in packager.__all__:
        assert getattr(packager, name).__name__ == name


@pytest.mark.parametrize("name", ["plugin_packager", "pluginpackager", "plugin-packer",
                                  "Plugin-Packager", "plugin-packagers"])
def test_a_misspelled_table_is_reported_not_silently_ignored(tmp_path: Path, name: str) -> None:
    (tmp_path / "pyproject.toml").write_text(
        f'[project]\nname = "p"\nversion = "1"\n[tool.{name}]\nbuild-tag = "x"\n'
        '[tool.ruff]\nline-length = 99\n[tool.pytest]\n')
    opts = load_options(tmp_path, env={})
    assert opts.build_tag == ""  # ignored, as the warning says
    wanted = f"{tmp_path / 'pyproject.toml'}: [tool.{name}] is not read; did you mean"
    assert opts.warnings == (f"{wanted} [tool.plugin-packager]?",)
    assert load_options(project(tmp_path, 'build-tag = "x"\n'), env={}).warnings == ()
