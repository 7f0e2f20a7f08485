"""Cloudify's extra-packaging-instructions.sh as its builder images ran it: once per Python, with
PY311=1 in the 3.11 image, each run in its own copy of the project, which stays as it was."""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path

from .conftest import PROJECTS, Run, copy_project, interpreter, read_package_json, write_plugin

CP36, CP311 = "cp36-manylinux2014_x86_64", "cp311-manylinux2014_x86_64"


def snapshot(tree: Path) -> dict[str, bytes | None]:
    """Every path under `tree` (folders as None) with its bytes."""
    return {p.relative_to(tree).as_posix(): None if p.is_dir() else p.read_bytes()
            for p in sorted(tree.rglob("*"))}


def _git(project: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=project,
                   check=True, capture_output=True, timeout=60)


def _plugin_files(wagon: Path) -> dict[str, bytes]:
    """The members of the wagon's plugin wheel, by name."""
    with zipfile.ZipFile(wagon) as archive:
        (name,) = [n for n in archive.namelist() if "/wheels/flagged_plugin-" in n]
        archive.extract(name, wagon.parent / wagon.stem)
    with zipfile.ZipFile(wagon.parent / wagon.stem / name) as wheel:
        return {n: wheel.read(n) for n in wheel.namelist()}


def _flagged_project(tmp_path: Path) -> Path:
    """The test plugin in a git repository (its hook runs `git apply`, as Cloudify's do), with
    a `build/` of the user's own that the build must leave alone."""
    interpreter("3.6")
    project = copy_project(PROJECTS / "py-flag-hook", tmp_path / "plugin")
    _git(project, "init", "-q")
    _git(project, "add", "-A")
    _git(project, "commit", "-qm", "plugin")
    (project / "build").mkdir()
    (project / "build" / "mine.txt").write_text("the user's own build folder\n")
    return project


def test_hook_testing_py311_changes_the_311_wheel_only_and_leaves_the_tree(
    tmp_path: Path, run_cli: Run
) -> None:
    project = _flagged_project(tmp_path)
    before = snapshot(project)
    out = tmp_path / "out"
    proc = run_cli("build", project, "-o", out)
    wagons = {read_package_json(w)["plugin_packager"]["targets"][0]: w for w in out.glob("*.wgn")}
    assert set(wagons) == {CP36, CP311}
    new, old = _plugin_files(wagons[CP311]), _plugin_files(wagons[CP36])
    assert "flagged_plugin/py311_shim.py" in new
    assert b"PATCHED_FOR_311 = True" in new["flagged_plugin/__init__.py"]
    assert "flagged_plugin/py311_shim.py" not in old
    assert b"PATCHED_FOR_311" not in old["flagged_plugin/__init__.py"]
    assert "running the pre-build hook for Python 3.6" in proc.stderr
    assert "running the pre-build hook for Python 3.11" in proc.stderr
    assert snapshot(project) == before, "no build/, egg-info or hook output left in the project"


def test_combine_refuses_different_hooked_wheels_before_writing_anything(
    tmp_path: Path, run_cli: Run
) -> None:
    project = _flagged_project(tmp_path)
    proc = run_cli("build", project, "--combine", "-o", tmp_path / "out", check=False)
    assert proc.returncode == 2
    assert "cannot share a wagon" in proc.stderr
    assert [line for line in proc.stderr.splitlines() if "writing" in line] == []
    assert not (tmp_path / "out").exists()


def test_cloudify_script_stops_at_its_first_failing_command(tmp_path: Path, run_cli: Run) -> None:
    """Cloudify's builders sourced the script under `set -e`: a failing step fails the build
    instead of shipping a wheel without what the step should have made."""
    project = write_plugin(tmp_path, "stepped-plugin", [])
    (project / "extra-packaging-instructions.sh").write_text(
        "mkdir ./no/such/parent/shim\necho made > stepped_plugin/later.py\n")
    proc = run_cli("build", project, "--python", "3.11", "-o", tmp_path / "out", check=False)
    assert proc.returncode == 4
    assert "the pre-build hook `extra-packaging-instructions.sh` failed for Python 3.11" in proc.stderr
    assert "No such file or directory" in proc.stderr
    assert not (tmp_path / "out").exists()
