"""Index credentials against the attacks that worked (issue 20, items 6-8), with a real pypiserver
behind htpasswd: `explain` with `user:password@` in its URL; a pre-build hook and sdists' setup.py
(run by uv to resolve and to build) that dump their environment and `cat "$NETRC"`; a build
stopped by SIGTERM or kill -9 while uv runs a setup.py. The password must be nowhere third-party
code can read it from its environment, and in no file once the build is gone."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.sdists import write_sdist
from tests.wagons import wheel_bytes

from .conftest import Run, read_package_json, write_plugin
from .pypiserver import pypiserver

USER, PASSWORD = "mallory-target", "Sup3r-s3cret-Pa55"

# A setup.py that records what it can see: its environment, and the file NETRC names.
DUMPING_SETUP = '''import os, pathlib, time
from setuptools import setup
out = pathlib.Path({dumps!r})
out.mkdir(parents=True, exist_ok=True)
seen = "\\n".join(f"{{k}}={{v}}" for k, v in os.environ.items())
try:
    seen += "\\nNETRC FILE:\\n" + pathlib.Path(os.environ["NETRC"]).read_text()
except (KeyError, OSError) as exc:
    seen += f"\\nno netrc: {{exc!r}}"
(out / f"{name}-{{os.getpid()}}.txt").write_text(seen)
time.sleep({sleep})
setup({args})
'''


def _setuptools_wheel() -> Path:
    """A setuptools wheel for the private index (build environments ask it for setuptools>=61)."""
    base = Path(sys.base_prefix) / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}"
    found = sorted((base / "ensurepip" / "_bundled").glob("setuptools-*.whl"))
    if not found:
        pytest.skip(f"no setuptools wheel bundled with {sys.base_prefix}")
    return found[-1]


@contextmanager
def _private_index(root: Path, dumps: Path, sleep: int = 0) -> Iterator[str]:
    """pypiserver behind htpasswd holding `leaky`, an sdist whose setup.py dumps what it sees into
    `dumps` (then sleeps `sleep` s), and setuptools; yields the simple URL without credentials."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # passlib imports crypt
        from passlib.apache import HtpasswdFile  # type: ignore[import-untyped]

    packages = root / "packages"
    packages.mkdir(parents=True)
    write_sdist(packages, "leaky", "0.1.0",
                {"setup.py": DUMPING_SETUP.format(dumps=str(dumps), name="leaky", sleep=sleep,
                                                    args="name='leaky', version='0.1.0'")})
    (packages / "secret_dep-0.1.0-py3-none-any.whl").write_bytes(
        wheel_bytes("secret-dep", "0.1.0", {"secret_dep/__init__.py": "VALUE = 1\n"}))
    shutil.copy(_setuptools_wheel(), packages)
    users = HtpasswdFile(str(root / "htpasswd"), new=True)
    users.set_password(USER, PASSWORD)
    users.save()
    with pypiserver(packages, root / "htpasswd", "update,download,list") as base:
        yield base + "simple/"


def _with_credentials(url: str) -> str:
    scheme, rest = url.split("://", 1)
    return f"{scheme}://{USER}:{PASSWORD}@{rest}"


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """A clean HOME, cache and TMPDIR, so a leak is in a place the test reads."""
    home, tmp = tmp_path / "home", tmp_path / "tmpdir"
    home.mkdir(exist_ok=True)
    tmp.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLUGIN_PACKAGER_INDEX")}
    return {**env, "HOME": str(home), "TMPDIR": str(tmp),
            "PLUGIN_PACKAGER_CACHE": str(tmp_path / "cache"),
            "PYENV_ROOT": str(Path.home() / ".pyenv"), "UV_CACHE_DIR": str(tmp_path / "uv-cache"),
            **extra}


def _files_holding_the_password(*roots: Path) -> list[str]:
    return sorted(str(p) for root in roots if root.exists() for p in root.rglob("*")
                  if p.is_file() and not p.is_symlink() and PASSWORD.encode() in p.read_bytes())


