"""Options several commands share."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from .._installers import INSTALLERS

F = TypeVar("F", bound=Callable[..., Any])

WAGONS = click.Path(exists=True, dir_okay=False, path_type=Path)
INTERPRETERS = click.option("--interpreter", "interpreters", multiple=True,
                            help="Path of a Python to use (repeatable).")
COMBINE = click.option("--combine/--no-combine", default=None,
                       help="One wagon per platform holding every --python.")


def _globs(
    _ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]
) -> tuple[str, ...]:
    # Comma-separated lists too, so one matrix cell's `only` is one argument.
    return tuple(glob for value in values for glob in value.split(",") if glob.strip())


ONLY = click.option("--only", multiple=True, metavar="GLOB", callback=_globs,
                    help="Only the targets whose id matches (repeatable or comma-separated).")
SKIP = click.option("--skip", multiple=True, metavar="GLOB", callback=_globs,
                    help="Leave out the targets whose id matches (repeatable or comma-separated).")
INSTALLER = click.option("--installer", type=click.Choice(INSTALLERS), default="uv",
                         show_default=True, help="What installs into the venv.")


_TARGETS = [
    click.argument("project", default=".", type=click.Path(path_type=Path, file_okay=False)),
    click.option("--python", "python", multiple=True,
                 help="Target Python X.Y or X.Y.Z (repeatable)."),
    click.option("--platform", "platform", multiple=True, help="Target platform (repeatable)."),
]


def _apply(func: F, options: Sequence[Callable[[Any], Any]]) -> F:
    for option in reversed(options):
        func = option(func)
    return func


def project_and_platforms(func: F) -> F:
    """The project argument and the options that choose its targets (what `matrix` needs)."""
    return _apply(func, _TARGETS)


def project_and_targets(func: F) -> F:
    """The project argument and the target/index options that build and lock share."""
    return _apply(func, [
        *_TARGETS,
        INTERPRETERS,
        click.option("--index-url", help="Base URL of the package index."),
        click.option("--extra-index-url", multiple=True, help="Extra index URL (repeatable)."),
        click.option("--find-links", multiple=True, help="Directory or URL with distributions."),
        click.option("-r", "--requirements", "requirements", multiple=True,
                     help="Requirements file packed and installed with the plugin (repeatable)."),
        click.option("-c", "--constraint", "constraints", multiple=True,
                     help="Constraints file for the resolution (repeatable)."),
        click.option("--exclude", "exclude", multiple=True,
                     help="Leave this dependency out: the manager provides it (repeatable)."),
    ])


def config_flags(flags: dict[str, Any]) -> dict[str, Any]:
    """Click's parameter names to config keys."""
    return {k.replace("_", "-"): v for k, v in flags.items()}
