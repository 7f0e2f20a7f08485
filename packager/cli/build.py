"""`build`, `lock` and `explain`."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import click

from ..builder.indexes import DEFAULT_INDEX
from .group import Command
from .options import COMBINE, ONLY, config_flags, project_and_targets


@click.command(cls=Command)
@project_and_targets
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Output directory [dist/].")
@click.option("--format", "fmt", type=click.Choice(("zip", "tar.gz")), help="Archive container [zip].")
@click.option("--build-tag", help="Build tag in the file name, e.g. manylinux or centos-Core.")
@click.option("--legacy-platform-tag/--no-legacy-platform-tag", default=None,
              help="Write linux_<arch> as supported_platform (managers <= 5.1).")
@COMBINE
@click.option("--cache-dir", type=click.Path(path_type=Path), help="Wheel cache directory.")
@click.option("--offline", is_flag=True, default=None,
              help="No network: every target's lock, files from the cache or --find-links.")
@click.option("-j", "--jobs", type=click.IntRange(min=1),
              help="Cores used at once: one per sdist build or wagon check; CMake and Cargo"
              " builds get the spare ones [cores].")
@click.option("--refresh", is_flag=True, help="Resolve again even if a recent resolution is cached.")
@click.option("--validate/--no-validate", default=None,
              help="Also install each wagon in a clean room (as `validate` does).")
@ONLY
@click.option("--json", "as_json", is_flag=True, help="Print the build report as JSON.")
@click.option("-v", "--verbose", is_flag=True, help="Show every warning, not their count.")
def build(project: Path, fmt: str | None, output: Path | None, jobs: int | None, refresh: bool,
          only: tuple[str, ...], as_json: bool, verbose: bool, **flags: Any) -> None:
    """Build one wagon per target for the plugin in PROJECT."""
    from ..builder.config import load_options
    from ..builder.pipeline import BuildRun, build_wagons
    from .render import ci_group, progress_renderer, step_summary

    env = dict(os.environ)
    cli = config_flags(flags)
    cli.update({"format": fmt, "output": output})
    options = load_options(project.resolve(), env, cli, cwd=Path.cwd())
    start = time.monotonic()
    with ci_group(f"plugin-packager build {project}"), progress_renderer(verbose=verbose) as on_event:
        report = build_wagons(options, env, BuildRun(only, jobs, refresh), on_event=on_event)
    step_summary("build", report, start)
    if as_json:
        click.echo(report.to_json(), nl=False)
    else:
        for result in report.wagons:
            click.echo(str(options.output / result.file))


@click.command(cls=Command)
@project_and_targets
def lock(project: Path, **flags: Any) -> None:
    """Write locks/pylock.<target-id>.toml (pins + sha256 of every file) for each target."""
    from ..builder.config import load_options
    from ..builder.lock import lock_project
    from .render import progress_renderer

    env = dict(os.environ)
    options = load_options(project.resolve(), env, config_flags(flags), cwd=Path.cwd())
    with progress_renderer() as on_event:
        written = lock_project(options, env, on_event=on_event)
    for path in written:
        click.echo(str(path))


@click.command(cls=Command)
@click.argument("package")
@click.argument("target")
@click.option("--project", type=click.Path(path_type=Path, file_okay=False),
              help="A plugin project whose requirement markers to check as well.")
@click.option("--index-url", help=f"The index to ask [{DEFAULT_INDEX}]; credentials as for build.")
@click.option("--versions", default=5, show_default=True, help="How many versions to show.")
def explain(package: str, target: str, project: Path | None, index_url: str | None,
            versions: int) -> None:
    """Why PACKAGE has (or has no) usable wheel for TARGET, e.g. cp311-manylinux2014_aarch64."""
    from ..builder.config import load_options
    from ..builder.explain import closest, explain_files, index_files, marker_note, parse_target_id
    from ..builder.indexes import Indexes
    from ..builder.project import project_requirements
    from ..targets import Host

    host = Host.detect()
    cell = parse_target_id(target, host)
    env = dict(os.environ)
    if project is not None:
        requires = project_requirements(load_options(project.resolve(), env))
        note = marker_note(requires, package, cell)
        if note:
            click.echo(note)
    # The index's credentials are found, used and redacted as build's are: for a host named.
    indexes = Indexes.parse(index_url or "", [], [], Path.cwd(), env)
    index = indexes.primary
    verdicts = explain_files(index_files(package, index, indexes.auth_header(index), indexes), cell)
    usable = next((v for v in verdicts if v.usable), None)
    click.echo(f"{package} for {cell.id}: " + (
        f"newest usable release {usable.version} ({usable.usable[0]})" if usable
        else "no release has a usable wheel"))
    for verdict in verdicts[:versions]:
        if verdict.usable:
            click.echo(f"  {verdict.version}: usable: {verdict.usable[0]}")
            continue
        where = ("this machine can build it" if cell.is_native(host)
                 else "used only if it builds pure here, else a native runner must build it")
        sdist = f"; sdist {verdict.sdist} ({where})" if verdict.sdist else ""
        click.echo(f"  {verdict.version}: no usable wheel{sdist}")
        for name, reason in closest(verdict):
            click.echo(f"      {name}: {reason}")


COMMANDS = (build, lock, explain)
