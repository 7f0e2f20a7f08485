"""The command line: parse, call the library, render. No packaging logic lives here."""

from __future__ import annotations

import click

from . import author, build, check, release, site
from .group import Group


@click.group(cls=Group)
@click.version_option(package_name="plugin-packager", prog_name="plugin-packager")
def main() -> None:
    """Build, check and publish wagons for orchestration plugins."""


for _family in (build, check, author, release, site):
    for _command in _family.COMMANDS:
        main.add_command(_command)
