"""HTML pages and the Atom feed, from jinja2 templates with autoescaping: everything a plugin
provides (names, titles, descriptions) reaches the page as text, never as markup."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .catalogs import DEFAULT_ICON, Urls, release_path
from .profiles import ordered_wagons
from .records import PluginState, Release, newest, one_line, python_key

if TYPE_CHECKING:
    import jinja2

_URN = "urn:plugin-packager"
UNKNOWN_DATE = "1980-01-01T00:00:00Z"  # Atom needs a date; a build without one gets the zip epoch
TEMPLATES = ("row.html", "index.html", "plugin.html", "feed.xml")


@functools.lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    import jinja2  # here: an add imports it in a forked process, while it reads (prestarted.py)

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
    pythons = sorted({p for w in release.wagons for p in w.pythons}, key=python_key)
    return platforms, pythons


def dotted(pytag: str) -> str:
    """py312 → 3.12: what a reader types into the filter."""
    return ".".join(map(str, python_key(pytag)))


def index_row(plugin: PluginState, url: Urls) -> str:
    """The plugin's row on the index page, on one line (kept per plugin in rows.tsv so one
    release re-renders one row)."""
    release = plugin.newest()
    platforms, pythons = _glance(plugin)
    search = " ".join([plugin.name, release.title, release.description, release.version,
                       *platforms, *pythons, *map(dotted, pythons)]).lower()
    yaml = release.yaml_for("plugin.yaml")
    # Links relative to the index page (absolute ones cost it a third of its size).
    local = Urls(None)
    return one_line(_env().get_template("row.html").render(
        plugin=plugin.name, release=release, platforms=platforms, pythons=pythons,
        search=search, page=url(f"{plugin.name}/index.html"),
        wagons=[(w, local.wagon(plugin.name, release, w)) for w in ordered_wagons(release)],
        yaml=local(release_path(plugin.name, release, yaml)) if yaml else None,
    ))


def load_templates() -> None:
    for name in TEMPLATES:
        _env().get_template(name)


def index_page(rows: Iterable[str], count: int, site_title: str) -> bytes:
    from markupsafe import Markup  # jinja2's own

    # The rows were rendered, and escaped, by row.html.
    return _env().get_template("index.html").render(
        site_title=site_title, root="", count=count, rows=Markup("".join(r + "\n" for r in rows)),
    ).encode()


def plugin_page(plugin: PluginState, url: Urls, site_title: str) -> bytes:
    newest = plugin.newest()

    def path(release: Release, file: str) -> str:
        return release_path(plugin.name, release, file)

    icon = url(path(newest, newest.icon) if newest.icon else DEFAULT_ICON, 1)

    return _env().get_template("plugin.html").render(
        site_title=site_title, root="../", plugin=plugin.name, newest=newest, icon=icon,
        releases=plugin.ordered(), wagons=ordered_wagons, url=url, path=path, size=human_size,
        pythons=lambda w: sorted(w.pythons, key=python_key),
    ).encode()


def feed(items: Iterable[dict[str, Any]], url: Urls, site_title: str) -> bytes:
    entries = newest(items)
    return _env().get_template("feed.xml").render(
        site_title=site_title, feed_id=url.base or f"{_URN}:site", url=url, entries=entries,
        updated=(entries[0].get("built") if entries else None) or UNKNOWN_DATE,
        unknown=UNKNOWN_DATE,
    ).encode()


@dataclass(frozen=True)
class PagesJob:
    """What `pages` renders: the changed plugins, the rows of the others, the feed's items."""

    plugins: dict[str, PluginState]
    rows: dict[str, str]
    feed: list[dict[str, Any]]
    url: Urls
    title: str


# The characters XML 1.0 forbids, in UTF-8: C0 controls but tab, newline and return; U+FFFE/F.
_NOT_XML = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]")


def xml_chars(document: bytes) -> bytes:
    """`document` with each character XML 1.0 forbids (a \\x01 in a description) as U+FFFD:
    one would leave the whole feed unreadable to every feed reader."""
    return _NOT_XML.sub("\ufffd".encode(), document)


def pages(job: PagesJob) -> tuple[dict[str, str], dict[str, bytes]]:
    """The changed plugins' index rows, and every page they touch by its path in the site."""
    rows = {name: index_row(plugin, job.url) for name, plugin in job.plugins.items()}
    every = {**job.rows, **rows}
    files = {f"{name}/index.html": plugin_page(plugin, job.url, job.title)
             for name, plugin in sorted(job.plugins.items())}
    files["index.html"] = index_page((every[n] for n in sorted(every)), len(every), job.title)
    files["feed.xml"] = xml_chars(feed(job.feed, job.url, job.title))
    return rows, files
