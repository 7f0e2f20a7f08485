"""Requirement and constraint files, per-target overrides, exclusions and the pre-build hook's
inputs, read without building anything."""

from __future__ import annotations

from concurrent.futures import Future
from pathlib import Path

import pytest
from packaging.version import Version

from packager._installers import missing_requirements
from packager.builder.config import load_options
from packager.builder.context import BuildContext
from packager.builder.hook import CLOUDIFY_SCRIPT, hook_commands, hook_env
from packager.builder.inputs import TargetInputs, read_inputs
from packager.builder.pipeline import cell_inputs, cell_plugin
from packager.builder.project import Prepared, Source, dynamic_dependencies
from packager.cache import Cache
from packager.errors import ConfigError
from packager.targets import BuildTarget, Host, parse_platform
from packager.wagon.metadata import parse_metadata
from packager.wheels import WheelInfo

TABLE = """[tool.plugin-packager]
requirements = ["requirements.txt"]
constraints = ["constraints.txt"]
exclude = ["Cloudify-Common"]

[tool.plugin-packager.targets."cp36-*"]
requirements = ["requirements-3.6.txt"]

[tool.plugin-packager.targets."cp3*"]
requirements = ["requirements.txt"]
exclude = []
"""


def _project(tmp_path: Path, table: str = TABLE) -> Path:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "p"\nversion = "1"\n' + table)
    (tmp_path / "requirements.txt").write_text("six==1.16.0  # the agent's\n")
    (tmp_path / "requirements-3.6.txt").write_text("six==1.15.0\n")
    (tmp_path / "constraints.txt").write_text("pyyaml==6.0.1\n")
    return tmp_path


def test_first_matching_glob_decides_each_key_and_the_rest_comes_from_the_table(
    tmp_path: Path,
) -> None:
    options = load_options(_project(tmp_path), {})
    old = options.inputs.for_target("cp36-manylinux2014_x86_64", tmp_path)
    new = options.inputs.for_target("cp311-manylinux2014_x86_64", tmp_path)
    other = options.inputs.for_target("py36-any", tmp_path)
    assert (old.requirements, new.requirements) == (("six==1.15.0",), ("six==1.16.0",))
    assert old.constraints == new.constraints == other.constraints == ("pyyaml==6.0.1",)
    assert (old.exclude, new.exclude, other.exclude) == ((), (), ("cloudify-common",))


def test_flags_beat_per_target_tables(tmp_path: Path) -> None:
    project = _project(tmp_path)
    (tmp_path / "cli.txt").write_text("idna\n")
    options = load_options(project, {}, {"requirements": ("cli.txt",)}, cwd=tmp_path)
    assert options.inputs.for_target("cp36-any", tmp_path).requirements == ("idna",)
    options = load_options(project, {"PLUGIN_PACKAGER_EXCLUDE": "Foo_Bar"})
    assert options.inputs.for_target("cp311-any", tmp_path).exclude == ("foo-bar",)


def test_requirement_files_nest_continue_and_constrain(tmp_path: Path) -> None:
    (tmp_path / "base.txt").write_text("-c pins.txt\nidna \\\n  >=3.4\n")
    (tmp_path / "pins.txt").write_text("# pinned\nidna==3.7\n")
    (tmp_path / "top.txt").write_text("-r base.txt\nsix ; python_version < '3.7'\n\n")
    found = read_inputs([tmp_path / "top.txt"], [], ["X"])
    assert found.requirements == ("idna>=3.4", 'six; python_version < "3.7"')
    assert found.constraints == ("idna==3.7",)
    assert found.record() == ["--exclude x", "-c idna==3.7"]


@pytest.mark.parametrize(("text", "words"), [
    ("-e .\n", "r.txt:1: -e is not supported"),
    ("six\n--index-url https://x\n", "r.txt:2: --index-url is not supported"),
    ("six===\n", "r.txt:1: not a requirement"),
    ("-r missing.txt\n", "missing.txt not found (named in"),
])
def test_bad_requirement_files_are_one_line_with_file_and_line(
    tmp_path: Path, text: str, words: str
) -> None:
    (tmp_path / "r.txt").write_text(text)
    with pytest.raises(ConfigError) as caught:
        read_inputs([tmp_path / "r.txt"], [], [])
    assert words in caught.value.message


