"""`matrix`, `merge` and `diff`: the CI release job's commands."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from .group import Command
from .options import COMBINE, ONLY, SKIP, config_flags, project_and_targets


@click.command(cls=Command)
@project_and_targets
@COMBINE
@ONLY
@SKIP
def matrix(project: Path, only: tuple[str, ...], skip: tuple[str, ...], **flags: Any) -> None:
    """The targets of PROJECT as a GitHub Actions matrix: {"include": [cell, ...]} on one line."""
    from ..build.config import load_options
    from ..build.project import configured_targets
    from ..release.matrix import matrix as cells_of
    from ..release.matrix import matrix_json, parse_runners
    from ..targets import Host

    options = load_options(project.resolve(), dict(os.environ), config_flags(flags), cwd=Path.cwd())
    host = Host.detect()
    targets = configured_targets(options, host, only, skip)
    click.echo(matrix_json(cells_of(targets, parse_runners(options.runners), host, options.combine)))


COMMANDS = (matrix,)
