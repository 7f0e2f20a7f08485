"""The README's first command, run as a new user would: a fresh venv, `pip install .`, build."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from .conftest import ROOT, interpreter, read_package_json


def readme_command(name: str) -> str:
    text = (ROOT / "README.md").read_text()
    match = re.search(rf"<!-- command:{name} -->\s*```sh\n(.+?)\n```", text, re.DOTALL)
    assert match, f"README has no {name} command"
    return match.group(1)


def test_readme_build_command_works_on_a_fresh_checkout(tmp_path: Path) -> None:
    interpreter("3.11")
    checkout = tmp_path / "plugin-packager"
    # Not "build": packager/builder/ is source (only the projects' build/ folders are outputs).
    shutil.copytree(ROOT, checkout, ignore=shutil.ignore_patterns(
        ".git", ".venv", ".nox", "dist", "*.egg-info", "__pycache__", ".*_cache"
    ))
    proc = subprocess.run(
        ["bash", "-c", readme_command("build")], cwd=checkout, capture_output=True, text=True,
        timeout=900, check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    (wagon,) = (checkout / "dist").glob("*.wgn")
    assert wagon.name == "hello_plugin-1.0.0-manylinux-py311-none-manylinux2014_x86_64.wgn"
    assert read_package_json(wagon)["package_version"] == "1.0.0"
    assert proc.stdout.strip().splitlines()[-1] == str(wagon)


def test_readme_test_command_is_what_ci_runs() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    assert "command:test" in ci
    assert "pytest" in readme_command("test")
