"""Issue 9's error path: plain exceptions through context managers, one line per error, the
build's refusals before any work, grouped warnings, the plugin YAML's exit code."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from packager import _installers, _tools
from packager.builder import pipeline
from packager.builder.config import load_options
from packager.check import install
from packager.cli import main
from packager.errors import ConfigError, ExitCode, InstallError, MismatchError
from packager.events import Event
from packager.targets import Host

from ..wagons import hello


def _no_python(*_args: Any, **_kwargs: Any) -> tuple[int, int]:
    return (3, 11)


def test_a_tool_failure_raised_through_a_context_manager_stays_itself(
    tmp_path: Path, host: Host, monkeypatch: pytest.MonkeyPatch
) -> None:
    """open_wagon is a @contextmanager: a frozen-dataclass exception turned into
    FrozenInstanceError there on Python >= 3.11; ToolFailure is a plain class now."""
    assert not dataclasses.is_dataclass(_tools.ToolFailure)
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").touch()

    def refuse(*_args: Any, **_kwargs: Any) -> None:
        raise _tools.ToolFailure(["uv", "pip", "install"], "x\nerror: no matching distribution\n")

    monkeypatch.setattr(_tools, "probe_interpreter", _no_python)
    monkeypatch.setattr(_installers, "install_offline", refuse)
    with pytest.raises(InstallError, match="no matching distribution") as info:
        install.install_wagon(hello().write(tmp_path), venv, {}, host=host)
    assert isinstance(info.value.__cause__, _tools.ToolFailure)


def test_last_lines_keep_the_cause_after_the_stderr_marker() -> None:
    output = ("[stdout]\nrunning build\n[stderr]\nTraceback (most recent call last):\n"
              "  File \"setup.py\", line 3\nImportError: cannot import name 'getargspec'\n")
    failure = _tools.ToolFailure(["uv", "build"], output)
    assert failure.last_lines(2).endswith("ImportError: cannot import name 'getargspec'")
    assert "[stderr]" not in failure.last_lines()


def test_a_network_failure_is_told_apart() -> None:
    assert _tools.ToolFailure(["uv"], "error: Request failed\n  Caused by: dns error").network
    assert not _tools.ToolFailure(["uv"], "No solution found when resolving").network


def test_an_output_path_that_is_a_file_is_refused_before_any_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "p"
    project.mkdir()
    (project / "pyproject.toml").write_text("[project]\nname = 'p'\nversion = '1'\n")
    output = tmp_path / "taken"
    output.write_text("not a directory")

    def no_work(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("a target was prepared")

    monkeypatch.setattr(pipeline, "prepare", no_work)
    options = load_options(project, {}, {"output": output})
    with pytest.raises(ConfigError, match=f"{output} is a file, not a directory"):
        pipeline.build_wagons(options, {})
    assert output.read_text() == "not a directory"


def test_the_cli_refuses_it_on_one_line_with_exit_2(tmp_path: Path) -> None:
    project = tmp_path / "p"
    project.mkdir()
    (project / "pyproject.toml").write_text("[project]\nname = 'p'\nversion = '1'\n")
    (tmp_path / "taken").write_text("")
    result = CliRunner().invoke(main, ["build", str(project), "-o", str(tmp_path / "taken")])
    assert result.exit_code == 2
    assert ExitCode.CONFIG.value == 2
    assert result.output.count("\n") == 1
    assert result.output.startswith("plugin-packager: error: ")


def test_every_command_takes_debug() -> None:
    for name, command in main.commands.items():
        assert "--debug" in [o for p in command.params for o in getattr(p, "opts", [])], name


def test_build_shows_details_only_when_verbose(capsys: pytest.CaptureFixture[str]) -> None:
    from packager.cli.render import progress_renderer

    for verbose in (False, True):
        with progress_renderer(verbose=verbose) as show:
            show(Event("each one", detail=True))
            show(Event("the summary"))
        err = capsys.readouterr().err
        assert err == ("each one\nthe summary\n" if verbose else "the summary\n")


def test_a_plugin_yaml_that_names_another_version_is_exit_5() -> None:
    assert MismatchError("x").exit_code.value == 5
    assert ConfigError("x").exit_code.value == 2


@pytest.mark.parametrize(("raised", "code", "line"), [
    (RuntimeError("boom"), 1, ("plugin-packager: error: unexpected RuntimeError: boom (hint: this"
     " is a bug in plugin-packager; run again with --debug for the traceback, and report it)")),
    (_tools.ToolFailure(["/usr/bin/uv", "venv"], "error: No interpreter found\n"), 4,
     ("plugin-packager: error: uv failed: error: No interpreter found (hint: run again with"
     " --debug to see where)")),
])
def test_an_error_nothing_foresaw_is_one_line_and_the_traceback_only_with_debug(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, raised: Exception, code: int, line: str,
) -> None:
    """Issue 23: a ToolFailure (not a PackagerError then) and any other exception escaped the
    CLI as a traceback."""
    from packager.wagon import describe

    def fail(_path: Path) -> None:
        raise raised

    monkeypatch.setattr(describe, "describe", fail)
    wagon = hello().write(tmp_path)
    result = CliRunner().invoke(main, ["show", str(wagon)])
    assert (result.exit_code, result.output.splitlines()) == (code, [line])
    debug = CliRunner().invoke(main, ["show", str(wagon), "--debug"])
    assert debug.exception is raised
