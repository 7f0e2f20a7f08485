"""`publish` to a real pypiserver with htpasswd auth, then `pip install` the plugin back."""

from __future__ import annotations

import base64
import hashlib
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from packager._toml import tomllib

from .conftest import ROOT, Run, interpreter
from .pypiserver import pypiserver
from .test_site import hello_version

USER, PASSWORD = "releaser", "s3cret-never-shown"


@pytest.fixture
def index_url(tmp_path: Path) -> Iterator[str]:
    """A pypiserver on a free loopback port; uploads need USER:PASSWORD."""
    packages = tmp_path / "packages"
    packages.mkdir()
    # Apache's {SHA} scheme, which pypiserver's passlib reads, written without importing passlib.
    digest = base64.b64encode(hashlib.sha1(PASSWORD.encode()).digest()).decode()
    (tmp_path / "htpasswd").write_text(f"{USER}:{{SHA}}{digest}\n")
    with pypiserver(packages, tmp_path / "htpasswd", "update", "--disable-fallback") as url:
        yield url


def test_publish_uploads_installs_back_and_refuses_the_same_version(
    index_url: str, run_cli: Run, tmp_path: Path
) -> None:
    project = hello_version(tmp_path, "1.2.0")
    env = {"TWINE_USERNAME": USER, "TWINE_PASSWORD": PASSWORD}
    before = sorted(project.rglob("*"))
    done = run_cli("publish", project, "--repository-url", index_url, env=env)
    # Built in a copy, as `build` builds: no *.egg-info or build/ left in the project.
    assert sorted(project.rglob("*")) == before
    assert done.stdout.startswith(f"published hello-plugin 1.2.0 to {index_url}: ")
    assert "hello_plugin-1.2.0.tar.gz" in done.stdout
    assert "hello_plugin-1.2.0-py3-none-any.whl" in done.stdout

    target = tmp_path / "installed"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-cache-dir",
         "--index-url", index_url + "simple/", "--target", target, "hello-plugin==1.2.0"],
        check=True, timeout=300, capture_output=True,
    )
    assert (target / "hello_plugin-1.2.0.dist-info").is_dir()
    assert (target / "hello_plugin" / "tasks.py").is_file()

    again = run_cli("publish", project, "--repository-url", index_url, env=env, check=False)
    assert again.returncode == 8
    assert again.stderr.count("\n") == 1, again.stderr
    assert again.stderr.startswith(
        f"plugin-packager: error: {index_url} already has hello-plugin 1.2.0 (HTTP 400 ")
    wrong = run_cli("publish", project, "--repository-url", index_url, check=False,
                    env={"TWINE_USERNAME": USER, "TWINE_PASSWORD": "wrong-" + PASSWORD})
    assert wrong.returncode == 8
    assert "refused the credentials" in wrong.stderr
    for proc in (done, again, wrong):
        assert PASSWORD not in proc.stdout + proc.stderr


def lowest_twines() -> list[tuple[str, str]]:
    """(lowest allowed twine, a Python it runs on) for each Python line of the `publish` extra."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    found = []
    for requirement in map(Requirement, pyproject["project"]["optional-dependencies"]["publish"]):
        (spec,) = requirement.specifier
        assert requirement.name == "twine", requirement
        assert spec.operator == ">=", requirement
        python = "3.9" if requirement.marker and requirement.marker.evaluate(
            {"python_version": "3.9"}) else "3.11"
        found.append((spec.version, python))
    return found


@pytest.mark.parametrize(("twine", "python"), lowest_twines())
def test_the_lowest_allowed_twine_accepts_our_dists_and_a_new_plugins(
    tmp_path: Path, run_cli: Run, twine: str, python: str
) -> None:
    """The publish extra's lower bound must read the metadata our build backends write today:
    Metadata-Version 2.5 (hatchling, our own wheel) and 2.4 (setuptools >= 77, a `new` plugin)."""
    venv = tmp_path / "venv"
    uv = Path(sys.executable).parent / "uv"
    subprocess.run([uv, "venv", "-q", "-p", interpreter(python), venv], check=True, timeout=120)
    subprocess.run([uv, "pip", "install", "-q", "-p", venv / "bin" / "python", f"twine=={twine}"],
                   check=True, timeout=300)
    run_cli("new", "--no-input", "-o", tmp_path / "new")
    (plugin,) = (tmp_path / "new").iterdir()
    dists = [plugin]
    if python != "3.9":  # release.yml uploads our own dists with twine >= 7 on 3.11
        dists.append(ROOT)
    for source in dists:
        subprocess.run([uv, "build", "-q", "-o", tmp_path / "dist", source], check=True, timeout=300,
                       capture_output=True)
    files = sorted(p for p in (tmp_path / "dist").iterdir() if p.name.endswith((".whl", ".tar.gz")))
    versions = {zipfile.ZipFile(w).read(next(n for n in zipfile.ZipFile(w).namelist()
                                             if n.endswith(".dist-info/METADATA")))
                .decode().split("\n", 1)[0] for w in files if w.suffix == ".whl"}
    assert versions == ({"Metadata-Version: 2.4", "Metadata-Version: 2.5"} if python != "3.9"
                        else {"Metadata-Version: 2.4"})
    check = subprocess.run([venv / "bin" / "twine", "check", "--strict", *files],
                           capture_output=True, text=True, timeout=300, check=False)
    assert check.returncode == 0, check.stdout + check.stderr
