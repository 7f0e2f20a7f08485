"""One clean-room path for a venv here and a directory for a foreign platform: what could not
run is reported skipped by name, saying why, whichever room it was (a venv whose install failed
once said nothing of its import and operations checks)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from packager import _installers, _tools
from packager._installers import Wanted
from packager.check.report import Status
from packager.check.rooms import ForeignSite, Questions, Room, Venv, install_and_probe
from packager.targets import BuildTarget, Host, parse_platform

HOST = Host("x86_64", (2, 36))


def _room(tmp_path: Path) -> Room:
    return Room("py311", Wanted(tmp_path / "wheels", "p==1.0", ("six==1.16.0",)),
                Questions(["p"], [("p.tasks", "run")], ["plugin.yaml"]), tmp_path / "py311", {})


def _refuse(*_args: Any, **_kwargs: Any) -> None:
    raise _tools.ToolFailure(["uv"], "error: no matching distribution\n")


def test_a_venv_whose_install_failed_says_what_did_not_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_installers, "make_venv", _refuse)
    checks, probe = install_and_probe(_room(tmp_path), Venv(Path("/usr/bin/python3.11"), "pip"))
    assert probe is None
    assert [(c.name, c.status, c.reason) for c in checks] == [
        ("install:py311", Status.FAILED,
         "pip could not install p==1.0 six==1.16.0: error: no matching distribution"),
        ("import:py311", Status.SKIPPED, "not run: the install failed"),
        ("operations:plugin.yaml:py311", Status.SKIPPED, "not run: the install failed"),
    ]


def test_a_windows_directory_is_installed_and_its_checks_skipped_the_same_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[dict[str, Any]] = []
    monkeypatch.setattr(_installers, "install_for_platform",
                        lambda wanted, dest, env, **kw: asked.append({"dest": dest, **kw}))
    target = BuildTarget((3, 11), parse_platform("win_amd64", HOST))
    checks, probe = install_and_probe(_room(tmp_path), ForeignSite(target, HOST))
    assert probe is None
    assert asked == [{"dest": tmp_path / "py311" / "site", "python_version": "3.11",
                      "python_platform": "x86_64-pc-windows-msvc"}]
    assert [(c.name, c.status) for c in checks] == [
        ("install:py311", Status.PASSED), ("import:py311", Status.SKIPPED),
        ("operations:plugin.yaml:py311", Status.SKIPPED)]
    assert checks[1].reason.startswith("not run: win_amd64 code cannot run on this machine")
