"""`publish` failures are one line each, with the README's exit code, whatever twine printed:
an index that cannot be reached (nothing listening; a name that does not resolve), and no
credentials at all. twine is real; the distribution is a wheel the test writes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.wagons import wheel_bytes

from .conftest import Run
from .pypiserver import free_port


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    folder = tmp_path / "dist"
    folder.mkdir()
    (folder / "demo_plugin-0.1.0-py3-none-any.whl").write_bytes(
        wheel_bytes("demo-plugin", "0.1.0", {"demo_plugin/__init__.py": ""}))
    return folder


CREDENTIALS = {"TWINE_USERNAME": "releaser", "TWINE_PASSWORD": "an-upload-token-1234"}


@pytest.mark.parametrize(("host", "reason"), [
    ("127.0.0.1:{port}", "Connection refused"),
    ("no-such-host.invalid", "no-such-host.invalid"),
], ids=["nothing-listening", "unknown-name"])
def test_an_unreachable_index_is_one_network_line_exit_3(
    run_cli: Run, dist: Path, host: str, reason: str
) -> None:
    url = f"http://{host.format(port=free_port())}/legacy/"
    proc = run_cli("publish", "--dist", dist, "--repository-url", url, env=CREDENTIALS,
                   check=False)
    assert proc.returncode == 3, proc.stderr
    assert proc.stderr.count("\n") == 1, proc.stderr
    assert proc.stderr.startswith(f"plugin-packager: error: cannot reach {url} to upload"
                                  " demo-plugin 0.1.0: "), proc.stderr
    assert reason in proc.stderr
    for twine_words in ("File \"", "Traceback", "raise ", "HTTPConnectionPool", " | "):
        assert twine_words not in proc.stderr
    assert CREDENTIALS["TWINE_PASSWORD"] not in proc.stderr + proc.stdout


def test_no_credentials_is_one_configuration_line(run_cli: Run, dist: Path, tmp_path: Path) -> None:
    assert "TWINE_USERNAME" not in os.environ  # an empty value would count as given
    env = {"HOME": str(tmp_path), "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}
    url = f"http://127.0.0.1:{free_port()}/legacy/"
    proc = run_cli("publish", "--dist", dist, "--repository-url", url, env=env, check=False)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1, proc.stderr
    assert proc.stderr.startswith(
        f"plugin-packager: error: no credentials to upload demo-plugin 0.1.0 to {url}"), proc.stderr
    assert "TWINE_USERNAME" in proc.stderr
    assert "INFO" not in proc.stderr
