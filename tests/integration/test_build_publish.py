"""A real build killed (os._exit, as kill -9: nothing cleans up) among the renames that publish
it: the next build, before any other work, finishes it, so the output is one whole build."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

from .conftest import ROOT, Run, copy_project, interpreter

# `plugin-packager` whose DIE_AT-th rename out of the publish stage ends the process at once.
DIES_PUBLISHING = """
import os, runpy
real, count = os.replace, [0]
def replace(src, dst, *args, **kwargs):
    if ".plugin-packager-publish" in os.fspath(src) and ".plugin-packager-publish" not in os.fspath(dst):
        count[0] += 1
        if count[0] == int(os.environ["DIE_AT"]):
            os._exit(9)
    return real(src, dst, *args, **kwargs)
os.replace = replace
runpy.run_module("packager", run_name="__main__")
"""


def _whole(out: Path) -> bool:
    """Every wagon the report names is there, with sidecars that match it, and no other."""
    report = json.loads((out / "build-report.json").read_text())
    if sorted(w["file"] for w in report["wagons"]) != sorted(p.name for p in out.glob("*.wgn")):
        return False
    for wagon in report["wagons"]:
        data = (out / wagon["file"]).read_bytes()
        digests = {a: hashlib.new(a, data).hexdigest() for a in ("md5", "sha256")}
        if any((out / f"{wagon['file']}.{a}").read_text().strip() != d or wagon[a] != d
               for a, d in digests.items()):
            return False
    return True


def test_a_build_killed_while_publishing_is_finished_by_the_next(
    run_cli: Run, cache_dir: Path, tmp_path: Path
) -> None:
    interpreter("3.11")
    hello = copy_project(ROOT / "examples" / "hello-plugin", tmp_path / "hello")
    out = tmp_path / "out"
    run_cli("build", hello, "-o", out, env={"SOURCE_DATE_EPOCH": "315532800"})
    (old,) = (p.read_bytes() for p in out.glob("*.wgn"))
    killed = subprocess.run(
        [sys.executable, "-c", DIES_PUBLISHING, "build", str(hello), "-o", str(out)],
        env={**os.environ, "PLUGIN_PACKAGER_CACHE": str(cache_dir), "DIE_AT": "2",
             "SOURCE_DATE_EPOCH": "1700000000"},
        capture_output=True, text=True, timeout=900, check=False)
    assert killed.returncode == 9, killed.stderr
    assert not _whole(out)  # the first sidecar is new, the second still the old one
    # The next build finishes that publish before it resolves (here it stops there: no target).
    stopped = run_cli("build", hello, "-o", out, "--only", "cp27-*", check=False)
    assert stopped.returncode == 2, stopped.stderr
    assert _whole(out)
    (new,) = (p.read_bytes() for p in out.glob("*.wgn"))
    assert new != old
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []
