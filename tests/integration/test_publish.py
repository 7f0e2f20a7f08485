"""`publish` to a real pypiserver with htpasswd auth, then `pip install` the plugin back."""

from __future__ import annotations

import base64
import hashlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import Run
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
    done = run_cli("publish", project, "--repository-url", index_url, env=env)
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
