"""The command line: parse, call the library, render. No packaging logic lives here."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from . import __version__, dsl, report, scaffold
from ._tools import INSTALLERS
from .config import FORMATS, load_options, project_version
from .errors import ConfigError, PackagerError, StaleError
from .explain import closest, explain_files, index_files, marker_note, parse_target_id
from .install import describe, install_wagon
from .lock import lock_project
from .pipeline import build as run_build
from .project import project_requirements
from .render import progress_renderer
from .targets import Host
from .validate import Settings, validate_wagon

F = TypeVar("F", bound=Callable[..., Any])


def _fail_cleanly(debug: bool, func: Callable[[], None]) -> None:
    try:
        func()
    except PackagerError as exc:
        if debug:
            raise
        click.echo(f"plugin-packager: error: {exc.one_line()}", err=True)
        sys.exit(exc.exit_code)


def _cli_flags(flags: dict[str, Any]) -> dict[str, Any]:
    """Click's names to config keys; local --find-links paths made absolute from here."""
    cli = {k.replace("_", "-"): v for k, v in flags.items()}
    cli["find-links"] = tuple(
        link if "://" in link else str(Path(link).resolve()) for link in cli.get("find-links", ())
    )
    return cli


def project_and_targets(func: F) -> F:
    """The project argument and the target/index options that build and lock share."""
    options = [
        click.argument("project", default=".", type=click.Path(path_type=Path, file_okay=False)),
        click.option("--python", "python", multiple=True, help="Target Python X.Y (repeatable)."),
        click.option("--platform", "platform", multiple=True, help="Target platform (repeatable)."),
        click.option("--interpreter", "interpreters", multiple=True,
                     help="Path of a Python to use (repeatable)."),
        click.option("--index-url", help="Base URL of the package index."),
        click.option("--extra-index-url", multiple=True, help="Extra index URL (repeatable)."),
        click.option("--find-links", multiple=True, help="Directory or URL with distributions."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def debug_option(func: F) -> F:
    return click.option("--debug", is_flag=True, help="Show tracebacks.")(func)


@click.group()
@click.version_option(__version__, prog_name="plugin-packager")
def main() -> None:
    """Build, check and publish wagons for orchestration plugins."""


@main.command()
@project_and_targets
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Output directory [dist/].")
@click.option("--format", "fmt", type=click.Choice(FORMATS), help="Archive container [zip].")
@click.option("--build-tag", help="Build tag in the file name, e.g. manylinux or centos-Core.")
@click.option("--legacy-platform-tag/--no-legacy-platform-tag", default=None,
              help="Write linux_<arch> as supported_platform (managers <= 5.1).")
@click.option("--combine/--no-combine", default=None,
              help="One wagon per platform holding every --python.")
@click.option("--cache-dir", type=click.Path(path_type=Path), help="Wheel cache directory.")
@click.option("--offline", is_flag=True, default=None,
              help="No network: every target's lock, files from the cache or --find-links.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="Targets built at once [cores].")
@click.option("--refresh", is_flag=True, help="Resolve again even if a recent resolution is cached.")
@click.option("--validate/--no-validate", default=None,
              help="Also install each wagon in a clean room (as `validate` does).")
@click.option("--json", "as_json", is_flag=True, help="Print the build report as JSON.")
@debug_option
def build(project: Path, fmt: str | None, output: Path | None, cache_dir: Path | None,
          jobs: int | None, refresh: bool, as_json: bool, debug: bool, **flags: Any) -> None:
    """Build one wagon per target for the plugin in PROJECT."""
    env = dict(os.environ)
    if cache_dir is not None:
        env["PLUGIN_PACKAGER_CACHE"] = str(cache_dir.resolve())
    cli = _cli_flags(flags)
    cli.update({"format": fmt, "output": str(output.resolve()) if output else None})

    def run() -> None:
        options = load_options(project.resolve(), env, cli)
        with progress_renderer() as on_event:
            report = run_build(options, env, on_event=on_event, jobs=jobs, refresh=refresh)
        if as_json:
            click.echo(report.to_json(), nl=False)
        else:
            for result in report.wagons:
                click.echo(str(options.output / result.file))

    _fail_cleanly(debug, run)


@main.command()
@project_and_targets
@debug_option
def lock(project: Path, debug: bool, **flags: Any) -> None:
    """Write locks/pylock.<target-id>.toml (pins + sha256 of every file) for each target."""
    env = dict(os.environ)

    def run() -> None:
        options = load_options(project.resolve(), env, _cli_flags(flags))
        with progress_renderer() as on_event:
            written = lock_project(options, env, on_event=on_event)
        for path in written:
            click.echo(str(path))

    _fail_cleanly(debug, run)


@main.command()
@click.argument("package")
@click.argument("target")
@click.option("--project", type=click.Path(path_type=Path, file_okay=False),
              help="A plugin project whose requirement markers to check as well.")
@click.option("--index-url", default="https://pypi.org/simple", show_default=True)
@click.option("--versions", default=5, show_default=True, help="How many versions to show.")
@debug_option
def explain(package: str, target: str, project: Path | None, index_url: str, versions: int,
            debug: bool) -> None:
    """Why PACKAGE has (or has no) usable wheel for TARGET, e.g. cp311-manylinux2014_aarch64."""

    def run() -> None:
        host = Host.detect()
        cell = parse_target_id(target, host)
        if project is not None:
            requires = project_requirements(load_options(project.resolve(), dict(os.environ)))
            note = marker_note(requires, package, cell)
            if note:
                click.echo(note)
        verdicts = explain_files(index_files(package, index_url), cell)
        usable = next((v for v in verdicts if v.usable), None)
        click.echo(f"{package} for {cell.id}: " + (
            f"newest usable release {usable.version} ({usable.usable[0]})" if usable
            else "no release has a usable wheel"))
        for verdict in verdicts[:versions]:
            if verdict.usable:
                click.echo(f"  {verdict.version}: usable: {verdict.usable[0]}")
                continue
            native = cell.is_native(host)
            where = "this machine can build it" if native else "only a native runner can build it"
            sdist = f"; sdist {verdict.sdist} ({where})" if verdict.sdist else ""
            click.echo(f"  {verdict.version}: no usable wheel{sdist}")
            for name, reason in closest(verdict):
                click.echo(f"      {name}: {reason}")

    _fail_cleanly(debug, run)


WAGONS = click.Path(exists=True, dir_okay=False, path_type=Path)
INTERPRETERS = click.option("--interpreter", "interpreters", multiple=True,
                            help="Path of a Python to use (repeatable).")
INSTALLER = click.option("--installer", type=click.Choice(INSTALLERS), default="uv",
                         show_default=True, help="What installs into the venv.")


@main.command()
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


@main.command()
@click.argument("wagon", type=WAGONS)
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.option("--debug", is_flag=True, help="Show tracebacks.")
def show(wagon: Path, as_json: bool, debug: bool) -> None:
    """Print a wagon's metadata, its wheels with their tags, and its targets."""

    def run() -> None:
        info = describe(wagon)
        if as_json:
            click.echo(json.dumps(info, indent=2, sort_keys=True))
            return
        click.echo(f"{info['package_name']} {info['package_version']}  ({info['file']},"
                   f" {info['container']}, made by {info['created_by']})")
        for label, key in (("platform", "supported_platform"), ("pythons", "supported_python_versions"),
                           ("python_requires", "python_requires"), ("build tag", "build_tag"),
                           ("targets", "targets"), ("files", "files")):
            value = info[key]
            shown = ", ".join(value) if isinstance(value, list) else value
            click.echo(f"{label + ':':<17}{shown or '-'}")
        click.echo(f"wheels ({len(info['wheels'])}):")
        for wheel in info["wheels"]:
            note = "" if wheel["listed"] else "  [not listed in package.json]"
            click.echo(f"  {wheel['file']}{note}\n      {' '.join(wheel['tags'])}")

    _fail_cleanly(debug, run)


@main.command()
@click.argument("wagon", type=WAGONS)
@click.option("--venv", type=click.Path(path_type=Path, file_okay=False),
              help="The venv to install into (created when missing) [$VIRTUAL_ENV].")
@INTERPRETERS
@INSTALLER
@click.option("--debug", is_flag=True, help="Show tracebacks.")
def install(wagon: Path, venv: Path | None, interpreters: tuple[str, ...], installer: str,
            debug: bool) -> None:
    """Install WAGON's plugin, at exactly its version, offline, into a venv it was made for."""
    env = dict(os.environ)

    def run() -> None:
        target = venv or (Path(env["VIRTUAL_ENV"]) if env.get("VIRTUAL_ENV") else None)
        if target is None:
            raise ConfigError("no venv to install into", "pass --venv PATH or activate a venv")
        done = install_wagon(wagon, target.absolute(), env, installer=installer,
                             interpreters=interpreters)
        click.echo(f"installed {done.name} {done.version} into {done.venv}"
                   f" (Python {done.python[0]}.{done.python[1]})")

    _fail_cleanly(debug, run)


@main.command("yaml")
@click.argument("project", default=".", type=click.Path(path_type=Path, file_okay=False))
@click.option("--check", is_flag=True, help="Write nothing; exit 1 when a plugin YAML is stale.")
@debug_option
def yaml_command(project: Path, check: bool, debug: bool) -> None:
    """Stamp the project's version into every plugin YAML and generate the older DSL variants."""

    def run() -> None:
        env = dict(os.environ)
        options = load_options(project.resolve(), env)
        version = project_version(options.project, env)
        files = dsl.plan(options.project, version, options.yaml_variants)
        stale = [f for f in files if f.stale]
        if check:
            for file in stale:
                click.echo(file.describe(), err=True)
            if stale:
                raise StaleError(
                    f"{len(stale)} of {len(files)} plugin YAMLs are stale",
                    f"run plugin-packager yaml {project} and commit the result",
                )
        else:
            for path in dsl.write(files):
                click.echo(f"wrote {path}")
        click.echo(f"{len(files)} plugin YAML{'' if len(files) == 1 else 's'} up to date", err=True)

    _fail_cleanly(debug, run)


@main.command()
@click.argument("answers", nargs=-1, metavar="[KEY=VALUE]...")
@click.option("-o", "--output-dir", type=click.Path(path_type=Path, file_okay=False),
              default=Path(), help="Where the project directory goes [.].")
@click.option("--no-input", is_flag=True, help="Ask nothing: defaults plus the KEY=VALUE answers.")
@debug_option
def new(answers: tuple[str, ...], output_dir: Path, no_input: bool, debug: bool) -> None:
    """Create a plugin project from the built-in template.

    KEY is one of plugin_name, package_name, plugin_key, author, description, version, license,
    executor, python_versions, platforms; cookiecutter asks for each unless --no-input.
    """

    def run() -> None:
        parsed = scaffold.parse_answers(answers)
        click.echo(str(scaffold.new_project(output_dir.resolve(), parsed, no_input=no_input)))

    _fail_cleanly(debug, run)
