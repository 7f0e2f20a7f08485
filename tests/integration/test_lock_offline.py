"""lock → build reuses the pins; --offline rebuilds with the network cut; tampering is caught."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import zipfile
from pathlib import Path

from .conftest import ROOT, Run, copy_project, interpreter

# Every URL scheme goes through a proxy that does not exist: any network use fails fast.
NO_NETWORK = {
    "http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9",
    "HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9",
    "ALL_PROXY": "http://127.0.0.1:9", "UV_INDEX_URL": "http://127.0.0.1:9/simple",
    "PIP_INDEX_URL": "http://127.0.0.1:9/simple", "no_proxy": "", "NO_PROXY": "",
}


def test_lock_then_offline_rebuild_then_tampering(tmp_path: Path, run_cli: Run) -> None:
    interpreter("3.11")
    project = copy_project(ROOT / "examples" / "hello-plugin", tmp_path / "hello")
    run_cli("lock", project, "--python", "3.11")
    lock = project / "locks" / "pylock.cp311-manylinux2014_x86_64.toml"
    text = lock.read_text()
    assert 'name = "pyyaml"' in text
    assert "sha256 = " in text
    online = run_cli("build", project, "--python", "3.11", "-o", tmp_path / "online")
    assert "using pylock.cp311-manylinux2014_x86_64.toml" in online.stderr
    (wagon,) = (tmp_path / "online").glob("*.wgn")

    # The local wheel source: the wagon's own wheels plus the plugin's build backend.
    wheels = tmp_path / "wheels"
    with zipfile.ZipFile(wagon) as archive:
        for name in archive.namelist():
            if "/wheels/" in name and not name.split("/")[-1].startswith("hello_plugin-"):
                (wheels / name.split("/")[-1]).parent.mkdir(exist_ok=True)
                (wheels / name.split("/")[-1]).write_bytes(archive.read(name))
    subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", wheels,
                    "setuptools>=61"], check=True, timeout=300, env={**os.environ, "PIP_CONFIG_FILE": os.devnull})

    def offline(out: str, cache: str) -> subprocess.CompletedProcess[str]:
        env = {**NO_NETWORK, "PLUGIN_PACKAGER_CACHE": str(tmp_path / cache),
               "UV_CACHE_DIR": str(tmp_path / f"uv-{cache}")}
        return run_cli("build", project, "--python", "3.11", "--offline", "--find-links", wheels,
                       "-o", tmp_path / out, env=env, check=False)

    done = offline("offline", "cache1")
    assert done.returncode == 0, done.stderr
    (rebuilt,) = (tmp_path / "offline").glob("*.wgn")
    assert rebuilt.name == wagon.name
    assert hashlib.sha256(rebuilt.read_bytes()).hexdigest() == hashlib.sha256(wagon.read_bytes()).hexdigest()

    (yaml_wheel,) = wheels.glob("pyyaml-*.whl")
    yaml_wheel.write_bytes(yaml_wheel.read_bytes() + b"tampered")
    refused = offline("tampered", "cache2")
    assert refused.returncode == 3
    last = refused.stderr.strip().splitlines()[-1]
    assert f"{yaml_wheel} has sha256" in last
    assert "the lock says" in last
    assert not (tmp_path / "tampered").exists()


def test_offline_without_a_lock_is_refused(tmp_path: Path, run_cli: Run) -> None:
    interpreter("3.11")
    project = copy_project(ROOT / "examples" / "hello-plugin", tmp_path / "hello")
    proc = run_cli("build", project, "--python", "3.11", "--offline", "-o", tmp_path / "out",
                   env=NO_NETWORK, check=False)
    assert proc.returncode == 3
    assert "--offline needs a lock for cp311-manylinux2014_x86_64" in proc.stderr


def test_a_stale_lock_is_refused(tmp_path: Path, run_cli: Run) -> None:
    interpreter("3.11")
    project = copy_project(ROOT / "examples" / "hello-plugin", tmp_path / "hello")
    run_cli("lock", project, "--python", "3.11")
    path = project / "pyproject.toml"
    path.write_text(path.read_text().replace('"PyYAML>=5.4"', '"PyYAML>=5.4", "six"'))
    proc = run_cli("build", project, "--python", "3.11", "-o", tmp_path / "out", check=False)
    assert proc.returncode == 3
    assert "is stale" in proc.stderr
    assert "run plugin-packager lock" in proc.stderr
