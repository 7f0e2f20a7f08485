"""Issue 20 item 10: a plugin YAML whose aliases multiply ("billion laughs") or whose nesting is
100,000 deep is refused on one line, fast and in little memory, by every command that reads one.

Each command runs in a subprocess that the test itself bounds: 1 GiB of address space and a
timeout of a few seconds (before the fix `yaml --check` ran for minutes and died at 7.8 GB).
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from ..wagons import hello
from ..yamls import laughs, nested
from .conftest import write_plugin

MEMORY = 1 << 30
SECONDS = 15  # the refusals take under one; starting Python and uv take the rest

HOSTILE = {
    "laughs": (laughs(), ":12: refused: aliases expand to more than 200,000 nodes"),
    "nested": (nested(100_000), ":6: refused: nests deeper than 100 levels"),
}


def _bounded() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def run_bounded(*args: str | Path, cache: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "packager", *map(str, args)], capture_output=True, text=True,
        timeout=SECONDS, preexec_fn=_bounded, check=False,
        env={**os.environ, "PLUGIN_PACKAGER_CACHE": str(cache)},
    )


@pytest.mark.parametrize("kind", HOSTILE)
def test_yaml_check_refuses(tmp_path: Path, kind: str) -> None:
    text, why = HOSTILE[kind]
    project = write_plugin(tmp_path, "hello-plugin", [])
    (project / "plugin_1_5.yaml").write_text(text)
    proc = run_bounded("yaml", "--check", project, cache=tmp_path / "cache")
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith(f"plugin-packager: error: {project / 'plugin_1_5.yaml'}{why} (hint: ")
    assert proc.stderr.count("\n") == 1


@pytest.mark.parametrize("kind", HOSTILE)
def test_build_refuses_before_any_work(tmp_path: Path, kind: str) -> None:
    text, why = HOSTILE[kind]
    project = write_plugin(tmp_path, "hello-plugin", [])
    (project / "plugin.yaml").write_text(text)
    out = tmp_path / "out"
    proc = run_bounded("build", project, "-o", out, cache=tmp_path / "cache")
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith(f"plugin-packager: error: {project / 'plugin.yaml'}{why} (hint: ")
    assert proc.stderr.count("\n") == 1
    assert not out.exists()


@pytest.mark.parametrize("kind", HOSTILE)
def test_validate_fails_the_yaml_check_of_a_wagon_holding_one(tmp_path: Path, kind: str) -> None:
    text, why = HOSTILE[kind]
    layout = hello()
    layout.files["plugin.yaml"] = text.encode()
    wagon = layout.write(tmp_path)
    proc = run_bounded("validate", wagon, cache=tmp_path / "cache")
    assert proc.returncode == 5, proc.stderr
    assert "Traceback" not in proc.stderr
    (line,) = [x for x in proc.stdout.splitlines() if "yaml:plugin.yaml" in x]
    assert line.split() == ["failed", "yaml:plugin.yaml:", *f"files/plugin.yaml{why}".split()]
