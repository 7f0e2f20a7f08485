"""Targets this machine cannot run: wheels only, tags and markers for the target, never the host."""

from __future__ import annotations

import zipfile
from pathlib import Path

from packaging.utils import parse_wheel_filename

from ..sdists import write_c_sdist
from .conftest import Run, interpreter, read_package_json, write_plugin
from .floors import runs_on


def plugin(root: Path, *deps: str) -> Path:
    return write_plugin(root, "arm-plugin", list(deps), version="1.2.0")


def wheel_names(wagon: Path) -> list[str]:
    with zipfile.ZipFile(wagon) as archive:
        return sorted(n.rsplit("/", 1)[1] for n in archive.namelist() if "/wheels/" in n)


def test_aarch64_wagon_on_an_x86_64_machine(tmp_path: Path, run_cli: Run) -> None:
    interpreter("3.11")
    project = plugin(
        tmp_path,
        "cryptography", "pyyaml", "cffi",
        # Differs by machine and by Python: the target, not this host, decides.
        "six; platform_machine == 'aarch64'",
        "idna; platform_machine == 'x86_64'",
        "typing-extensions; python_version < '3.12'",
        "tomli; python_version >= '3.12'",
    )
    out = tmp_path / "out"
    run_cli("build", project, "--python", "3.11", "--platform", "manylinux2014_aarch64", "-o", out)
    (wagon,) = out.glob("*.wgn")
    assert wagon.name == "arm_plugin-1.2.0-py311-none-manylinux2014_aarch64.wgn"
    assert read_package_json(wagon)["supported_platform"] == "manylinux2014_aarch64"
    names = wheel_names(wagon)
    for name in names:
        assert runs_on(name, (3, 11), (2, 17), arch="aarch64"), name
        assert "x86_64" not in name
    projects = {parse_wheel_filename(n)[0] for n in names}
    assert {"cryptography", "pyyaml", "cffi", "six", "typing-extensions"} <= projects
    assert "idna" not in projects
    assert "tomli" not in projects
    assert any(n.startswith("cryptography-") and "aarch64" in n for n in names)


def test_the_same_markers_for_the_host_arch_and_a_newer_python(tmp_path: Path, run_cli: Run) -> None:
    interpreter("3.13")
    project = plugin(
        tmp_path,
        "six; platform_machine == 'aarch64'",
        "idna; platform_machine == 'x86_64'",
        "typing-extensions; python_version < '3.12'",
        "tomli; python_version >= '3.12'",
    )
    out = tmp_path / "out"
    run_cli("build", project, "--python", "3.13", "--platform", "manylinux2014_x86_64", "-o", out)
    (wagon,) = out.glob("*.wgn")
    projects = {parse_wheel_filename(n)[0] for n in wheel_names(wagon)}
    assert projects == {"arm-plugin", "idna", "tomli"}


def test_a_c_extension_sdist_is_refused_for_aarch64_by_name_alone(
    tmp_path: Path, run_cli: Run
) -> None:
    interpreter("3.11")
    links = tmp_path / "links"
    write_c_sdist(links, "pp-cext-foreign", "0.3.0")
    project = plugin(tmp_path, "pp-cext-foreign==0.3.0", "cloudify-common==7.0.5")
    out = tmp_path / "out"
    proc = run_cli("build", project, "--python", "3.11", "--platform", "manylinux2014_aarch64",
                   "--find-links", links, "-o", out, check=False)
    assert proc.returncode == 3, proc.stderr
    (line,) = [l for l in proc.stderr.splitlines() if l.startswith("plugin-packager: error:")]
    assert "cp311-manylinux2014_aarch64 cannot have 1 of its dependencies" in line
    assert "pp-cext-foreign 0.3.0 (C extension: its sdist builds" in line
    assert "cloudify-common" not in line.split("(hint:")[0]
    assert "--find-links" in line
    assert "native runner" in line
    assert not out.exists()


def test_explain_says_why_against_the_real_index(run_cli: Run) -> None:
    proc = run_cli("explain", "numpy", "cp39-manylinux2014_x86_64", "--versions", "1")
    first, second, third = proc.stdout.splitlines()[:3]
    assert first.startswith("numpy for cp39-manylinux2014_x86_64: newest usable release 2.0.2 (")
    assert "no usable wheel" in second
    assert "Requires-Python" in third
    assert "excludes 3.9" in third