def test_explain_uses_credentials_in_the_url_like_build_and_never_prints_them(
    tmp_path: Path, run_cli: Run
) -> None:
    with _private_index(tmp_path / "index", tmp_path / "dumps") as url:
        given = _with_credentials(url)
        proc = run_cli("explain", "secret-dep", "cp311-manylinux2014_x86_64", "--index-url", given,
                       env=_env(tmp_path), check=False)
        assert PASSWORD not in proc.stdout + proc.stderr
        assert proc.returncode == 0, proc.stderr
        assert "secret-dep for cp311-manylinux2014_x86_64: newest usable release 0.1.0" in proc.stdout
        # The environment's credentials serve explain as they serve build.
        from_env = run_cli("explain", "leaky", "cp311-manylinux2014_x86_64", "--index-url", url,
                           env=_env(tmp_path, PLUGIN_PACKAGER_INDEX_USERNAME=USER,
                                    PLUGIN_PACKAGER_INDEX_PASSWORD=PASSWORD), check=False)
        assert from_env.returncode == 0, from_env.stderr
        assert "0.1.0: no usable wheel; sdist leaky-0.1.0.tar.gz" in from_env.stdout
        # Without them: the one line build gives for a refusing index, exit 3.
        refused = run_cli("explain", "leaky", "cp311-manylinux2014_x86_64", "--index-url", url,
                          env=_env(tmp_path), check=False)
        assert refused.returncode == 3, refused.stderr
        assert refused.stderr.count("\n") == 1, refused.stderr
        assert f"the index {url}leaky/ refused access (401" in refused.stderr
        wrong = run_cli("explain", "leaky", "cp311-manylinux2014_x86_64", "--index-url",
                        given.replace(PASSWORD, PASSWORD + "x"), env=_env(tmp_path), check=False)
        assert wrong.returncode == 3
        assert "the credentials from the URL were turned down" in wrong.stderr
        assert PASSWORD not in wrong.stdout + wrong.stderr


def test_hooks_and_setup_py_see_no_credential_and_no_netrc(tmp_path: Path, run_cli: Run) -> None:
    dumps = tmp_path / "dumps"
    project = write_plugin(tmp_path, "leak-plugin", ["leaky", "secret-dep"])
    # The plugin's own setup.py runs too when its wheel is built.
    (project / "setup.py").write_text(DUMPING_SETUP.format(dumps=str(dumps), name="plugin",
                                                           sleep=0, args=""))
    with (project / "pyproject.toml").open("a") as toml:
        toml.write(f'\n[tool.plugin-packager]\npre-build = "mkdir -p {dumps}; env > {dumps}/hook.txt;'
                   f' cat \\"$NETRC\\" >> {dumps}/hook.txt 2>&1; true"\n')
    with _private_index(tmp_path / "index", dumps) as url:
        env = _env(tmp_path, PLUGIN_PACKAGER_INDEX_URL=_with_credentials(url),
                   PLUGIN_PACKAGER_INDEX_USERNAME=USER, PLUGIN_PACKAGER_INDEX_PASSWORD=PASSWORD)
        proc = run_cli("build", project, "--python", "3.11", "-o", tmp_path / "out", env=env)
    (wagon,) = (tmp_path / "out").glob("*.wgn")
    wheels = read_package_json(wagon)["wheels"]
    assert any(w.startswith("leaky-") for w in wheels)
    assert any(w.startswith("secret_dep-") for w in wheels)
    seen = {p.name: p.read_text() for p in dumps.iterdir()}
    # The hook, the plugin's setup.py, and leaky's: once as uv resolves, once as it is built.
    assert "hook.txt" in seen
    assert any(n.startswith("plugin-") for n in seen)
    assert len([n for n in seen if n.startswith("leaky-")]) >= 2, sorted(seen)
    for name, text in seen.items():
        assert PASSWORD not in text, name
        assert "NETRC=" not in text, name
        assert "PLUGIN_PACKAGER_INDEX_USERNAME" not in text, name
    assert f"PLUGIN_PACKAGER_INDEX_URL={url}" in seen["hook.txt"]  # the URL, without credentials
    assert PASSWORD not in proc.stdout + proc.stderr
    assert _files_holding_the_password(tmp_path / "out", tmp_path / "cache", tmp_path / "uv-cache",
                                       tmp_path / "tmpdir", project) == []


@pytest.mark.parametrize("kill", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "kill-9"])
def test_a_build_killed_mid_resolution_leaves_no_credential_on_disk(
    tmp_path: Path, kill: signal.Signals
) -> None:
    dumps = tmp_path / "dumps"
    project = write_plugin(tmp_path, "slow-plugin", ["leaky"])
    with _private_index(tmp_path / "index", dumps, sleep=120) as url:
        env = _env(tmp_path, PLUGIN_PACKAGER_INDEX_USERNAME=USER,
                   PLUGIN_PACKAGER_INDEX_PASSWORD=PASSWORD)
        log = tmp_path / "build.log"
        with log.open("w") as stderr:
            build = subprocess.Popen(
                [sys.executable, "-m", "packager", "build", str(project), "--python", "3.11",
                 "--index-url", url, "-o", str(tmp_path / "out")],
                env=env, stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True,
            )
        try:
            deadline = time.monotonic() + 240
            while not (dumps.is_dir() and any(dumps.iterdir())):  # uv runs leaky's setup.py
                assert build.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "uv never ran leaky's setup.py"
                time.sleep(0.2)
            os.kill(build.pid, kill)
            build.wait(timeout=60)
        finally:
            os.killpg(build.pid, signal.SIGKILL)  # uv and the setup.py it runs, left behind
            build.wait(timeout=60)
    assert build.returncode != 0
    assert _files_holding_the_password(tmp_path / "tmpdir", tmp_path / "cache", tmp_path / "home",
                                       tmp_path / "uv-cache", project) == []
