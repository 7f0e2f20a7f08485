"""`index`, `serve`, `bundle` and `publish`: the download site and the package index."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .group import Command
from .render import echo

if TYPE_CHECKING:
    from ..events import Event

INPUTS = click.Path(exists=True, path_type=Path)


@click.command(cls=Command)
@click.argument("inputs", nargs=-1, required=True, type=INPUTS)
@click.option("-o", "--output", "site", required=True,
              type=click.Path(file_okay=False, path_type=Path), help="The site directory.")
@click.option("--base-url", help="Absolute http(s) URL the site is served at (kept for later "
              "runs). Catalogs need it: consumers fetch them from elsewhere.")
@click.option("--relative", is_flag=True,
              help="Relative URLs instead of --base-url: a preview, whose catalogs work nowhere "
              "else.")
@click.option("--wagon-url", metavar="TEMPLATE",
              help="Wagons stay where they are published, e.g. "
              "https://github.com/ORG/REPO/releases/download/{tag}/{file} ({tag}: the name of "
              "the directory the wagon is in; {version}; {file}). Kept for later runs; \"\" "
              "copies them again.")
@click.option("--profile", "profiles", multiple=True, metavar="LABEL=ARCH:PYTHON",
              help="An agent profile the catalogs order wagons for (repeatable; replaces the "
              "defaults, kept for later runs).")
@click.option("--title", help="The site's title (default: Plugins, or the one it has).")
@click.option("--replace", is_flag=True,
              help="Overwrite files already in the site whose content differs.")
def index(inputs: tuple[Path, ...], site: Path, base_url: str | None, relative: bool,
          wagon_url: str | None, profiles: tuple[str, ...], title: str | None,
          replace: bool) -> None:
    """Add wagons (build output DIRs or WAGON files) to the download site SITE.

    Earlier releases stay; a wagon already in the site is skipped; a different file under a
    name the site already serves is refused (exit 5) unless --replace. Without --base-url
    (now or in an earlier run) or --relative, nothing is written (exit 2).
    """
    from ..site.forked import page_renderer

    # Forked before the site's modules are imported: its process loads jinja2 meanwhile.
    with page_renderer() as rendering:
        from ..site.index import Where, index_site

        # One plain line per wagon: no stages to draw, and rich's import would cost a tenth of
        # a second.
        lines = _Lines()
        try:
            where = Where(base_url=base_url, relative=relative, wagon_url=wagon_url,
                          profiles=profiles, title=title, replace_=replace)
            result = index_site(list(inputs), site, where, events=lines.add,
                                rendering=rendering)
        finally:
            lines.flush()
    click.echo(f"{site}: {len(result.added)} added, {len(result.unchanged)} unchanged;"
               f" {result.plugins} plugins, {result.wagons} wagons")


class _Lines:
    """Event lines for stderr, written a batch at a time (at most a fifth of a second late): one
    write per line cost a full index of 40,000 wagons seconds of system calls."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.written = time.monotonic()

    def add(self, event: Event) -> None:
        self.lines.append(event.message)
        if len(self.lines) >= 1000 or time.monotonic() - self.written > 0.2:
            self.flush()

    def flush(self) -> None:
        if self.lines:
            echo(*self.lines, err=True)
        self.lines, self.written = [], time.monotonic()


@click.command(cls=Command)
@click.argument("site", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port on 127.0.0.1 (0: any free port).")
def serve(site: Path, port: int) -> None:
    """Preview the download site SITE on http://127.0.0.1:PORT/ until interrupted."""
    from ..site.serve import make_server

    server = make_server(site, port)
    host, bound = server.server_address[:2]
    click.echo(f"serving {site} at http://{host!s}:{bound}/ (Ctrl-C stops)", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@click.command(cls=Command)
@click.argument("inputs", nargs=-1, required=True, type=INPUTS)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The bundle to write (FILE.tgz).")
@click.option("--only", multiple=True, metavar="NAME", help="Only this plugin (repeatable).")
def bundle(inputs: tuple[Path, ...], output: Path, only: tuple[str, ...]) -> None:
    """Write the tar.gz `cfy plugins bundle-upload` takes, from a SITE, build DIRs or WAGONs.

    It holds the newest release of each plugin: its wagons, their plugin YAML, and METADATA
    mapping each wagon's path to its YAML's path. Same inputs give the same bytes.
    """
    from .._files import check_writable
    from ..site.bundle import collect, write_bundle

    check_writable(output.parent, "the bundle's directory")
    mapping = write_bundle(collect(list(inputs), only), output, dict(os.environ),
                           lambda event: click.echo(event.message, err=True))
    click.echo(f"{output}: {len(mapping)} wagons")


@click.command(cls=Command)
@click.argument("project", default=".", type=click.Path(exists=True, file_okay=False,
                                                          path_type=Path))
@click.option("--repository-url", required=True, envvar="TWINE_REPOSITORY_URL",
              help="Upload URL of the index [$TWINE_REPOSITORY_URL].")
@click.option("--dist", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Upload the sdist and wheel in this directory instead of building them.")
def publish(project: Path, repository_url: str, dist: Path | None) -> None:
    """Build PROJECT's sdist and wheel, `twine check` them and upload them with twine.

    Credentials come from TWINE_USERNAME/TWINE_PASSWORD or keyring; nothing prints them.
    """
    from ..site.publish import publish as upload

    done = upload(project, repository_url, dict(os.environ), dist=dist)
    click.echo(f"published {done.name} {done.version} to {done.url}: {', '.join(done.files)}")


COMMANDS = (index, serve, bundle, publish)
