"""The shared cache under concurrency and crashes, and skipping a plugin wheel that did not change."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

from ..sdists import write_c_sdist
from .conftest import ROOT, Run, copy_project, interpreter, read_package_json, write_plugin


def racer(root: Path) -> Path:
    return write_plugin(root, "racer-plugin", ["PyYAML>=6", "pp-cext-race==0.1.0"])


def build_cmd(project: Path, links: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "packager", "build", str(project), "--python", "3.11",
            "--find-links", str(links), "-o", str(out)]


def wagon_bytes(out: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(out.glob("*.wgn"))}


def test_two_builds_at_once_on_one_empty_cache(tmp_path: Path) -> None:
    interpreter("3.11")
    links = tmp_path / "links"
    write_c_sdist(links, "pp-cext-race", "0.1.0")
    env = {**os.environ, "PLUGIN_PACKAGER_CACHE": str(tmp_path / "cache")}
    procs = [
        subprocess.Popen(build_cmd(racer(tmp_path / f"copy{i}"), links, tmp_path / f"out{i}"),
                         env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for i in (0, 1)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err
    first, second = wagon_bytes(tmp_path / "out0"), wagon_bytes(tmp_path / "out1")
    assert len(first) == 1
    assert first == second


def test_sigkill_mid_build_leaves_no_partial_file_and_the_next_build_succeeds(tmp_path: Path) -> None:
    interpreter("3.11")
    links = tmp_path / "links"
    write_c_sdist(links, "pp-cext-race", "0.1.0")
    project, out = racer(tmp_path), tmp_path / "out"
    env = {**os.environ, "PLUGIN_PACKAGER_CACHE": str(tmp_path / "cache")}
    for stage in ("building pp-cext-race", "writing the wagon"):
        with subprocess.Popen(build_cmd(project, links, out), env=env, stderr=subprocess.PIPE,
                              stdout=subprocess.DEVNULL, text=True, start_new_session=True) as proc:
            assert proc.stderr is not None
            for line in proc.stderr:
                if stage in line:
                    os.killpg(proc.pid, signal.SIGKILL)
                    break
            proc.wait(timeout=120)
        assert proc.returncode == -signal.SIGKILL, f"the build ended before {stage!r}"
        for wagon in out.glob("*.wgn") if out.exists() else []:
            with zipfile.ZipFile(wagon) as archive:
                assert archive.testzip() is None, f"{wagon} is half-written"
    done = subprocess.run(build_cmd(project, links, out), env=env, capture_output=True, text=True,
                          timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    (wagon,) = out.glob("*.wgn")
    sidecar = out / f"{wagon.name}.sha256"
    assert sidecar.read_text().strip() == hashlib.sha256(wagon.read_bytes()).hexdigest()


def test_plugin_wheel_is_rebuilt_only_when_its_sources_change(tmp_path: Path, run_cli: Run) -> None:
    interpreter("3.11")
    project = copy_project(ROOT / "examples" / "hello-plugin", tmp_path / "hello")
    env = {"PLUGIN_PACKAGER_CACHE": str(tmp_path / "cache")}

    def build() -> tuple[str, str]:
        proc = run_cli("build", project, "--python", "3.11", "-o", tmp_path / "out", env=env)
        (wagon,) = (tmp_path / "out").glob("*.wgn")
        digests = read_package_json(wagon)["plugin_packager"]["wheels"]
        return proc.stderr, digests["hello_plugin-1.0.0-py3-none-any.whl"]["sha256"]

    first_log, first = build()
    assert "building the plugin's wheel" in first_log
    second_log, second = build()
    assert "sources are unchanged: reusing hello_plugin-1.0.0-py3-none-any.whl" in second_log
    assert "building the plugin's wheel" not in second_log
    assert second == first
    tasks = project / "hello_plugin" / "tasks.py"
    tasks.write_text(tasks.read_text() + "\n\ndef extra(ctx, **kwargs):\n    return None\n")
    third_log, third = build()
    assert "building the plugin's wheel" in third_log
    assert third != first
