"""`validate`, `show` and `install`."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from ..errors import ConfigError
from .group import Command
from .options import INSTALLER, INTERPRETERS, WAGONS


@click.command(cls=Command)
@click.argument("wagons", nargs=-1, required=True, type=WAGONS)
@INTERPRETERS
@INSTALLER
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def validate(wagons: tuple[Path, ...], interpreters: tuple[str, ...], installer: str,
             as_json: bool) -> None:
    """Check WAGONs as a manager would: structure, truth, plugin YAMLs, clean-room installs.

    Exit status: 0 every check passed (warnings allowed), 5 a check failed, 6 a check was
    skipped because this machine cannot run a target.
    """
    from ..check import report
    from ..check.validate import Settings, validate_wagon

    settings = Settings(interpreters=interpreters, installer=installer)
    reports = []
    for path in wagons:
        result = validate_wagon(path, dict(os.environ), settings=settings)
        reports.append(result)
        if not as_json:
            for check in result.checks:
                click.echo(f"  {check.status.value:<8} {check.name}: {check.reason}")
            click.echo(result.summary())
    if as_json:
        click.echo(report.to_json(reports), nl=False)
    sys.exit(report.exit_code(reports))


@click.command(cls=Command)
@click.argument("wagon", type=WAGONS)
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def show(wagon: Path, as_json: bool) -> None:
    """Print a wagon's metadata, its wheels with their tags, and its targets."""
    from ..wagon.describe import describe

    info = describe(wagon)
    if as_json:
        click.echo(json.dumps(info.to_json(), indent=2, sort_keys=True))
        return
    click.echo(f"{info.package_name} {info.package_version}  ({info.file},"
               f" {info.container}, made by {info.created_by})")
    for label, value in (("platform", info.supported_platform),
                         ("pythons", info.supported_python_versions),
                         ("python_requires", info.python_requires), ("build tag", info.build_tag),
                         ("targets", info.targets), ("files", info.files)):
        shown = ", ".join(value) if isinstance(value, list) else value
        click.echo(f"{label + ':':<17}{shown or '-'}")
    click.echo(f"wheels ({len(info.wheels)}):")
    for wheel in info.wheels:
        note = "" if wheel.listed else "  [not listed in package.json]"
        click.echo(f"  {wheel.file}{note}\n      {' '.join(wheel.tags)}")


@click.command(cls=Command)
@click.argument("wagon", type=WAGONS)
@click.option("--venv", type=click.Path(path_type=Path, file_okay=False),
              help="The venv to install into (created when missing) [$VIRTUAL_ENV].")
@INTERPRETERS
@INSTALLER
def install(wagon: Path, venv: Path | None, interpreters: tuple[str, ...], installer: str) -> None:
    """Install WAGON's plugin, at exactly its version, offline, into a venv it was made for."""
    from ..check.install import install_wagon

    env = dict(os.environ)
    target = venv or (Path(env["VIRTUAL_ENV"]) if env.get("VIRTUAL_ENV") else None)
    if target is None:
        raise ConfigError("no venv to install into", "pass --venv PATH or activate a venv")
    done = install_wagon(wagon, target.absolute(), env, installer=installer,
                         interpreters=interpreters)
    click.echo(f"installed {done.name} {done.version} into {done.venv}"
               f" (Python {done.python[0]}.{done.python[1]})")


COMMANDS = (validate, show, install)
