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
from .render import echo


@click.command(cls=Command)
@click.argument("wagons", nargs=-1, required=True, type=WAGONS)
@INTERPRETERS
@INSTALLER
@click.option("--agent-provides", multiple=True, metavar="MODULE",
              help="A module every executor has besides those of its table in the README"
              " (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("-v", "--verbose", is_flag=True,
              help="Print every check, whole, not failures first and the rest counted.")
@click.option("--target-python-root", type=click.Path(path_type=Path, file_okay=False, exists=True),
              help="A root holding usr/bin/pythonX.Y of a foreign wagon's architecture, run"
              " under QEMU (default: Debian's, assembled once into the cache).")
def validate(wagons: tuple[Path, ...], interpreters: tuple[str, ...], installer: str,
             agent_provides: tuple[str, ...], as_json: bool, verbose: bool,
             target_python_root: Path | None) -> None:
    """Check WAGONs as a manager would: structure, truth, plugin YAMLs, clean-room installs.

    Exit status: 0 every check passed (warnings allowed), 5 a check failed, 6 a check was
    skipped because this machine cannot run a target.
    """
    from ..check import report
    from ..check.validate import Settings, validate_wagon

    cache = os.environ.get("PLUGIN_PACKAGER_CACHE")
    settings = Settings(interpreters=interpreters, installer=installer,
                        agent_provides=agent_provides,
                        target_python_root=target_python_root and target_python_root.absolute(),
                        cache_dir=Path(cache) if cache else None)
    reports = []
    for path in wagons:
        result = validate_wagon(path, dict(os.environ), settings=settings)
        reports.append(result)
        if not as_json:
            for line in result.every() if verbose else result.brief(report.WIDTH - 2):
                echo(f"  {line}")
            hidden = not verbose and result.status is not report.Status.PASSED
            echo(result.summary() + ("; --verbose shows each" if hidden else ""))
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
    echo(f"{info.package_name} {info.package_version}  ({info.file},"
         f" {info.container}, made by {info.created_by})")
    for label, value in (("platform", info.supported_platform),
                         ("pythons", info.supported_python_versions),
                         ("python_requires", info.python_requires), ("build tag", info.build_tag),
                         ("targets", info.targets), ("files", info.files)):
        shown = ", ".join(value) if isinstance(value, list) else value
        echo(f"{label + ':':<17}{shown or '-'}")
    echo(f"wheels ({len(info.wheels)}):")
    for wheel in info.wheels:
        note = "" if wheel.listed else "  [not listed in package.json]"
        echo(f"  {wheel.file}{note}", f"      {' '.join(wheel.tags)}")


@click.command(cls=Command)
@click.argument("wagon", type=WAGONS)
@click.option("--venv", type=click.Path(path_type=Path, file_okay=False),
              help="The venv to install into (created when missing) [$VIRTUAL_ENV].")
@click.option("--target-dir", type=click.Path(path_type=Path, file_okay=False),
              help="Install into this directory for the wagon's own platform and Python instead"
              " (e.g. a Windows agent's site-packages, prepared here; nothing is run).")
@INTERPRETERS
@INSTALLER
def install(wagon: Path, venv: Path | None, target_dir: Path | None,
            interpreters: tuple[str, ...], installer: str) -> None:
    """Install WAGON's plugin, at exactly its version, offline, into a venv it was made for."""
    from ..check.install import VenvSettings, install_for_platform, install_wagon

    env = dict(os.environ)
    if target_dir is not None:
        if venv is not None:
            raise ConfigError("--venv and --target-dir exclude each other", "pass one of them")
        into = install_for_platform(wagon, target_dir.absolute(), env)
        echo(f"installed {into.name} {into.version} into {into.venv} for Python"
             f" {into.python[0]}.{into.python[1]} on the wagon's platform (nothing run)")
        return
    target = venv or (Path(env["VIRTUAL_ENV"]) if env.get("VIRTUAL_ENV") else None)
    if target is None:
        raise ConfigError("no venv to install into", "pass --venv PATH or activate a venv")
    done = install_wagon(wagon, target.absolute(), env,
                         how=VenvSettings(installer, interpreters))
    echo(f"installed {done.name} {done.version} into {done.venv}"
         f" (Python {done.python[0]}.{done.python[1]})")


COMMANDS = (validate, show, install)
