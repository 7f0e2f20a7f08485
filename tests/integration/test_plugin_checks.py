"""Checks that catch what real plugins got wrong: modules that do not compile on the target's
Python, operations that import what neither the wagon nor the agent provides."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import ROOT, Run, copy_project, interpreter, write_plugin

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


def _pkg_resources_plugin(tmp_path: Path) -> Path:
    """hello-plugin whose operation module imports pkg_resources, which no wheel of it ships."""
    project = copy_project(ROOT / "examples" / "hello-plugin", tmp_path / "hello")
    tasks = project / "hello_plugin" / "tasks.py"
    tasks.write_text(tasks.read_text().replace("import yaml\n", "import pkg_resources\nimport yaml\n"))
    return project


def test_an_operation_importing_what_nothing_provides_fails(tmp_path: Path, run_cli: Run) -> None:
    project = _pkg_resources_plugin(tmp_path)
    proc = run_cli("build", project, "-o", tmp_path / "refused", check=False)
    assert proc.returncode == 5, proc.stderr
    assert "pkg_resources" in proc.stderr.strip().splitlines()[-1]
    # Declared as provided by the agent, it builds; validate does not know that and fails it.
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + 'agent-provides = ["pkg_resources"]\n')
    out = tmp_path / "out"
    run_cli("build", project, "-o", out)
    (wagon,) = out.glob("*.wgn")
    proc = run_cli("validate", "--verbose", wagon, check=False)
    assert proc.returncode == 5, proc.stdout
    (line,) = [x for x in proc.stdout.splitlines() if "operations:plugin.yaml:py311" in x]
    assert line.split()[0] == "failed"
    assert ("importing hello_plugin.tasks needs pkg_resources, which neither the wagon's wheels,"
            " Python 3.11 nor the manager's mgmtworker provides") in line
    run_cli("validate", wagon, "--agent-provides", "pkg_resources")


MANAGER_IMPORTS = "import yaml\nimport mgmtworker\nfrom cloudify_types.utils import errors\n"


@pytest.mark.parametrize("executor", ["central_deployment_agent", "host_agent"])
def test_manager_modules_are_provided_to_central_deployment_agent_operations_only(
    tmp_path: Path, run_cli: Run, executor: str
) -> None:
    project = copy_project(ROOT / "examples" / "hello-plugin", tmp_path / "hello")
    tasks = project / "hello_plugin" / "tasks.py"
    tasks.write_text(tasks.read_text().replace("import yaml\n", MANAGER_IMPORTS))
    plugin_yaml = project / "plugin.yaml"
    plugin_yaml.write_text(plugin_yaml.read_text().replace("central_deployment_agent", executor))
    out = tmp_path / "out"
    built = run_cli("build", project, "-o", out, check=False)
    if executor == "host_agent":
        assert built.returncode == 5, built.stderr
        assert ("hello_plugin/tasks.py imports cloudify_types.utils, mgmtworker, which neither"
                " the wagon's wheels, the standard library nor the host agent provides"
                ) in built.stderr.strip().splitlines()[-1]
        return
    assert built.returncode == 0, built.stderr
    (wagon,) = out.glob("*.wgn")
    # The clean room cannot import them either: the operation is read statically, a warning.
    proc = run_cli("validate", "--verbose", wagon, check=False)
    assert proc.returncode == 0, proc.stdout
    assert ("  warning  operations:plugin.yaml:py311: hello.hello_plugin.tasks.greet: checked"
            " statically: hello_plugin/tasks.py binds greet by def (importing hello_plugin.tasks"
            " needs mgmtworker, which no wheel in the wagon ships)") in proc.stdout.splitlines()
