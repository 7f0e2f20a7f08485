"""A release whose sdist cannot be built for the target is no candidate: uv, backtracking into a
Python-2 sdist, stops at its metadata; the build excludes that release, says so, and resolves."""

from __future__ import annotations

from pathlib import Path

from tests.sdists import write_sdist

from .conftest import Run, read_package_json, write_plugin

PY2_SETUP = """try:
    import json
except ImportError, e:
    json = None
from setuptools import setup
setup(name={name!r}, version="2.0")
"""


def _good(dest: Path, name: str, version: str, requires: list[str]) -> None:
    write_sdist(dest, name, version, {"setup.py": "from setuptools import setup\n"
                f"setup(name={name!r}, version={version!r}, install_requires={requires!r})\n"})


def _excluded_line(tmp_path: Path, run_cli: Run, links: Path, name: str,
                   requirements: list[str]) -> str:
    """Build a plugin on `requirements` from `links`: it gets `name` 1.0, and says once that it
    excluded `name` 2.0; that line."""
    project = write_plugin(tmp_path, f"{name}-plugin", requirements)
    out = tmp_path / "out"
    proc = run_cli("build", project, "--find-links", links, "-o", out)
    (wagon,) = out.glob("*.wgn")
    wheels = read_package_json(wagon)["wheels"]
    assert any(w.startswith(f"{name.replace('-', '_')}-1.0-") for w in wheels), wheels
    excluded = [line for line in proc.stderr.splitlines() if f"excluded {name} 2.0" in line]
    assert len(excluded) == 1, proc.stderr
    assert "its sdist does not build for Python" in excluded[0]
    return excluded[0]


def test_a_python2_sdist_met_while_backtracking_is_excluded_and_named(
    tmp_path: Path, run_cli: Run
) -> None:
    links = tmp_path / "links"
    # alpha 3.0 needs a beta that does not exist, so uv backtracks to 2.0 (Python 2), then 1.0.
    _good(links, "pp-t22-alpha", "1.0", [])
    write_sdist(links, "pp-t22-alpha", "2.0", {"setup.py": PY2_SETUP.format(name="pp-t22-alpha")})
    _good(links, "pp-t22-alpha", "3.0", ["pp-t22-beta>=2"])
    _good(links, "pp-t22-beta", "1.0", [])
    line = _excluded_line(tmp_path, run_cli, links, "pp-t22-alpha", ["pp-t22-alpha", "pp-t22-beta"])
    assert "except ImportError, e:" in line


def test_a_python2_sdist_uv_took_from_its_pkg_info_is_excluded_when_it_fails_to_build(
    tmp_path: Path, run_cli: Run
) -> None:
    links = tmp_path / "links"
    _good(links, "pp-t22-gamma", "1.0", [])
    # Metadata 2.2 with nothing dynamic: uv reads PKG-INFO and never runs setup.py; our build does.
    write_sdist(links, "pp-t22-gamma", "2.0", {
        "PKG-INFO": "Metadata-Version: 2.2\nName: pp-t22-gamma\nVersion: 2.0\n",
        "setup.py": PY2_SETUP.format(name="pp-t22-gamma"),
    })
    line = _excluded_line(tmp_path, run_cli, links, "pp-t22-gamma", ["pp-t22-gamma"])
    assert "SyntaxError" in line
