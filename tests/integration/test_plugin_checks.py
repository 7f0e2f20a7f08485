"""Checks that catch what real plugins got wrong: modules that do not compile on the target's
Python, operations that import what neither the wagon nor the agent provides."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import Run, interpreter, write_plugin

INDENTED = "def create(ctx):\n    ctx.logger.info('x')\n   return 1\n"
WALRUS = "def create(items):\n    if (n := len(items)) > 1:\n        return n\n"


@pytest.mark.parametrize(("python", "source", "where", "error"), [
    ("3.11", INDENTED, "tasks.py:3", "IndentationError"),
    ("3.6", WALRUS, "tasks.py:2", "SyntaxError"),  # := is 3.8 syntax: 3.11 compiles it
])
def test_a_module_that_does_not_compile_fails_the_build_naming_file_and_line(
    tmp_path: Path, run_cli: Run, python: str, source: str, where: str, error: str
) -> None:
    interpreter(python)
    project = write_plugin(tmp_path, "bad-plugin", [])
    (project / "bad_plugin" / "tasks.py").write_text(source)
    out = tmp_path / "out"
    proc = run_cli("build", project, "--python", python, "-o", out, check=False)
    assert proc.returncode == 5, proc.stderr
    assert not out.exists(), "something was written"
    line = proc.stderr.strip().splitlines()[-1]
    assert f"bad_plugin/{where}: {error}" in line
    assert f"on Python {python}:" in line
