"""A target is one exact Python (3.6.8), not "3.6 and newer": every pinned file admits it."""

from __future__ import annotations

import subprocess
from pathlib import Path

from packager._toml import tomllib

from .conftest import Run, interpreter, read_package_json, write_plugin


def _pins(lock: Path) -> dict[str, str]:
    packages = tomllib.loads(lock.read_text(encoding="utf-8"))["packages"]
    return {p["name"]: p["version"] for p in packages}


def test_cp36_gets_the_last_jsonpatch_that_admits_36_and_validates(
    tmp_path: Path, run_cli: Run
) -> None:
    interpreter("3.6")
    # jsonpatch 1.33 and jsonpointer 2.4 say Requires-Python !=3.6.*, which uv's ">=3.6" admits.
    project = write_plugin(tmp_path, "patch-plugin", ["jsonpatch"])
    out = tmp_path / "out"
    proc = run_cli("build", project, "--python", "3.6", "--validate", "-o", out)
    (wagon,) = out.glob("*.wgn")
    wheels = read_package_json(wagon)["wheels"]
    assert any(w.startswith("jsonpatch-1.32-") for w in wheels), wheels
    assert any(w.startswith("jsonpointer-2.3-") for w in wheels), wheels
    assert "excluded jsonpatch 1.33: its Requires-Python" in proc.stderr
    checks = run_cli("validate", "--verbose", wagon).stdout
    assert "install:py36" in checks


def test_the_patch_version_decides_what_is_pinned(tmp_path: Path, run_cli: Run) -> None:
    interpreter("3.6")
    # pyparsing 3.0.8 and later say Requires-Python >=3.6.8; httplib2 0.31.1 takes any 3.x.
    project = write_plugin(tmp_path, "http-plugin", ["httplib2==0.31.1"])
    run_cli("lock", project, "--python", "3.6.8")
    (lock,) = (project / "locks").glob("pylock.cp36-*.toml")
    assert lock.name == "pylock.cp36-manylinux2014_x86_64.toml"
    assert _pins(lock)["pyparsing"] == "3.1.4"
    run_cli("lock", project, "--python", "3.6.0")
    assert _pins(lock)["pyparsing"] == "3.0.7"
    proc = run_cli("build", project, "--python", "3.6.8", "-o", tmp_path / "out", check=False)
    assert proc.returncode == 3
    assert "was locked for Python 3.6.0, the target is 3.6.8" in proc.stderr.splitlines()[-1]


def test_the_full_version_is_recorded_and_defaults_to_the_interpreter(
    tmp_path: Path, run_cli: Run
) -> None:
    py36 = interpreter("3.6")
    project = write_plugin(tmp_path, "plain-plugin", [])
    out = tmp_path / "out"
    run_cli("build", project, "--python", "3.6", "-o", out, "--interpreter", py36)
    (wagon,) = out.glob("*.wgn")
    full = read_package_json(wagon)["plugin_packager"]["python_full_versions"]
    patch = subprocess.run([py36, "-c", "import platform; print(platform.python_version())"],
                           check=True, capture_output=True, text=True, timeout=60).stdout.strip()
    assert full == {"cp36-manylinux2014_x86_64": patch}
