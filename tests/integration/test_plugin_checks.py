"""Checks that catch what real plugins got wrong: modules that do not compile on the target's
Python, operations that import what neither the wagon nor the agent provides."""

from __future__ import annotations

from pathlib import Path

from .conftest import Run, interpreter, write_plugin


def _build_refused(run_cli: Run, project: Path, *args: str) -> str:
    out = project.parent / "out"
    proc = run_cli("build", project, *args, "-o", out, check=False)
    assert proc.returncode == 5, proc.stderr
    assert not out.exists() or not list(out.iterdir()), "something was written"
    return proc.stderr.strip().splitlines()[-1]


def test_an_indentation_error_fails_the_build_naming_file_and_line(
    tmp_path: Path, run_cli: Run
) -> None:
    project = write_plugin(tmp_path, "indent-plugin", [])
    (project / "indent_plugin" / "tasks.py").write_text(
        "def create(ctx):\n    ctx.logger.info('x')\n   return 1\n")
    line = _build_refused(run_cli, project, "--python", "3.11")
    assert "indent_plugin/tasks.py:3" in line
    assert "IndentationError" in line
    assert "3.11" in line


def test_syntax_only_newer_pythons_know_fails_the_older_target(tmp_path: Path, run_cli: Run) -> None:
    interpreter("3.6")
    project = write_plugin(tmp_path, "walrus-plugin", [])
    (project / "walrus_plugin" / "tasks.py").write_text(
        "def create(items):\n    if (n := len(items)) > 1:\n        return n\n")
    line = _build_refused(run_cli, project, "--python", "3.6")
    assert "walrus_plugin/tasks.py:2" in line
    assert "3.6" in line
    run_cli("build", project, "--python", "3.11", "-o", tmp_path / "ok")
