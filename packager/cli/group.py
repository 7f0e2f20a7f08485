"""Errors are handled once, here: every command gets `--debug`, and a `PackagerError` from any of
them becomes one line on stderr and its exit code; any other exception (a bug) one line too, exit
status 1 (a traceback only with `--debug`)."""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping, Sequence
from typing import Any

import click

from .._ci import in_github_actions
from ..errors import ExitCode, PackagerError

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
    """Commands come from family modules (`families`: module name → its commands), imported only
    when one of their commands runs or help lists them."""

    command_class = Command

    def __init__(self, *args: Any, families: Mapping[str, Sequence[str]] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.families = {name: family for family, names in (families or {}).items()
                         for name in names}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.families})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        family = self.families.get(cmd_name)
        if family is not None and cmd_name not in self.commands:
            module = importlib.import_module(f"{__package__}.{family}")
            for command in module.COMMANDS:
                self.add_command(command)
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise  # click's own: usage errors, --help, ctx.exit
        except Exception as exc:
            if ctx.meta.get(_DEBUG):
                raise
            line = exc.one_line() if isinstance(exc, PackagerError) else (
                f"unexpected {type(exc).__name__}: {exc} (hint: this is a bug in plugin-packager;"
                " run again with --debug for the traceback, and report it)")
            from .render import echo

            echo(f"plugin-packager: error: {line}", err=True)
            if in_github_actions(os.environ):
                from ..release.summary import error_annotation

                echo(error_annotation(line), err=True)
            ctx.exit(exc.exit_code if isinstance(exc, PackagerError) else ExitCode.UNEXPECTED)
