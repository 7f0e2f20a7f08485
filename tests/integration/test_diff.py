"""`diff` between two releases of a plugin: one dependency bumped, one target dropped."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from .conftest import Run, interpreter, write_plugin

OLD_TARGETS = ("--python", "3.11", "--python", "3.12", "--platform", "manylinux2014_x86_64")


def test_diff_lists_exactly_the_bumped_dependency_and_the_dropped_target(
    tmp_path: Path, run_cli: Run
) -> None:
    interpreter("3.11")
    interpreter("3.12")
    old_project = write_plugin(tmp_path / "old", "diff-plugin", ["six==1.16.0"])
    new_project = write_plugin(tmp_path / "new", "diff-plugin", ["six==1.17.0"])
    run_cli("build", old_project, *OLD_TARGETS, "-o", tmp_path / "r1")
    run_cli("build", new_project, *OLD_TARGETS[:2], *OLD_TARGETS[4:], "-o", tmp_path / "r2")
    summary = tmp_path / "summary.md"
    env = {"GITHUB_STEP_SUMMARY": str(summary)}

    found = json.loads(run_cli("diff", tmp_path / "r1", tmp_path / "r2", "--json", env=env).stdout)
    assert found["old_versions"] == found["new_versions"] == ["diff-plugin 1.0.0"]
    assert found["targets_added"] == []
    assert found["targets_removed"] == ["cp312-manylinux2014_x86_64"]
    (target,) = found["changed"]
    assert target["target"] == "cp311-manylinux2014_x86_64"
    assert target["wagon"]["kind"] == "changed"
    wheels = {w["name"]: w for w in target["wheels"]}
    assert sorted(wheels) == ["diff-plugin (py3-none-any)", "six (py2-none-any.py3-none-any)"]
    six = wheels["six (py2-none-any.py3-none-any)"]
    assert (six["kind"], six["old"]["version"], six["new"]["version"]) == (
        "changed", "1.16.0", "1.17.0")
    assert six["old"]["sha256"] != six["new"]["sha256"]
    plugin = wheels["diff-plugin (py3-none-any)"]  # same version; its Requires-Dist changed
    assert (plugin["kind"], plugin["old"]["version"], plugin["new"]["version"]) == (
        "changed", "1.0.0", "1.0.0")

    text = run_cli("diff", tmp_path / "r1", tmp_path / "r2").stdout.splitlines()
    assert text[1:4] == ["versions: diff-plugin 1.0.0 (unchanged)", "targets added: none",
                         "targets removed: cp312-manylinux2014_x86_64"]
    assert text[5].startswith("cp311-manylinux2014_x86_64: changed wagon 1.0.0,")
    assert [line.split(",")[0] for line in text[6:]] == [
        "  changed diff-plugin (py3-none-any) 1.0.0",
        ("  changed six (py2-none-any.py3-none-any) 1.16.0 → 1.17.0"
         " (six-1.16.0-py2.py3-none-any.whl → six-1.17.0-py2.py3-none-any.whl)"),
    ]

    markdown = summary.read_text()
    assert markdown.startswith(f"### Release diff: `{tmp_path / 'r1'}` → `{tmp_path / 'r2'}`")
    assert "- **targets removed**: cp312-manylinux2014_x86_64" in markdown
    assert "#### `cp311-manylinux2014_x86_64`" in markdown
    assert "- changed six (py2-none-any.py3-none-any) 1.16.0 → 1.17.0" in markdown
    assert markdown.count("\n- changed ") == 3  # the wagon, the plugin wheel, six

    wagons = [next((tmp_path / r).glob("*py311*.wgn")) for r in ("r1", "r2")]
    single = json.loads(run_cli("diff", *wagons, "--json").stdout)
    assert [c["target"] for c in single["changed"]] == ["cp311-manylinux2014_x86_64"]
    assert single["targets_removed"] == []


def test_diff_between_two_indexed_releases(tmp_path: Path, run_cli: Run) -> None:
    """The same changes seen through the download site, with the next version released."""
    interpreter("3.11")
    interpreter("3.12")
    old_project = write_plugin(tmp_path / "old", "diff-plugin", ["six==1.16.0"])
    new_project = write_plugin(tmp_path / "new", "diff-plugin", ["six==1.17.0"], version="1.0.1")
    run_cli("build", old_project, *OLD_TARGETS, "-o", tmp_path / "r1")
    run_cli("build", new_project, *OLD_TARGETS[:2], *OLD_TARGETS[4:], "-o", tmp_path / "r2")
    base = "https://plugins.example.com/"
    run_cli("index", tmp_path / "r1", "-o", tmp_path / "before", "--base-url", base)
    shutil.copytree(tmp_path / "before", tmp_path / "after")
    run_cli("index", tmp_path / "r2", "-o", tmp_path / "after")

    found = json.loads(run_cli("diff", tmp_path / "before", tmp_path / "after", "--json").stdout)
    assert (found["old_versions"], found["new_versions"]) == (["diff-plugin 1.0.0"],
                                                              ["diff-plugin 1.0.1"])
    assert (found["targets_added"], found["targets_removed"]) == (
        [], ["diff-plugin cp312-manylinux2014_x86_64"])
    (target,) = found["changed"]
    assert target["target"] == "diff-plugin cp311-manylinux2014_x86_64"
    assert [(w["kind"], w["name"], w["old"]["version"], w["new"]["version"])
            for w in target["wheels"]] == [
        ("changed", "diff-plugin (py3-none-any)", "1.0.0", "1.0.1"),
        ("changed", "six (py2-none-any.py3-none-any)", "1.16.0", "1.17.0"),
    ]
    text = run_cli("diff", tmp_path / "before", tmp_path / "after").stdout
    assert "versions: diff-plugin 1.0.0 → diff-plugin 1.0.1\n" in text
    summary = tmp_path / "summary.md"
    run_cli("diff", tmp_path / "before", tmp_path / "after",
            env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert "- **targets removed**: diff-plugin cp312-manylinux2014_x86_64" in summary.read_text()
