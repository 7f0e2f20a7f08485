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
setup(name="pp-t22-alpha", version="2.0")
"""


def _good(dest: Path, name: str, version: str, requires: list[str]) -> None:
    write_sdist(dest, name, version, {"setup.py": "from setuptools import setup\n"
                f"setup(name={name!r}, version={version!r}, install_requires={requires!r})\n"})


def test_a_python2_sdist_met_while_backtracking_is_excluded_and_named(
    tmp_path: Path, run_cli: Run
) -> None:
    links = tmp_path / "links"
    # alpha 3.0 needs a beta that does not exist, so uv backtracks to 2.0 (Python 2), then 1.0.
    _good(links, "pp-t22-alpha", "1.0", [])
    write_sdist(links, "pp-t22-alpha", "2.0", {"setup.py": PY2_SETUP})
    _good(links, "pp-t22-alpha", "3.0", ["pp-t22-beta>=2"])
    _good(links, "pp-t22-beta", "1.0", [])
    project = write_plugin(tmp_path, "alpha-plugin", ["pp-t22-alpha", "pp-t22-beta"])
    out = tmp_path / "out"
    proc = run_cli("build", project, "--find-links", links, "-o", out)
    (wagon,) = out.glob("*.wgn")
    wheels = read_package_json(wagon)["wheels"]
    assert any(w.startswith("pp_t22_alpha-1.0-") for w in wheels), wheels
    excluded = [line for line in proc.stderr.splitlines() if "excluded pp-t22-alpha 2.0" in line]
    assert len(excluded) == 1, proc.stderr
    assert "its sdist does not build for Python" in excluded[0]
    assert "except ImportError, e:" in excluded[0]
