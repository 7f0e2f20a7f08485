"""Cloudify 6.x agents run Python 3.6: a cp36 wagon with cloudify-common builds and installs there."""

from __future__ import annotations

import os
import subprocess
import zipfile
from pathlib import Path

from .conftest import Run, interpreter, read_package_json, write_plugin


def test_cp36_wagon_with_cloudify_common_installs_on_python_36(tmp_path: Path, run_cli: Run) -> None:
    py36 = interpreter("3.6")
    project = write_plugin(tmp_path, "agent6-plugin", ["cloudify-common>=6,<7.1"], version="0.1.0")
    out = tmp_path / "out"
    run_cli("build", project, "--python", "3.6", "-o", out)
    (wagon,) = out.glob("*.wgn")
    meta = read_package_json(wagon)
    assert meta["supported_python_versions"] == ["py36"]
    assert any(w.startswith("cloudify_common-") for w in meta["wheels"])
    with zipfile.ZipFile(wagon) as archive:
        archive.extractall(tmp_path / "x")
    # wagon 1.0.3 itself needs Python 3.8+, so run the install command it would run, offline.
    venv = tmp_path / "venv36"
    subprocess.run([py36, "-m", "venv", venv], check=True, timeout=300)
    env = {**os.environ, "PIP_CONFIG_FILE": os.devnull}
    # 3.6's bundled pip 18.1 predates manylinux2014 tags; Cloudify 6.x agents carry pip 21.
    subprocess.run([venv / "bin" / "python", "-m", "pip", "install", "-q", "pip==21.3.1"],
                   check=True, timeout=300, env=env, capture_output=True)
    subprocess.run(
        [venv / "bin" / "python", "-m", "pip", "install", "--isolated", "--no-index", "--find-links",
         tmp_path / "x" / "agent6-plugin" / "wheels", "agent6-plugin==0.1.0"],
        check=True, timeout=600, env=env, capture_output=True,
    )
    got = subprocess.run(
        [venv / "bin" / "python", "-c",
         "import agent6_plugin, cloudify.decorators, aiohttp, sys; print(sys.version_info[:2])"],
        check=True, timeout=120, capture_output=True, text=True,
    ).stdout
    assert got.strip() == "(3, 6)"
