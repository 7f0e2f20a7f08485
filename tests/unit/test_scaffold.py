"""`new`: the template renders for plain, unusual and interactive answers; bad answers write nothing."""

from __future__ import annotations

import ast
import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

import packager
from packager._toml import tomllib
from packager.author import dsl, scaffold
from packager.cli import main
from packager.errors import ConfigError
from packager.targets import Host

FILES = {
    ".github/workflows/ci.yml", ".github/workflows/release.yml", ".gitignore", "CHANGELOG.md",
    "LICENSE", "README.md", "icon.svg", "plugin.yaml", "plugin_1_4.yaml", "plugin_1_5.yaml", "pyproject.toml",
    "tests/test_plugin_yaml.py", "tests/test_tasks.py", "tox.ini", "v2_plugin.yaml",
}
LONG_NAME = "cloudify-acme-enterprise-network-function-virtualisation-orchestration-suite-plugin"
UNUSUAL = {
    "plugin_name": LONG_NAME,
    "package_name": "acme_nfv_orchestration_suite_with_a_long_package_name_2",
    "plugin_key": "acme_nfv2",
    "author": "Zoë Ångström-Łukasiewicz (山田 太郎) O'Brien",
    "description": "Orchestrates Acme NFV: «fast», naïve & <safe>",
    "version": "1.0.0rc1",
    "license": "MIT",
    "executor": "host_agent",
    "python_versions": "3.12, cp39,3.12",
    "platforms": "manylinux_2_28_x86_64 , manylinux2014_aarch64",
}


def files_in(project: Path) -> set[str]:
    return {p.relative_to(project).as_posix() for p in project.rglob("*") if p.is_file()}


def new(tmp_path: Path, host: Host, **answers: str) -> Path:
    return scaffold.new_project(tmp_path / "out", answers, no_input=True, host=host)


def test_defaults_render_a_complete_project(tmp_path: Path, host: Host) -> None:
    project = new(tmp_path, host)
    assert project == tmp_path / "out" / "cloudify-example-plugin"
    assert files_in(project) == FILES | {"cloudify_example/__init__.py", "cloudify_example/tasks.py"}
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["cloudify-example-plugin"]
    meta = tomllib.loads((project / "pyproject.toml").read_text())
    assert meta["project"]["name"] == "cloudify-example-plugin"
    assert meta["project"]["version"] == "0.1.0"
    assert meta["project"]["license"] == "Apache-2.0"
    assert meta["tool"]["plugin-packager"] == {
        "python": ["3.11"], "platform": ["manylinux2014_x86_64"], "build-tag": "manylinux",
        "files": ["icon.svg"],  # the download site shows it
    }
    plugin = yaml.safe_load((project / "plugin_1_5.yaml").read_text())["plugins"]
    assert plugin["example"]["package_version"] == "0.1.0"
    assert plugin["example"]["executor"] == "central_deployment_agent"
    assert not [f for f in dsl.plan(project, "0.1.0", dsl.GENERATED) if f.stale]
    release = (project / ".github/workflows/release.yml").read_text()
    assert "/.github/workflows/release-wagons.yml@v" + packager.__version__ in release
    assert (project / "LICENSE").read_text().startswith(" " * 33 + "Apache License\n")


def test_unusual_but_valid_answers(tmp_path: Path, host: Host) -> None:
    project = new(tmp_path, host, **UNUSUAL)
    assert project.name == LONG_NAME
    package = UNUSUAL["package_name"]
    assert (project / package / "tasks.py").is_file()
    meta = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    assert meta["project"]["authors"] == [{"name": UNUSUAL["author"]}]
    assert meta["project"]["description"] == UNUSUAL["description"]
    assert meta["project"]["license"] == "MIT"
    assert meta["tool"]["plugin-packager"]["python"] == ["3.12", "3.9"]
    assert meta["tool"]["plugin-packager"]["platform"] == ["manylinux_2_28_x86_64", "manylinux2014_aarch64"]
    for name in dsl.ORDER:
        plugins = yaml.safe_load((project / name).read_text(encoding="utf-8"))["plugins"]
        assert plugins == {"acme_nfv2": {
            "executor": "host_agent", "package_name": LONG_NAME, "package_version": "1.0.0rc1",
            **({"properties_description": plugins["acme_nfv2"]["properties_description"],
                "properties": plugins["acme_nfv2"]["properties"]} if name == "plugin_1_5.yaml" else {}),
        }}
    node_type = yaml.safe_load((project / "plugin.yaml").read_text())["node_types"]["acme_nfv2.nodes.Resource"]
    create = node_type["interfaces"]["cloudify.interfaces.lifecycle"]["create"]
    assert create["implementation"] == f"acme_nfv2.{package}.tasks.create"
    assert "Zoë Ångström-Łukasiewicz (山田 太郎) O'Brien" in (project / "LICENSE").read_text(encoding="utf-8")
    assert not [f for f in dsl.plan(project, "1.0.0rc1", dsl.GENERATED) if f.stale]


