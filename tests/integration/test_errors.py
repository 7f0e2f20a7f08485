"""Bad input: one line saying what and how to fix, the right exit code, nothing in the output."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import ROOT, Run, copy_project, interpreter


@pytest.fixture
def hello(tmp_path: Path) -> Path:
    return copy_project(ROOT / "examples" / "hello-plugin", tmp_path / "hello")


def depend_on(project: Path, requirement: str) -> None:
    """The example's one dependency replaced by `requirement`."""
    path = project / "pyproject.toml"
    path.write_text(path.read_text().replace('"PyYAML>=5.4"', f'"{requirement}"'))


def refused(run_cli: Run, out: Path, *args: str | Path, env: dict[str, str] | None = None) -> tuple[int, str]:
    out.mkdir(exist_ok=True)
    (out / "keep.txt").write_text("earlier release")
    proc = run_cli("build", *args, "-o", out, check=False, env=env)
    lines = proc.stderr.strip().splitlines()
    assert lines, "no message"
    assert lines[-1].startswith("plugin-packager: error: ")
    assert "Traceback" not in proc.stderr
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"], "something was written"
    return proc.returncode, lines[-1]


def test_no_project(tmp_path: Path, run_cli: Run) -> None:
    (tmp_path / "empty").mkdir()
    code, line = refused(run_cli, tmp_path / "out", tmp_path / "empty")
    assert code == 2
    assert "no Python project in" in line


def test_broken_pyproject(hello: Path, run_cli: Run) -> None:
    (hello / "pyproject.toml").write_text("[project\nname = 'x'\n")
    code, line = refused(run_cli, hello / "out", hello)
    assert code == 2
    assert "pyproject.toml: not valid TOML" in line


def test_no_interpreter(hello: Path, run_cli: Run, tmp_path: Path) -> None:
    env = {"PYENV_ROOT": str(tmp_path / "no-pyenv"), "PATH": "/usr/bin:/bin"}
    code, line = refused(run_cli, hello / "out", hello, "--python", "3.14", env=env)
    assert code == 2
    assert "no interpreter for Python 3.14" in line
    assert "--interpreter" in line


def test_unknown_platform(hello: Path, run_cli: Run) -> None:
    code, line = refused(run_cli, hello / "out", hello, "--platform", "manylinux2099_x86_64")
    assert code == 2
    assert "unknown platform 'manylinux2099_x86_64'" in line


def test_unknown_config_key(hello: Path, run_cli: Run) -> None:
    path = hello / "pyproject.toml"
    path.write_text(path.read_text().replace("build-tag =", "buildtag ="))
    code, line = refused(run_cli, hello / "out", hello)
    assert code == 2
    assert "did you mean 'build-tag'?" in line


def test_dependency_without_a_distribution_for_the_target(hello: Path, run_cli: Run) -> None:
    interpreter("3.9")
    # numpy 2.3 requires Python 3.11, so a cp39 target has nothing to install.
    depend_on(hello, "numpy==2.3.0")
    code, line = refused(run_cli, hello / "out", hello, "--python", "3.9")
    assert code == 3
    assert "cp39-manylinux2014_x86_64" in line
    assert "numpy" in line


def test_yaml_version_disagrees_with_the_wheel(hello: Path, run_cli: Run) -> None:
    path = hello / "plugin.yaml"
    path.write_text(path.read_text().replace("'1.0.0'", "'0.9.0'"))
    code, line = refused(run_cli, hello / "out", hello)
    assert code == 5
    assert "plugins.hello.package_version is '0.9.0' but the built wheel is '1.0.0'" in line


def test_plugin_requires_a_newer_python_than_the_target(hello: Path, run_cli: Run) -> None:
    interpreter("3.9")
    path = hello / "pyproject.toml"
    path.write_text(path.read_text().replace('requires-python = ">=3.6"', 'requires-python = ">=3.10"'))
    code, line = refused(run_cli, hello / "out", hello, "--python", "3.9", "--python", "3.11")
    assert code == 2
    assert "requires Python >=3.10" in line


def test_an_sdist_that_fails_to_build_shows_its_cause(hello: Path, run_cli: Run) -> None:
    """bottle 0.12.7's setup.py imports bottle, which calls inspect.getargspec (gone in 3.11)."""
    interpreter("3.11")
    depend_on(hello, "bottle==0.12.7")
    code, line = refused(run_cli, hello / "out", hello, "--python", "3.11")
    assert code == 4
    assert "Failed to build `bottle==0.12.7`" in line
    assert "ImportError: cannot import name 'getargspec'" in line
    log = Path(line.split("the whole log is in ", 1)[1].split(";", 1)[0])
    assert "getargspec" in log.read_text()
    # The next build's failure keeps its own log: the path this message named still holds it.
    again = refused(run_cli, hello / "out", hello, "--python", "3.11")[1]
    other = Path(again.split("the whole log is in ", 1)[1].split(";", 1)[0])
    assert other != log
    assert "getargspec" in other.read_text()
    assert "getargspec" in log.read_text()


def test_a_network_failure_says_it_is_the_network(hello: Path, run_cli: Run) -> None:
    # Nothing listens on port 9: the index is unreachable, not empty.
    code, line = refused(run_cli, hello / "out", hello, "--refresh", "--index-url",
                         "http://127.0.0.1:9/simple", env={"UV_HTTP_TIMEOUT": "5"})
    assert code == 3
    assert "could not be reached" in line


def test_a_project_without_a_plugin_yaml_builds_with_one_warning(hello: Path, run_cli: Run) -> None:
    (hello / "plugin.yaml").unlink()
    proc = run_cli("build", hello, "-o", hello / "out")
    warnings = [line for line in proc.stderr.splitlines() if "warning: no plugin YAML" in line]
    assert len(warnings) == 1
    assert "a manager cannot upload the wagon without one" in warnings[0]
    assert list((hello / "out").glob("*.wgn"))


def test_an_output_path_that_is_a_file_builds_nothing(hello: Path, run_cli: Run) -> None:
    (hello / "taken").write_text("a file")
    proc = run_cli("build", hello, "-o", hello / "taken", check=False)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1].startswith("plugin-packager: error: output ")
    assert "resolving" not in proc.stderr
    assert (hello / "taken").read_text() == "a file"
