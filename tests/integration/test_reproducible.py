"""Same inputs, same bytes: at another time, in another directory, TZ, umask and cache."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import pytest

from .conftest import ROOT, Run, copy_project, interpreter


def digests(out: Path) -> dict[str, str]:
    """Wagons and sidecars; the report names the output directory, which differs on purpose."""
    files = [p for p in sorted(out.iterdir()) if p.name != "build-report.json"]
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


@pytest.mark.parametrize("fmt", ["zip", "tar.gz"])
def test_two_builds_give_identical_bytes(tmp_path: Path, run_cli: Run, fmt: str) -> None:
    interpreter("3.9")
    interpreter("3.11")
    results = []
    for run, (tz, umask) in enumerate([("UTC", 0o022), ("Asia/Kolkata", 0o077)]):
        project = copy_project(ROOT / "examples" / "hello-plugin", tmp_path / f"p{run}" / "hello")
        out = tmp_path / f"out{run}"
        run_cli("build", project, "--python", "3.9", "--python", "3.11", "--format", fmt, "-o", out,
                env={"TZ": tz, "PLUGIN_PACKAGER_CACHE": str(tmp_path / f"cache{run}")}, umask=umask)
        results.append(digests(out))
        time.sleep(2.1)  # zip times have 2 s steps: a clock leak would show
    assert results[0] == results[1]
    assert sum(name.endswith((".wgn", ".md5", ".sha256")) for name in results[0]) == 6
