"""Targets after the first resolve with the metadata of the sdists the first one built, and a
target whose setup.py says otherwise resolves again on its own: either way each wagon is the
one a build of its Python alone makes."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from ..sdists import write_sdist
from .conftest import Run, interpreter, write_plugin

SETUP = """import sys
from setuptools import setup
setup(name={name!r}, version="0.1.0", py_modules=[{module!r}],
      install_requires=["six"] + (["idna"] if {branch} and sys.version_info >= (3, 12) else []))
"""


def wheels_of(wagon: Path) -> list[str]:
    with zipfile.ZipFile(wagon) as archive:
        return sorted(n.rpartition("/")[2].split("-")[0] for n in archive.namelist()
                      if n.endswith(".whl"))


@pytest.mark.parametrize("branch", [False, True], ids=["same-metadata", "setup-py-branches"])
def test_a_second_python_borrows_the_first_ones_sdist_metadata(
    tmp_path: Path, run_cli: Run, branch: bool
) -> None:
    interpreter("3.11")
    interpreter("3.12")
    name = "pp-branchy" if branch else "pp-steady"
    module = name.replace("-", "_")
    links = tmp_path / "links"
    write_sdist(links, name, "0.1.0", {
        "setup.py": SETUP.format(name=name, module=module, branch=branch),
        f"{module}.py": "",
    })
    project = write_plugin(tmp_path, f"{name}-plugin", [f"{name}==0.1.0"])
    common = ["--platform", "manylinux2014_x86_64", "--find-links", links, "--verbose"]
    both = run_cli("build", project, "--python", "3.11", "--python", "3.12", *common,
                   "-o", tmp_path / "both")
    said = both.stdout + both.stderr
    assert "cp312-manylinux2014_x86_64: resolving with the metadata of 1 sdists built for cp311" \
        in said
    redone = f"{name} 0.1.0 says other requirements on 3.12"
    assert (redone in said) == branch
    # Alone, with caches of its own (uv keeps a local sdist's metadata for every Python).
    run_cli("build", project, "--python", "3.12", *common, "-o", tmp_path / "alone",
            env={"PLUGIN_PACKAGER_CACHE": str(tmp_path / "alone-cache"),
                 "UV_CACHE_DIR": str(tmp_path / "alone-uv")})
    (py312,) = (tmp_path / "both").glob("*-py312-*.wgn")
    (alone,) = (tmp_path / "alone").glob("*.wgn")
    assert py312.read_bytes() == alone.read_bytes()
    (py311,) = (tmp_path / "both").glob("*-py311-*.wgn")
    assert ("idna" in wheels_of(py312), "idna" in wheels_of(py311)) == (branch, False)
    assert module in wheels_of(py312)
