"""HTML pages and the Atom feed, from jinja2 templates with autoescaping: everything a plugin
provides (names, titles, descriptions) reaches the page as text, never as markup."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

import jinja2
from markupsafe import Markup

from .catalogs import Urls, ordered_wagons, release_path
from .records import FEED_ENTRIES, PluginState, Release, newest, one_line

_URN = "urn:plugin-packager"


@functools.lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("packager.site", "templates"),
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        # Compiled templates kept in jinja's own per-user directory (it checks who owns it):
        # compiling them costs an `index` process a tenth of its add.
        bytecode_cache=jinja2.FileSystemBytecodeCache(),
    )


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KiB", "MiB"):
        if value < 1024:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GiB"


def _glance(plugin: PluginState) -> tuple[list[str], list[str]]:
    release = plugin.newest()
    platforms = sorted({w.platform for w in release.wagons})
    pythons = sorted({p for w in release.wagons for p in w.pythons},
                     key=lambda p: (len(p), p))
    return platforms, pythons


def index_row(plugin: PluginState, url: Urls) -> str:
    """The plugin's row on the index page, on one line (kept per plugin in rows.tsv so one
    release re-renders one row)."""
    release = plugin.newest()
    platforms, pythons = _glance(plugin)
    search = " ".join([plugin.name, release.title, release.description, release.version,
                       *platforms, *pythons]).lower()
    return one_line(_env().get_template("row.html").render(
        plugin=plugin.name, release=release, platforms=platforms, pythons=pythons,
        search=search, page=url(f"{plugin.name}/index.html"),
    ))


def index_page(rows: Iterable[str], count: int, site_title: str) -> bytes:
    # The rows were rendered, and escaped, by row.html.
    return _env().get_template("index.html").render(
        site_title=site_title, root="", count=count, rows=Markup("".join(r + "\n" for r in rows)),
    ).encode()


def plugin_page(plugin: PluginState, url: Urls, site_title: str) -> bytes:
    newest = plugin.newest()

    def path(release: Release, file: str) -> str:
        return release_path(plugin.name, release, file)

    icon = url(path(newest, newest.icon), 1) if newest.icon else None
    return _env().get_template("plugin.html").render(
        site_title=site_title, root="../", plugin=plugin.name, newest=newest, icon=icon,
        releases=plugin.ordered(), wagons=ordered_wagons, url=url, path=path, size=human_size,
    ).encode()


def feed_items(plugin: PluginState) -> list[dict[str, Any]]:
    """What the feed needs of each release, kept in the site state beside the other fragments."""
    releases = sorted(plugin.releases.values(), key=lambda r: r.indexed)[-FEED_ENTRIES:]
    return [{"name": plugin.name, "version": r.version, "indexed": r.indexed, "title": r.title,
             "description": r.description} for r in releases]


def feed(items: Iterable[dict[str, Any]], url: Urls, site_title: str) -> bytes:
    entries = newest(items)
    return _env().get_template("feed.xml").render(
        site_title=site_title, feed_id=url.base or f"{_URN}:site", url=url, entries=entries,
        updated=entries[0]["indexed"] if entries else "1980-01-01T00:00:00Z",
    ).encode()
