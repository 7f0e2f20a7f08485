"""Errors are handled once, here: every command gets `--debug`, and a `PackagerError` from any of
them becomes one line on stderr and its exit code (a traceback only with `--debug`)."""

from __future__ import annotations

import os
from typing import Any

import click

from ..errors import PackagerError

_DEBUG = "packager.debug"


def _remember_debug(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        ctx.meta[_DEBUG] = True


class Command(click.Command):
    """A command with `--debug`, handled by the group."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.params.append(click.Option(
            ["--debug"], is_flag=True, expose_value=False, is_eager=True,
            callback=_remember_debug, help="Show tracebacks.",
        ))


class Group(click.Group):
    command_class = Command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except PackagerError as exc:
            if ctx.meta.get(_DEBUG):
                raise
            click.echo(f"plugin-packager: error: {exc.one_line()}", err=True)
            if os.environ.get("GITHUB_ACTIONS") == "true":
                from ..release.summary import error_annotation

                click.echo(error_annotation(exc.one_line()), err=True)
            ctx.exit(exc.exit_code)
