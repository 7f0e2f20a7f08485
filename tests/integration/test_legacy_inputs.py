"""Real-world plugin inputs: a setup.py evaluated by each target's Python, per-target requirement
files, a constraints file and Cloudify's extra-packaging-instructions.sh, in one build."""

from __future__ import annotations

import json
import os
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

from .conftest import (
    PROJECTS,
    Run,
    WagonVenv,
    copy_project,
    interpreter,
    read_package_json,
    write_plugin,
)
from .test_hooks import snapshot

CP36, CP311 = "cp36-manylinux2014_x86_64", "cp311-manylinux2014_x86_64"


def _wheels(wagon: Path) -> dict[str, str]:
    """Distribution name → version of every wheel in the wagon."""
    names = read_package_json(wagon)["wheels"]
    return {n.split("-")[0].lower(): n.split("-")[1] for n in names}


def _plugin_members(wagon: Path) -> list[str]:
    with zipfile.ZipFile(wagon) as archive:
        (plugin,) = [n for n in archive.namelist() if "/wheels/branching_plugin-" in n]
        archive.extract(plugin, wagon.parent / "x")
    with zipfile.ZipFile(wagon.parent / "x" / plugin) as wheel:
        return wheel.namelist()


def _pip36_venv(dest: Path) -> Path:
    """A Python 3.6 venv with the pip a Cloudify 6.x agent carries."""
    subprocess.run([interpreter("3.6"), "-m", "venv", dest], check=True, timeout=300)
    env = {**os.environ, "PIP_CONFIG_FILE": os.devnull}
    subprocess.run([dest / "bin" / "python", "-m", "pip", "install", "-q", "pip==21.3.1"],
                   check=True, timeout=300, env=env, capture_output=True)
    return dest


def _versions(python: Path, *names: str) -> dict[str, str]:
    # Python 3.6 has no importlib.metadata; its pip venvs have pkg_resources instead.
    code = ("import json, sys\n"
            "try:\n    from importlib.metadata import version\n"
            "except ImportError:\n"
            "    import pkg_resources\n"
            "    def version(name): return pkg_resources.get_distribution(name).version\n"
            "print(json.dumps({n: version(n) for n in sys.argv[1:]}))")
    out = subprocess.run([python, "-c", code, *names], check=True, capture_output=True, text=True,
                         timeout=120).stdout
    result: dict[str, str] = json.loads(out)
    return result


def test_each_python_gets_its_own_setup_py_branch_requirements_and_hook_output(
    tmp_path: Path, run_cli: Run, fresh_wagon_venv: Callable[[str], WagonVenv]
) -> None:
    interpreter("3.6")
    project = copy_project(PROJECTS / "legacy-branching", tmp_path / "plugin")
    out = tmp_path / "out"
    run_cli("build", project, "-o", out)
    wagons = {read_package_json(w)["plugin_packager"]["targets"][0]: w for w in out.glob("*.wgn")}
    assert set(wagons) == {CP36, CP311}
    old, new = _wheels(wagons[CP36]), _wheels(wagons[CP311])
    assert old["idna"].startswith("2.")
    assert int(new["idna"].split(".")[0]) >= 3
    assert (old["six"], new["six"]) == ("1.15.0", "1.16.0")
    assert old["pyyaml"] == new["pyyaml"] == "6.0.1"
    for wagon in wagons.values():
        assert "branching_plugin/generated.py" in _plugin_members(wagon)
    extension = read_package_json(wagons[CP36])["plugin_packager"]
    assert extension["requirements"] == {"py36": ["six==1.15.0"]}

    report = json.loads(run_cli("validate", *wagons.values(), "--json").stdout)
    installs = {c["name"]: c["reason"] for w in report["wagons"] for c in w["checks"]
                if c["name"].startswith("install:")}
    assert "branching-plugin==1.2.0 six==1.15.0 installed offline" in installs["install:py36"]
    assert "branching-plugin==1.2.0 six==1.16.0 installed offline" in installs["install:py311"]

    # cp311: the reference tool installs the plugin; ours installs the extra requirement too.
    venv311 = fresh_wagon_venv("3.11")
    venv311.wagon("install", wagons[CP311])
    assert _versions(venv311.python, "idna", "PyYAML")["PyYAML"] == "6.0.1"
    venv311.run_python("import branching_plugin.generated")
    run_cli("install", wagons[CP311], "--venv", tmp_path / "ours311")
    got311 = _versions(tmp_path / "ours311" / "bin" / "python", "six", "idna")
    assert got311 == {"six": "1.16.0", "idna": new["idna"]}

    # cp36: the pip of a 6.x agent, through our install.
    venv36 = _pip36_venv(tmp_path / "venv36")
    run_cli("install", wagons[CP36], "--venv", venv36, "--installer", "pip")
    got36 = _versions(venv36 / "bin" / "python", "six", "idna", "PyYAML")
    assert got36 == {"six": "1.15.0", "idna": old["idna"], "PyYAML": "6.0.1"}


def test_setup_py_branch_is_evaluated_by_each_target_python(tmp_path: Path, run_cli: Run) -> None:
    interpreter("3.6")
    project = tmp_path / "plugin"
    (project / "branching_plugin").mkdir(parents=True)
    (project / "branching_plugin" / "__init__.py").write_text("")
    (project / "setup.py").write_text((PROJECTS / "legacy-branching" / "setup.py").read_text())
    before = snapshot(project)
    out = tmp_path / "out"
    run_cli("build", project, "--python", "3.6", "--python", "3.11", "-o", out)
    assert snapshot(project) == before, "setuptools' build/ and egg-info stay out of the project"
    idna = {read_package_json(w)["plugin_packager"]["targets"][0]: _wheels(w)["idna"]
            for w in out.glob("*.wgn")}
    assert idna[CP36].startswith("2.")
    assert int(idna[CP311].split(".")[0]) >= 3


def test_failing_pre_build_hook_stops_the_build_with_its_last_lines(
    tmp_path: Path, run_cli: Run
) -> None:
    project = write_plugin(tmp_path, "hooked-plugin", [])
    with (project / "pyproject.toml").open("a") as toml:
        toml.write('\n[tool.plugin-packager]\npre-build = "echo generating; echo no such tool >&2;'
                   ' exit 3"\n')
    proc = run_cli("build", project, "-o", tmp_path / "out", check=False)
    assert proc.returncode == 4
    assert "pre-build hook" in proc.stderr
    assert "generating | no such tool" in proc.stderr
    assert not (tmp_path / "out").exists()
