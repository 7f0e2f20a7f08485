"""The command table the CLI reads instead of importing every family module at start-up."""

from __future__ import annotations

import importlib
import sys

import pytest
from click.testing import CliRunner

from packager.cli import FAMILIES, main
from packager.cli.group import Group


def test_the_table_names_every_command_of_every_family_module() -> None:
    for family, names in FAMILIES.items():
        module = importlib.import_module(f"packager.cli.{family}")
        assert tuple(command.name for command in module.COMMANDS) == names


def test_running_one_command_imports_only_its_family(monkeypatch: pytest.MonkeyPatch) -> None:
    families = {f"packager.cli.{family}" for family in FAMILIES}
    for name in families & set(sys.modules):
        monkeypatch.delitem(sys.modules, name)
    result = CliRunner().invoke(Group(name="probe", families=FAMILIES), ["matrix", "--help"])
    assert result.exit_code == 0
    assert "GitHub Actions matrix" in result.output
    assert families & set(sys.modules) == {"packager.cli.release"}


def test_help_lists_every_command() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    listed = {line.split()[0] for line in result.output.split("Commands:")[1].splitlines()
              if line.strip()}
    assert listed == {name for names in FAMILIES.values() for name in names}
