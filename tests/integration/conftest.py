"""Integration fixtures: the real CLI in a subprocess, real interpreters, real wagon 1.0.3."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from packager.errors import TargetError
from packager.interpreters import find_interpreter

ROOT = Path(__file__).resolve().parents[2]
PROJECTS = ROOT / "tests" / "projects"
WAGON_REQUIREMENT = "wagon[dist]==1.0.3"
Run = Callable[..., "subprocess.CompletedProcess[str]"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.integration)


def interpreter(version: str) -> Path:
    """The machine's CPython `version`; the test is skipped, by name, when it has none."""
    major, minor = version.split(".")
    try:
        return find_interpreter((int(major), int(minor)), [], os.environ)
    except TargetError as exc:
        pytest.skip(f"Python {version} is not on this machine: {exc.message}")


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="session")
def run_cli(cache_dir: Path) -> Run:
    def run(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None,
            check: bool = True, umask: int = -1) -> subprocess.CompletedProcess[str]:
        full_env = {**os.environ, "PLUGIN_PACKAGER_CACHE": str(cache_dir), **(env or {})}
        proc = subprocess.run(
            [sys.executable, "-m", "packager", *map(str, args)],
            cwd=cwd, env=full_env, capture_output=True, text=True, check=False, timeout=900,
            umask=umask,
        )
        if check and proc.returncode != 0:
            raise AssertionError(f"plugin-packager {args} failed:\n{proc.stderr}")
        return proc

    return run


def copy_project(source: Path, dest: Path) -> Path:
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns("dist", "build", "*.egg-info", ".tox"))
    return dest


class WagonVenv:
    """A venv of one target Python with wagon 1.0.3 installed, as a release engineer sets it up."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.python = path / "bin" / "python"

    def wagon(
        self, *args: str | Path, check: bool = True, cwd: Path | None = None
    ) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            [self.path / "bin" / "wagon", *map(str, args)],
            capture_output=True, text=True, check=False, timeout=600, cwd=cwd,
        )
        if check and proc.returncode != 0:
            raise AssertionError(f"wagon {args} failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}")
        return proc

    def run_python(self, code: str) -> str:
        return subprocess.run(
            [self.python, "-c", code], capture_output=True, text=True, check=True, timeout=120
        ).stdout


def make_wagon_venv(version: str, dest: Path) -> WagonVenv:
    base = interpreter(version)
    subprocess.run([base, "-m", "venv", dest], check=True, timeout=300)
    subprocess.run(
        [dest / "bin" / "python", "-m", "pip", "install", "-q", WAGON_REQUIREMENT],
        check=True, timeout=600, capture_output=True,
    )
    return WagonVenv(dest)


@pytest.fixture
def fresh_wagon_venv(tmp_path: Path) -> Callable[[str], WagonVenv]:
    def make(version: str) -> WagonVenv:
        return make_wagon_venv(version, tmp_path / f"wagon-{version}")

    return make


def read_package_json(wagon: Path) -> dict[str, Any]:
    with zipfile.ZipFile(wagon) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith("/package.json")]
        data: dict[str, Any] = json.loads(archive.read(name))
        return data


PYPROJECT = """[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "{name}"
version = "{version}"
requires-python = "{requires_python}"
dependencies = {dependencies}

[tool.setuptools]
packages = ["{module}"]
"""


def write_plugin(
    root: Path, name: str, dependencies: list[str], version: str = "1.0.0", requires_python: str = ">=3.6"
) -> Path:
    """A minimal plugin project `root/name` with one empty package, made by the test itself."""
    module = name.replace("-", "_")
    project = root / name
    (project / module).mkdir(parents=True)
    (project / module / "__init__.py").write_text("")
    (project / "pyproject.toml").write_text(PYPROJECT.format(
        name=name, version=version, requires_python=requires_python, module=module,
        dependencies=json.dumps(dependencies),
    ))
    return project


CLOUDIFY_REQUIREMENTS = ("cloudify-common==7.0.5", "networkx<3", "pyyaml", "pytest")


@pytest.fixture(scope="session")
def cloudify_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Python 3.11 with cloudify-common 7.0.5 (its dsl_parser and mocks) and pytest, built once."""
    base = interpreter("3.11")
    venv = tmp_path_factory.mktemp("cloudify-venv")
    subprocess.run([base, "-m", "venv", venv], check=True, timeout=300)
    subprocess.run(
        [venv / "bin" / "python", "-m", "pip", "install", "-q", *CLOUDIFY_REQUIREMENTS],
        check=True, timeout=900, capture_output=True,
    )
    return venv
