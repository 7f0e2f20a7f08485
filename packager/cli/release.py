"""`matrix`, `merge` and `diff`: the CI release job's commands."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import click

from .group import Command
from .options import COMBINE, ONLY, SKIP, config_flags, project_and_platforms
from .render import echo


@click.command(cls=Command)
@project_and_platforms
@COMBINE
@ONLY
@SKIP
def matrix(project: Path, only: tuple[str, ...], skip: tuple[str, ...], **flags: Any) -> None:
    """The targets of PROJECT as a GitHub Actions matrix: {"include": [cell, ...]} on one line."""
    from ..builder.config import load_options
    from ..builder.project import configured_targets
    from ..release.matrix import matrix as cells_of
    from ..release.matrix import matrix_json, parse_runners
    from ..targets import Host

    options = load_options(project.resolve(), dict(os.environ), config_flags(flags), cwd=Path.cwd())
    host = Host.detect()
    targets = configured_targets(options, host, only, skip)
    cells = cells_of(targets, parse_runners(options.runners), host, options.combine)
    click.echo(matrix_json(cells))


@click.command(cls=Command)
@click.argument("cells", nargs=-1, required=True,
                type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path),
              help="The release directory to create (new or empty).")
@click.option("--json", "as_json", is_flag=True, help="Print the merged report as JSON.")
def merge(cells: tuple[Path, ...], output: Path, as_json: bool) -> None:
    """Merge the output directories of matrix cells (`build --only`) into one release directory.

    Exit status 2 when the cells are not parts of one build (version, git HEAD, tree digest,
    SOURCE_DATE_EPOCH) or overlap, 5 when a cell is damaged; nothing is written then.
    """
    from ..release.merge import merge as merge_cells
    from .render import step_summary

    start = time.monotonic()
    report = merge_cells(cells, output)
    step_summary("merge", report, start)
    if as_json:
        click.echo(report.to_json(), nl=False)
    else:
        echo(*(str(output / wagon.file) for wagon in report.wagons))


@click.command(cls=Command)
@click.argument("old", type=click.Path(exists=True, path_type=Path))
@click.argument("new", type=click.Path(exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the differences as JSON.")
def diff(old: Path, new: Path, as_json: bool) -> None:
    """What changed from OLD to NEW (release directories, download sites or wagons): versions,
    targets, wheels.

    Under GitHub Actions the differences are also appended, as Markdown, to $GITHUB_STEP_SUMMARY.
    """
    import json

    from ..release.diff import diff_releases
    from ..release.summary import append_step_summary, diff_markdown, diff_text

    found = diff_releases(old, new)
    if as_json:
        click.echo(json.dumps(found.to_json(), indent=2, sort_keys=True))
    else:
        echo(*diff_text(found).splitlines())
    append_step_summary(diff_markdown(found), os.environ)


COMMANDS = (matrix, merge, diff)