@pytest.mark.parametrize(("table", "words"), [
    ('[tool.plugin-packager.targets."cp36-*"]\npython = ["3.6"]\n', "unknown key 'python'"),
    ('[tool.plugin-packager.targets]\n"cp36-*" = "x"\n', "must be a table"),
    ('[tool.plugin-packager.targets."cp36-*"]\nexclude = "six"\n', "must be a list of strings"),
    ('[tool.plugin-packager]\nrequirement = ["r.txt"]\n', "did you mean 'requirements'"),
])
def test_bad_target_tables(tmp_path: Path, table: str, words: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_options(_project(tmp_path, table), {})
    assert words in caught.value.one_line()


@pytest.mark.parametrize(("files", "dynamic"), [
    ({"setup.py": ""}, True),
    ({"pyproject.toml": "[build-system]\nrequires = []\n", "setup.py": ""}, True),
    ({"pyproject.toml": '[project]\nname = "p"\ndynamic = ["version", "dependencies"]\n'}, True),
    ({"pyproject.toml": '[project]\nname = "p"\ndynamic = ["version"]\n', "setup.py": ""}, False),
])
def test_dynamic_dependencies(tmp_path: Path, files: dict[str, str], dynamic: bool) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    assert dynamic_dependencies(tmp_path) is dynamic


def test_hook_runs_the_cloudify_script_then_pre_build_with_the_targets(
    tmp_path: Path, host: Host
) -> None:
    assert hook_commands(tmp_path, "") == []
    (tmp_path / CLOUDIFY_SCRIPT).write_text("true\n")
    assert hook_commands(tmp_path, "make gen") == [
        ["bash", "-e", CLOUDIFY_SCRIPT], ["sh", "-c", "make gen"]]
    platform = parse_platform("manylinux2014_x86_64", host)
    env = hook_env({"HOME": "/h"}, [BuildTarget((3, 6), platform), BuildTarget((3, 11), platform)])
    assert env["PLUGIN_PACKAGER_TARGET_IDS"] == (
        "cp36-manylinux2014_x86_64 cp311-manylinux2014_x86_64")
    assert env["PLUGIN_PACKAGER_TARGET_PYTHONS"] == "3.6 3.11"
    assert env["PLUGIN_PACKAGER_TARGET_PLATFORMS"] == "manylinux2014_x86_64"
    assert env["HOME"] == "/h"
    load_options(_project(tmp_path), env)  # a hook that runs plugin-packager is not refused


def test_hook_sees_py_flag_of_its_own_python_only(host: Host) -> None:
    """As Cloudify's builder images: PY311=1 in the 3.11 run; a PY311 of the caller's own
    environment never reaches the 3.6 run."""
    platforms = [parse_platform(p, host) for p in ("manylinux2014_x86_64", "win_amd64")]
    env = {"HOME": "/h", "PY311": "1", "PY3": "keep", "PYTHONPATH": "/p"}
    old = hook_env(env, [BuildTarget((3, 6), p) for p in platforms])
    new = hook_env(env, [BuildTarget((3, 11), platforms[0])])
    assert (old["PY36"], "PY311" in old) == ("1", False)
    assert (new["PY311"], "PY36" in new) == ("1", False)
    assert old["PLUGIN_PACKAGER_TARGET_PYTHONS"] == "3.6"
    assert old["PY3"] == "keep"
    assert old["PYTHONPATH"] == "/p"


def test_wagon_metadata_tells_extra_requirements_and_exclusions() -> None:
    data = {"package_name": "p", "package_version": "1", "supported_platform": "any", "wheels": [],
            "plugin_packager": {"requirements": {"py36": ["six==1.15.0"]}, "exclude": ["idna"]}}
    meta = parse_metadata(data, "w")
    assert (meta.requirements("py36"), meta.requirements("py311")) == (["six==1.15.0"], [])
    assert meta.excluded == ["idna"]
    assert parse_metadata({**data, "plugin_packager": None}, "w").excluded == []


def test_check_output_tells_missing_from_other_problems() -> None:
    uv = ("Found 2 incompatibilities\n"
          "The package `p` requires `charset-normalizer>=2,<4`, but it's not installed\n"
          "The package `p` requires `idna[all]>=2.5; python_version > '3'`, but it's not installed")
    assert missing_requirements(uv) == ["charset-normalizer", "idna"]
    pip = ("p 1 requires Charset_Normalizer, which is not installed.\n"
           "p 1 has requirement six>=2, but you have six 1.0.\n"
           "p 1 requires idna<3, but you have idna 3.7 which is incompatible.")
    assert missing_requirements(pip) == ["charset-normalizer", None, None]


SOURCE = Source("tree-digest", None)


def _plugin(folder: str, *requires: str) -> Future[WheelInfo]:
    future: Future[WheelInfo] = Future()
    future.set_result(WheelInfo(Path(folder) / "p-1-py3-none-any.whl", "p", "1", Version("1"),
                                frozenset(), requires, None))
    return future


def test_combined_wagon_refuses_pythons_with_different_setup_py_branches(
    tmp_path: Path, host: Host
) -> None:
    platform = parse_platform("manylinux2014_x86_64", host)
    old, new = BuildTarget((3, 6), platform), BuildTarget((3, 11), platform)
    inputs = {old.id: TargetInputs(("six==1.15.0",)), new.id: TargetInputs(exclude=("idna",))}
    shared = _plugin("a", "idna")
    context = BuildContext({}, Cache(tmp_path), host, tmp_path)
    same = Prepared([old, new], context, 0, {old.python: shared, new.python: shared},
                    [], inputs, SOURCE)
    assert cell_plugin(same, [old, new]) is shared.result()
    assert cell_inputs(same, [old, new]) == {"requirements": {"py36": ["six==1.15.0"]},
                                             "exclude": ["idna"]}
    differ = Prepared([old, new], context, 0,
                      {old.python: _plugin("a", "idna<3"), new.python: _plugin("b", "idna>=3.4")},
                      [], inputs, SOURCE)
    with pytest.raises(ConfigError, match="cannot share a wagon"):
        cell_plugin(differ, [old, new])
    assert cell_plugin(differ, [new]).requires_dist == ("idna>=3.4",)
    assert differ.requirements(old) == ["idna<3", "six==1.15.0"]
    assert differ.locked_for(new) == ["idna>=3.4", "--exclude idna"]
