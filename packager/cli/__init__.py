"""The command line: parse, call the library, render. No packaging logic lives here."""

from __future__ import annotations

import click

from .group import Group

# The module of each command: a run imports only the family of the command it runs.
FAMILIES = {
    "build": ("build", "lock", "explain"),
    "check": ("validate", "show", "install"),
    "author": ("yaml", "new"),
    "release": ("matrix", "merge", "diff"),
    "site": ("index", "serve", "bundle", "publish"),
}


@click.group(cls=Group, families=FAMILIES)
@click.version_option(package_name="plugin-packager", prog_name="plugin-packager")
def main() -> None:
    """Build, check and publish wagons for orchestration plugins."""
