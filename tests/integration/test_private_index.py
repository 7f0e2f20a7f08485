"""A private index with htpasswd authentication (real pypiserver + passlib): builds with
credentials from the environment, ~/.netrc and the URL; a refusal is one line; the password is
in nothing the build wrote or printed."""

from __future__ import annotations

import os
import urllib.error
import urllib.request
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from packager.builder.indexes import Indexes
from packager.builder.resolution import Candidate
from packager.builder.sdists import release_wheels
from tests.wagons import wheel_bytes

from .conftest import Run, read_package_json, write_plugin
from .pypiserver import pypiserver

USER, PASSWORD = "alice", "pr1vate-Pa55word"


@pytest.fixture(scope="module")
def private_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """pypiserver on a free loopback port, every action behind htpasswd, holding secret-dep."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # passlib imports crypt
        from passlib.apache import HtpasswdFile  # type: ignore[import-untyped]

    root = tmp_path_factory.mktemp("private-index")
    (root / "packages").mkdir()
    (root / "packages" / "secret_dep-0.1.0-py3-none-any.whl").write_bytes(
        wheel_bytes("secret-dep", "0.1.0", {"secret_dep/__init__.py": "VALUE = 1\n"}))
    users = HtpasswdFile(str(root / "htpasswd"), new=True)
    users.set_password(USER, PASSWORD)
    users.save()
    with pypiserver(root / "packages", root / "htpasswd", "update,download,list") as base:
        url = base + "simple/"
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(url, timeout=10)
        refused.value.close()
        assert refused.value.code == 401  # up, and refusing strangers
        yield url


def _env(tmp_path: Path, name: str, **extra: str) -> dict[str, str]:
    """A clean HOME and cache per build, so nothing is reused from a build with credentials."""
    home = tmp_path / f"home-{name}"
    home.mkdir()
    real_home = Path.home()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLUGIN_PACKAGER_INDEX")}
    return {**env, "HOME": str(home), "PLUGIN_PACKAGER_CACHE": str(tmp_path / f"cache-{name}"),
            "PYENV_ROOT": str(real_home / ".pyenv"), "UV_CACHE_DIR": str(real_home / ".cache/uv"),
            **extra}


def _leaks(roots: list[Path], *texts: str) -> list[str]:
    found = [str(p) for root in roots for p in root.rglob("*")
             if p.is_file() and PASSWORD.encode() in p.read_bytes()]
    return found + [text[:200] for text in texts if PASSWORD in text]


def test_private_index_with_credentials_from_env_netrc_and_url(
    tmp_path: Path, run_cli: Run, private_index: str
) -> None:
    project = write_plugin(tmp_path, "private-plugin", ["secret-dep"])
    netloc = private_index.split("/")[2]
    written = [project]
    outputs: list[str] = []

    def build(name: str, index: str, **extra: str) -> None:
        env = _env(tmp_path, name, **extra)
        out = tmp_path / f"out-{name}"
        proc = run_cli("build", project, "--python", "3.11", "--index-url", index, "-o", out,
                       "--json", env=env)
        (wagon,) = out.glob("*.wgn")
        assert any(w.startswith("secret_dep-") for w in read_package_json(wagon)["wheels"])
        written.extend([out, Path(env["PLUGIN_PACKAGER_CACHE"])])
        outputs.extend([proc.stdout, proc.stderr])

    build("env", private_index, PLUGIN_PACKAGER_INDEX_USERNAME=USER,
          PLUGIN_PACKAGER_INDEX_PASSWORD=PASSWORD)
    netrc_env = _env(tmp_path, "netrc-lock")
    (Path(netrc_env["HOME"]) / ".netrc").write_text(
        f"machine 127.0.0.1\nlogin {USER}\npassword {PASSWORD}\n")
    locked = run_cli("lock", project, "--python", "3.11", "--index-url", private_index,
                     env=netrc_env)
    outputs.extend([locked.stdout, locked.stderr])
    written.append(Path(netrc_env["PLUGIN_PACKAGER_CACHE"]))
    build("netrc", private_index, HOME=netrc_env["HOME"])
    build("url", private_index.replace(netloc, f"{USER}:{PASSWORD}@{netloc}"))
    assert list((project / "locks").glob("pylock.*.toml"))
    assert _leaks(written, *outputs) == []


@pytest.mark.parametrize(("index", "status"), [
    ("{url}", "401 Unauthorized"), ("{wrong}", "403 Forbidden"),
])
def test_refused_index_is_one_line_naming_it_without_the_password(
    tmp_path: Path, run_cli: Run, private_index: str, index: str, status: str
) -> None:
    project = write_plugin(tmp_path, "private-plugin", ["secret-dep"])
    netloc = private_index.split("/")[2]
    given = index.format(url=private_index,
                         wrong=private_index.replace(netloc, f"{USER}:{PASSWORD}x@{netloc}"))
    proc = run_cli("build", project, "--python", "3.11", "--index-url", given,
                   "-o", tmp_path / "out", env=_env(tmp_path, "none"), check=False)
    assert proc.returncode == 3, proc.stderr
    (line,) = [text for text in proc.stderr.splitlines() if "error" in text]
    assert f"the index {private_index} refused access ({status})" in line
    assert "PLUGIN_PACKAGER_INDEX_USERNAME" in line
    assert ("the credentials from the URL were turned down" in line) is (status == "403 Forbidden")
    assert _leaks([tmp_path / "cache-none"], proc.stdout, proc.stderr) == []


def test_release_wheels_asks_a_private_index_with_its_credentials(private_index: str) -> None:
    """A foreign target's sdist is judged by the wheels its release publishes: asked of the
    index with its credentials, as the look-ahead asks; without them the private index
    answered 401, the release seemed to publish no wheel, and its sdist was built for nothing."""
    with_password = private_index.replace("://", f"://{USER}:{PASSWORD}@")
    indexes = Indexes.parse(with_password, [], [], Path.cwd(), {})
    sdist = Candidate("secret-dep", "0.1.0", "secret_dep-0.1.0.tar.gz",
                      f"{private_index}secret-dep/secret_dep-0.1.0.tar.gz", None, True)
    assert release_wheels(sdist, indexes) == ("secret_dep-0.1.0-py3-none-any.whl",)
