"""A real Cloudify plugin (cloudify-common, cryptography, pyyaml) for every agent platform from this
x86_64 machine: aarch64 checked by running it under QEMU, Windows by installing it for Windows."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from packaging.utils import parse_wheel_filename

from packager._tools import uv_bin

from .conftest import Run, WagonVenv, interpreter, make_wagon_venv, write_plugin
from .floors import runs_on
from .test_foreign import wheel_names
from .test_validate import validate

TASKS = '''from distutils.util import strtobool  # Debian's python3-distutils (as cloudify_tf)

import yaml
from cloudify.decorators import operation
from cryptography.hazmat.primitives import hashes
from yaml import CSafeLoader  # pyyaml's C extension: fails when the wheel's code is not aarch64


@operation
def digest(ctx, **kwargs):
    return (hashes.Hash(hashes.SHA256()).finalize().hex(), yaml.load("a: 1", Loader=CSafeLoader),
            strtobool("yes"))
'''
PLUGIN_YAML = """plugins:
  agentplug:
    executor: host_agent
    package_name: agent-plugin
    package_version: '1.0.0'
node_types:
  agentplug.nodes.Thing:
    derived_from: cloudify.nodes.Root
    interfaces:
      cloudify.interfaces.lifecycle:
        create: agentplug.agent_plugin.tasks.digest
