"""The CI release job on one machine: matrix → one `build --only` process per cell, each with its
own cache copy and output, in parallel → merge; the same bytes as one build of every target."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from .conftest import ROOT, Run, copy_project, interpreter

TARGETS = ("--python", "3.11", "--python", "3.12",
           "--platform", "manylinux2014_x86_64", "--platform", "manylinux_2_28_x86_64")


def files(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def cell_build(project: Path, only: str, cache: Path, out: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "packager", "build", project, *TARGETS, "--only", only, "-o", out],
        env={**os.environ, "PLUGIN_PACKAGER_CACHE": str(cache)},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def test_cells_built_apart_and_merged_equal_one_build(tmp_path: Path, run_cli: Run) -> None:
    interpreter("3.11")
    interpreter("3.12")
    project = copy_project(ROOT / "examples" / "hello-plugin", tmp_path / "hello")
    cache = tmp_path / "cache"
    whole = tmp_path / "whole"
    run_cli("build", project, *TARGETS, "-o", whole, env={"PLUGIN_PACKAGER_CACHE": str(cache)})

    cells = json.loads(run_cli("matrix", project, *TARGETS).stdout)["include"]
    assert [c["target"] for c in cells] == [
        "cp311-manylinux2014_x86_64", "cp311-manylinux_2_28_x86_64",
        "cp312-manylinux2014_x86_64", "cp312-manylinux_2_28_x86_64",
    ]
    outs = [tmp_path / f"cell-{cell['target']}" for cell in cells]
    procs = []
    for cell, out in zip(cells, outs):
        own_cache = shutil.copytree(cache, tmp_path / f"cache-{cell['target']}")
        procs.append(cell_build(project, cell["only"], own_cache, out))
    for proc in procs:
        output, _ = proc.communicate(timeout=600)
        assert proc.returncode == 0, output
    for cell, out in zip(cells, outs):
        report = json.loads((out / "build-report.json").read_text())
        assert [w["targets"] for w in report["wagons"]] == [[cell["target"]]]

    release = tmp_path / "release"
    run_cli("merge", *outs, "-o", release)
    merged, expected = files(release), files(whole)
    assert sorted(merged) == sorted(expected)
    assert len([name for name in merged if name.endswith(".wgn")]) == 4
    for name in expected:
        if name != "build-report.json":
            assert merged[name] == expected[name], name
    report, reference = (json.loads(d["build-report.json"]) for d in (merged, expected))
    assert report.pop("output") == str(release)
    reference.pop("output")
    assert report == reference
    assert reference["source"]["tree"]
    assert reference["package_version"] == "1.0.0"


def refused(run_cli: Run, *cells: Path, release: Path) -> str:
    proc = run_cli("merge", *cells, "-o", release, check=False)
    assert proc.returncode == 2, proc.stderr
    assert not release.exists()
    assert [p.name for p in release.parent.iterdir() if p.name.startswith(".")] == []
    (line,) = proc.stderr.splitlines()
    return line


def test_merge_refuses_cells_of_other_builds_and_duplicates(tmp_path: Path, run_cli: Run) -> None:
    interpreter("3.11")
    interpreter("3.12")
    project = copy_project(ROOT / "examples" / "hello-plugin", tmp_path / "hello")
    summary = tmp_path / "summary.md"
    actions = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    built = run_cli("build", project, *TARGETS, "--only", "cp311-manylinux2014_x86_64",
                    "-o", tmp_path / "a", env=actions)
    lines = built.stderr.splitlines()
    assert (lines[0], lines[-1]) == (f"::group::plugin-packager build {project}", "::endgroup::")
    assert "| cp311-manylinux2014_x86_64 |" in summary.read_text()
    run_cli("build", project, *TARGETS, "--only", "cp312-*", "-o", tmp_path / "b")
    (project / "hello_plugin" / "extra.py").write_text("CHANGED = True\n")
    run_cli("build", project, *TARGETS, "--only", "cp311-manylinux_2_28_*",
            "-o", tmp_path / "edited")
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('version = "1.0.0"', 'version = "1.0.1"'))
    for name in ("plugin.yaml",):
        yaml = project / name
        yaml.write_text(yaml.read_text().replace("1.0.0", "1.0.1"))
    run_cli("build", project, *TARGETS, "--only", "cp311-manylinux_2_28_*",
            "-o", tmp_path / "newer")

    releases = tmp_path / "releases"
    releases.mkdir()
    line = refused(run_cli, tmp_path / "a", tmp_path / "newer", release=releases / "r1")
    assert "different builds" in line
    assert "hello-plugin 1.0.1" in line
    line = refused(run_cli, tmp_path / "a", tmp_path / "edited", release=releases / "r2")
    assert "different builds" in line
    assert "tree" in line
    line = refused(run_cli, tmp_path / "a", tmp_path / "b", tmp_path / "a", release=releases / "r3")
    assert "cp311-manylinux2014_x86_64 is in both" in line
    proc = run_cli("merge", tmp_path / "a", tmp_path / "a", "-o", releases / "r4", env=actions,
                   check=False)
    error, annotation = proc.stderr.splitlines()
    assert annotation == "::error title=plugin-packager::" + error.split("error: ", 1)[1]
    run_cli("merge", tmp_path / "a", tmp_path / "b", "-o", releases / "ok", env=actions)
    assert len(list((releases / "ok").glob("*.wgn"))) == 3
    assert "### merge: hello-plugin 1.0.0" in summary.read_text()