def test_the_template_renders_its_yaml_variants_itself(tmp_path: Path, host: Host) -> None:
    """Plain cookiecutter makes the same project as `new`: the variants are in the template."""
    top = scaffold.template_dir() / "{{cookiecutter.plugin_name}}"
    assert {p.name for p in top.glob("*.yaml")} == set(dsl.ORDER)
    defaults = json.loads((scaffold.template_dir() / "cookiecutter.json").read_text())
    assert defaults["_packager_version"] == packager.__version__


def test_byte_compiled_template_files_are_left_out(
    tmp_path: Path, host: Host, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "template"
    shutil.copytree(scaffold.template_dir(), copy)
    cache = copy / "{{cookiecutter.plugin_name}}" / "{{cookiecutter.package_name}}" / "__pycache__"
    cache.mkdir()
    (cache / "tasks.cpython-311.pyc").write_bytes(b"\x00compiled")
    monkeypatch.setattr(scaffold, "template_dir", lambda: copy)
    project = new(tmp_path, host)
    assert not list(project.rglob("__pycache__"))
    assert (project / "cloudify_example" / "tasks.py").is_file()


BAD = [
    ("plugin_name", "acme-plugin", "must be cloudify-<name>-plugin"),
    ("plugin_name", "cloudify-Acme-plugin", "must be cloudify-<name>-plugin"),
    ("plugin_name", "cloudify--acme-plugin", "must be cloudify-<name>-plugin"),
    ("plugin_name", "cloudify-acme-plugin ", "must be cloudify-<name>-plugin"),
    ("plugin_name", "cloudify-" + "a" * 90 + "-plugin", "is longer than 100 characters"),
    ("package_name", "1acme", "must be a Python package name"),
    ("package_name", "acme-nfv", "must be a Python package name"),
    ("package_name", "a" * 61, "must be a Python package name"),
    ("package_name", "class", "is taken by Python or by Cloudify"),
    ("package_name", "cloudify", "is taken by Python or by Cloudify"),
    ("plugin_key", "Acme", "must be lowercase letters"),
    ("plugin_key", "acme.nfv", "must be lowercase letters"),
    ("version", "banana", "is not a PEP 440 version"),
    ("version", "1.0.0-rc1", "is written '1.0.0rc1' in the wheel"),
    ("author", "", "must be one line of text"),
    ("author", 'Jane "JD" Doe', "must be one line of text"),
    ("description", "two\nlines", "must be one line of text"),
    ("license", "GPL-3.0", "must be one of Apache-2.0, MIT, BSD-3-Clause, Proprietary"),
    ("executor", "agent", "must be one of central_deployment_agent, host_agent"),
    ("python_versions", "3.8", "includes 3.8; the template's cloudify-common 7 needs 3.9"),
    ("python_versions", "2.7", "is not valid: unknown Python version '2.7'"),
    ("python_versions", " , ", "names no target"),
    ("platforms", "macosx_11_0_arm64", "is not valid: unknown platform 'macosx_11_0_arm64'"),
    ("packager_requirement", "plugin packager", "is not a pip requirement"),
    ("packager_requirement", "wagon>=1", "must install plugin-packager"),
    ("packager_requirement", 'plugin-packager; python_version>"3"', "must be one line of text"),
    ("packager_workflow", "myorg/pp", "is not OWNER/REPO/.github/workflows/release-wagons.yml@REF"),
    # Refused by the rule every answer follows, before its own.
    ("packager_workflow", "o/r/.github/workflows/release-wagons.yml@v1\nx", "must be one line"),
]


@pytest.mark.parametrize(("key", "value", "why"), BAD, ids=[f"{k}={v!r}" for k, v, _ in BAD])
def test_bad_answers_are_refused_before_anything_is_written(
    tmp_path: Path, host: Host, key: str, value: str, why: str
) -> None:
    with pytest.raises(ConfigError) as info:
        new(tmp_path, host, **{key: value})
    assert info.value.message.startswith(f"{key} {value!r} {why}")
    assert info.value.hint is not None
    assert info.value.hint.startswith(f"e.g. {key}=")
    assert "\n" not in info.value.one_line().replace(value, "")
    assert not (tmp_path / "out").exists()


@pytest.mark.skipif(sys.version_info < (3, 10), reason="sys.stdlib_module_names is 3.10+")
def test_a_standard_library_package_name_is_refused(tmp_path: Path, host: Host) -> None:
    with pytest.raises(ConfigError, match="'json' is taken by Python"):
        new(tmp_path, host, package_name="json")


def test_the_hint_example_is_itself_accepted(tmp_path: Path, host: Host) -> None:
    answers: dict[str, Any] = {}
    for key, value, _ in BAD:
        with pytest.raises(ConfigError) as info:
            new(tmp_path / key, host, **{key: value})
        assert info.value.hint is not None
        example = info.value.hint.removeprefix(f"e.g. {key}=").strip('"')
        answers.setdefault(key, example)
    answers["package_name"] = "cloudify_acme"
    answers["plugin_key"] = "acme"
    assert new(tmp_path, host, **answers).name == "cloudify-acme-plugin"


def test_unknown_keys_and_malformed_words_are_refused(tmp_path: Path, host: Host) -> None:
    with pytest.raises(ConfigError, match="unknown key 'plugin_nmae'") as info:
        new(tmp_path, host, plugin_nmae="cloudify-acme-plugin")
    assert info.value.hint == "did you mean 'plugin_name'?"
    with pytest.raises(ConfigError, match="unknown key '_packager_version'"):
        new(tmp_path, host, _packager_version="9")
    with pytest.raises(ConfigError, match="'acme' is not KEY=VALUE"):
        scaffold.parse_answers(["acme"])
    assert scaffold.parse_answers(["description=a=b"]) == {"description": "a=b"}


def test_an_existing_project_is_left_alone(tmp_path: Path, host: Host) -> None:
    existing = tmp_path / "out" / "cloudify-example-plugin"
    existing.mkdir(parents=True)
    (existing / "keep.txt").write_text("mine")
    with pytest.raises(ConfigError, match="already exists"):
        new(tmp_path, host)
    assert files_in(tmp_path / "out") == {"cloudify-example-plugin/keep.txt"}


def test_cli_reports_a_bad_name_on_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["new", "--no-input", "-o", str(tmp_path), "plugin_name=acme"])
    assert result.exit_code == 2
    assert result.output == (
        "plugin-packager: error: plugin_name 'acme' must be cloudify-<name>-plugin in lowercase"
        " letters, digits and single dashes (hint: e.g. plugin_name=cloudify-acme-plugin)\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_cli_interactive_asks_with_cookiecutter_prompts(tmp_path: Path) -> None:
    # Name, then Enter for the derived defaults, "2" picks host_agent from the executor choices.
    typed = ["cloudify-acme-plugin", "", "", "Jane Doe", "", "", "", "2", "", "", "", ""]
    result = CliRunner().invoke(main, ["new", "-o", str(tmp_path)], input="\n".join(typed) + "\n")
    assert result.exit_code == 0, result.output
    project = tmp_path / "cloudify-acme-plugin"
    assert result.output.endswith(f": {project}\n")
    assert "Plugin key under plugins:" in result.output
    meta = tomllib.loads((project / "pyproject.toml").read_text())
    assert meta["project"]["authors"] == [{"name": "Jane Doe"}]
    assert (project / "cloudify_acme" / "tasks.py").is_file()
    assert "executor: host_agent" in (project / "plugin_1_5.yaml").read_text()


def test_an_answer_is_never_run_as_a_template(tmp_path: Path, host: Host) -> None:
    """The attack of issue 20: cookiecutter rendered KEY=VALUE answers as Jinja, so this ran `touch`."""
    marker = tmp_path / "ran"
    attack = f"{{{{ cycler.__init__.__globals__.os.popen('touch {marker}').read() }}}}"
    project = new(tmp_path, host, author=attack, license="MIT")
    assert not marker.exists(), "the answer was rendered as a template: its command ran"
    assert tomllib.loads((project / "pyproject.toml").read_text())["project"]["authors"] == [
        {"name": attack}
    ]
    assert attack in (project / "LICENSE").read_text()


def test_template_syntax_in_an_answer_is_written_literally(tmp_path: Path, host: Host) -> None:
    project = new(tmp_path, host, author="{{ 7*7 }}", description="Renders {{ 7*7 }} and {% raw %}",
                  license="BSD-3-Clause")
    meta = tomllib.loads((project / "pyproject.toml").read_text())["project"]
    assert meta["authors"] == [{"name": "{{ 7*7 }}"}]
    assert meta["description"] == "Renders {{ 7*7 }} and {% raw %}"
    init = ast.parse((project / "cloudify_example" / "__init__.py").read_text())
    assert ast.get_docstring(init) == "Renders {{ 7*7 }} and {% raw %}."
    assert "\nRenders {{ 7*7 }} and {% raw %}.\n" in (project / "README.md").read_text()
    assert "Copyright (c) " in (license := (project / "LICENSE").read_text())
    assert ", {{ 7*7 }}\n" in license
    assert "49" not in (project / "pyproject.toml").read_text()


@pytest.mark.parametrize("answers", [
    {"plugin_name": "../x"},
    {"plugin_name": "{{ '../cloudify-x-plugin' }}"},
    {"package_name": "../../x"},
    {"package_name": "{{ '../x' }}"},
    {"plugin_key": "../x"},
], ids=lambda answers: repr(answers))
def test_an_answer_cannot_name_a_path_outside_the_output(
    tmp_path: Path, host: Host, answers: dict[str, str]
) -> None:
    (key, value), = answers.items()
    with pytest.raises(ConfigError) as info:
        new(tmp_path / "a" / "b", host, **answers)
    assert info.value.message.startswith(f"{key} {value!r} must be")
    assert [p.relative_to(tmp_path) for p in tmp_path.rglob("*")] == []


@pytest.mark.parametrize(("key", "value"), [
    ("author", "Jane\x1b[31m Doe"), ("description", "Tab\there"), ("author", "J" * 201),
    ("version", "1." + "0" * 300), ("platforms", "manylinux2014_x86_64," * 20),
])
def test_a_control_character_or_a_long_answer_is_refused(
    tmp_path: Path, host: Host, key: str, value: str
) -> None:
    with pytest.raises(ConfigError) as info:
        new(tmp_path, host, **{key: value})
    assert info.value.message == (f"{key} {value!r} must be one line of text of at most 200"
                                  " characters, without control characters")
    assert not (tmp_path / "out").exists()


def test_how_ci_gets_plugin_packager_is_an_answer(tmp_path: Path, host: Host) -> None:
    """Before plugin-packager is on an index, a generated project's CI installs it from git and
    calls its reusable workflow at a commit: both are plain answers."""
    requirement = "plugin-packager @ git+https://github.com/myorg/pp@0123abc"
    workflow = "myorg/pp/.github/workflows/release-wagons.yml@0123abc"
    project = new(tmp_path, host, packager_requirement=requirement, packager_workflow=workflow)
    release = yaml.safe_load((project / ".github/workflows/release.yml").read_text())
    assert release["jobs"]["wagons"]["uses"] == workflow
    assert release["jobs"]["wagons"]["with"]["packager"] == requirement
    assert {"run": f'python -m pip install "{requirement}"'} in release["jobs"]["check"]["steps"]
    assert f"deps = {requirement}\n" in (project / "tox.ini").read_text()
    default = new(tmp_path / "default", host)
    assert f"deps = plugin-packager>={packager.__version__}\n" in (default / "tox.ini").read_text()