"""
AARCH64 = "agent_plugin-1.0.0-py311-none-manylinux2014_aarch64.wgn"
WINDOWS = "agent_plugin-1.0.0-py311-none-win_amd64.wgn"
QEMU = shutil.which("qemu-aarch64-static") or shutil.which("qemu-aarch64")


@pytest.fixture(scope="module")
def wagons(tmp_path_factory: pytest.TempPathFactory, run_cli: Run) -> Path:
    """Both wagons of one build: cp311-manylinux2014_aarch64 and cp311-win_amd64."""
    interpreter("3.11")
    root = tmp_path_factory.mktemp("agent")
    project = write_plugin(root, "agent-plugin",
                           ["cloudify-common==7.0.5", "cryptography", "pyyaml"])
    (project / "agent_plugin" / "tasks.py").write_text(TASKS)
    (project / "plugin.yaml").write_text(PLUGIN_YAML)
    out = root / "out"
    run_cli("build", project, "--python", "3.11", "--platform", "manylinux2014_aarch64",
            "--platform", "win_amd64", "-o", out)
    return out


def test_every_aarch64_wheel_fits_and_the_pure_sdists_are_in(wagons: Path) -> None:
    names = wheel_names(wagons / AARCH64)
    for name in names:
        assert runs_on(name, (3, 11), (2, 17), arch="aarch64"), name
    projects = {parse_wheel_filename(n)[0] for n in names}
    assert {"cloudify-common", "proxy-tools", "cryptography", "pyyaml"} <= projects
    assert any(n.startswith("pyyaml-") and "aarch64" in n for n in names)


def test_the_windows_wagon_has_windows_wheels_only(wagons: Path, tmp_path: Path) -> None:
    names = wheel_names(wagons / WINDOWS)
    for name in names:
        platforms = {t.platform for t in parse_wheel_filename(name)[3]}
        assert platforms <= {"any", "win_amd64"}, name
        assert "linux" not in name, name
        assert "x86_64" not in name, name
    projects = {parse_wheel_filename(n)[0] for n in names}
    assert {"cloudify-common", "proxy-tools", "cryptography", "pyyaml"} <= projects
    assert any(n.startswith("pyyaml-") and n.endswith("win_amd64.whl") for n in names)
    with zipfile.ZipFile(wagons / WINDOWS) as archive:
        meta = json.loads(archive.read("agent-plugin/package.json"))
        archive.extractall(tmp_path)
    assert meta["supported_platform"] == "win_amd64"
    # SPEC §6: the installer's foreign-platform mode, from wheels/ alone.
    target = tmp_path / "target"
    subprocess.run(
        [uv_bin(), "pip", "install", "--no-config", "--target", target, "--python-platform",
         "x86_64-pc-windows-msvc", "--python-version", "3.11", "--offline", "--no-index",
         "--find-links", tmp_path / "agent-plugin" / "wheels", "--no-cache",
         "agent-plugin==1.0.0"],
        check=True, capture_output=True, timeout=300,
    )
    assert list(target.glob("yaml/_yaml.cp311-win_amd64.pyd"))
    assert (target / "cloudify" / "decorators.py").is_file()


def test_install_prepares_a_windows_site_packages_here(
    wagons: Path, run_cli: Run, tmp_path: Path
) -> None:
    dest = tmp_path / "site-packages"
    proc = run_cli("install", wagons / WINDOWS, "--target-dir", dest)
    assert f"into {dest} for Python 3.11 on the wagon's platform" in proc.stdout
    assert list(dest.glob("cryptography/hazmat/bindings/_rust.pyd"))
    assert (dest / "agent_plugin" / "tasks.py").is_file()


def test_wagon_103_shows_the_windows_wagon(wagons: Path, tmp_path: Path) -> None:
    venv: WagonVenv = make_wagon_venv("3.11", tmp_path / "wagon")
    shown = venv.wagon("show", wagons / WINDOWS).stdout
    assert "win_amd64" in shown
    assert "cloudify_common-7.0.5-py3-none-any.whl" in shown


def test_validate_installs_the_windows_wagon_for_windows_and_skips_running_it(
    wagons: Path, run_cli: Run
) -> None:
    code, checks = validate(run_cli, wagons / WINDOWS)
    assert code == 6
    assert checks["tags"] == ("passed", "every wheel's tags fit cp311-win_amd64")
    status, reason = checks["install:py311"]
    assert status == "passed"
    assert "into a target directory for win_amd64 (uv --python-platform x86_64-pc-windows-msvc)"\
        in reason
    assert checks["import:py311"][0] == "skipped"
    assert checks["operations:plugin.yaml:py311"][0] == "skipped"
    assert "win_amd64 code cannot run on this machine" in checks["import:py311"][1]
    assert checks["extensions:py311"][0] == "skipped"  # cryptography's .pyd, not loadable here
    assert {s for s, _ in checks.values()} <= {"passed", "warning", "skipped"}


@pytest.mark.skipif(QEMU is None, reason="needs qemu-user-static (.ci/run installs it)")
def test_the_aarch64_wagon_runs_under_emulation(wagons: Path, run_cli: Run) -> None:
    code, checks = validate(run_cli, wagons / AARCH64)
    assert code == 0, checks
    assert "run by " in checks["install:py311"][1]
    assert "qemu-aarch64" in checks["install:py311"][1]
    assert checks["import:py311"] == ("passed", "imported agent_plugin")
    assert checks["operations:plugin.yaml:py311"] == (
        "passed", "operation mappings imported and looked up as callables: 1")
    status, reason = checks["extensions:py311"]
    assert status == "passed"
    assert "loaded under emulation with RTLD_NOW" in reason


def swap_wheel(wagon: Path, name: str, replacement: Path, dest: Path) -> Path:
    """`wagon` with `name`'s bytes replaced by `replacement`'s, digests in package.json updated,
    so that only running the code can tell."""
    data = replacement.read_bytes()
    with zipfile.ZipFile(wagon) as source, zipfile.ZipFile(dest, "w") as out:
        for item in source.infolist():
            content = source.read(item)
            if item.filename.endswith(f"/wheels/{name}"):
                content = data
            elif item.filename.endswith("/package.json"):
                meta = json.loads(content)
                meta["plugin_packager"]["wheels"][name] = {
                    "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
                content = json.dumps(meta, indent=2, sort_keys=True).encode()
            out.writestr(item, content)
    return dest


@pytest.mark.skipif(QEMU is None, reason="needs qemu-user-static (.ci/run installs it)")
def test_an_x86_64_wheel_under_an_aarch64_name_fails_under_emulation(
    wagons: Path, run_cli: Run, tmp_path: Path
) -> None:
    (yaml_wheel,) = [n for n in wheel_names(wagons / AARCH64) if n.startswith("pyyaml-")]
    version = parse_wheel_filename(yaml_wheel)[1]
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary", ":all:",
         "--platform", "manylinux2014_x86_64", "--python-version", "3.11", "-d", tmp_path / "x86",
         f"pyyaml=={version}"],
        check=True, capture_output=True, timeout=300,
    )
    (x86,) = (tmp_path / "x86").glob("*.whl")
    swapped = swap_wheel(wagons / AARCH64, yaml_wheel, x86, tmp_path / AARCH64)
    code, checks = validate(run_cli, swapped)
    assert code == 5
    assert checks["digests"][0] == "passed"
    assert checks["install:py311"][0] == "passed"
    status, reason = checks["operations:plugin.yaml:py311"]
    assert status == "failed"
    assert "agentplug.agent_plugin.tasks.digest: ImportError: cannot import name 'CSafeLoader'"\
        in reason
    status, reason = checks["extensions:py311"]
    assert status == "failed"
    assert reason.startswith(f"yaml/_yaml.cpython-311-x86_64-linux-gnu.so ({yaml_wheel}): ")


def test_win32_is_refused_naming_the_c_extension_without_a_wheel(
    run_cli: Run, tmp_path: Path
) -> None:
    interpreter("3.11")
    project = write_plugin(tmp_path, "agent-plugin",
                           ["cloudify-common==7.0.5", "cryptography", "pyyaml"])
    proc = run_cli("build", project, "--python", "3.11", "--platform", "win32",
                   "-o", tmp_path / "out", check=False)
    assert proc.returncode == 3, proc.stderr
    line = proc.stderr.strip().splitlines()[-1]
    assert line.startswith("plugin-packager: error: cp311-win32 cannot have 1 of its dependencies:"
                           " cryptography ")
    assert "(C extension: wheels only for other platforms (" in line
    assert "cloudify-common" not in line
    assert "building cryptography" not in proc.stderr  # refused from the index's file list
    assert not (tmp_path / "out").exists()
