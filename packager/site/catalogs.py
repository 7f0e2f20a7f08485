"""The JSON catalogs of SPEC §5, one plugin's entry at a time, joined into the root files."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .pieces import Pieces, mapped
from .profiles import Profile, catalog_rows
from .records import PluginState, Release, WagonEntry

PLUGINS_YAML = {"plugins.json": "plugin.yaml", "v2_plugins.json": "v2_plugin.yaml"}
CATALOG = "catalog.json"
ROOT_JSON = (*PLUGINS_YAML, CATALOG)
DEFAULT_ICON = "icon.svg"  # at the site's root: the icon of every plugin that brings none


@dataclass(frozen=True)
class Urls:
    """Absolute URLs under `base` (--base-url), else paths relative to the page `depth` levels
    below the site's root; the agent profiles the catalogs order wagons for."""

    base: str | None
    profiles: tuple[Profile, ...] = ()

    def __call__(self, rel: str, depth: int = 0) -> str:
        quoted = quote(rel)
        return f"{self.base.rstrip('/')}/{quoted}" if self.base else "../" * depth + quoted

    def wagon(self, name: str, release: Release, wagon: WagonEntry, depth: int = 0) -> str:
        """Where the wagon is served: where --wagon-url said, else in the site."""
        return wagon.url or self(release_path(name, release, wagon.file), depth)


def default_icon() -> bytes:
    """The icon the plugin template ships, served for plugins that bring none."""
    return resources.files("packager").joinpath(f"resources/{DEFAULT_ICON}").read_bytes()


def release_path(name: str, release: Release, file: str) -> str:
    return f"{name}/{release.version}/{file}"


# Each DSL version's file, best first: v2_plugin.yaml served 1_4 before plugin_1_4.yaml existed.
YAML_OF_DSL = {
    "cloudify_dsl_1_3": ("plugin.yaml",),
    "cloudify_dsl_1_4": ("plugin_1_4.yaml", "v2_plugin.yaml"),
    "cloudify_dsl_1_5": ("plugin_1_5.yaml",),
}


def yamls_by_dsl(release: Release) -> dict[str, str]:
    """One YAML per DSL version the release serves: never two files for one version."""
    found = {dsl: next((y for y in names if y in release.yamls), None)
             for dsl, names in YAML_OF_DSL.items()}
    return {dsl: name for dsl, name in found.items() if name}


def _icon(plugin: PluginState, release: Release, url: Urls) -> str:
    return url(release_path(plugin.name, release, release.icon) if release.icon else DEFAULT_ICON)


def plugins_entry(plugin: PluginState, yaml: str, url: Urls) -> dict[str, Any]:
    release = plugin.newest()
    name = release.yaml_for(yaml)
    yaml_url = url(release_path(plugin.name, release, name)) if name else None
    return {
        "name": plugin.name, "title": release.title, "description": release.description,
        "version": release.version, "releases": url(f"{plugin.name}/index.html"),
        "icon": _icon(plugin, release, url),
        "link": yaml_url, "yaml": yaml_url,
        "wagons": [{
            "name": row.label,
            "url": url.wagon(plugin.name, release, row.wagon),
            "md5url": url(release_path(plugin.name, release, f"{row.wagon.file}.md5")),
        } for row in catalog_rows(release, url.profiles)],
    }


def _urls_of(plugin: PluginState, release: Release, url: Urls) -> dict[str, Any]:
    return {
        "wagon_urls": [{
            "release": row.label, "arch": row.wagon.arch, "python": row.python,
            "url": url.wagon(plugin.name, release, row.wagon),
            "file_size": row.wagon.size, "sha256": row.wagon.sha256,
        } for row in catalog_rows(release, url.profiles)],
        "yaml_urls": [{"dsl_version": dsl, "url": url(release_path(plugin.name, release, y))}
                      for dsl, y in yamls_by_dsl(release).items()],
    }


def catalog_entry(plugin: PluginState, url: Urls) -> dict[str, Any]:
    newest = plugin.newest()
    return {
        "name": plugin.name, "display_name": newest.title, "version": newest.version,
        "logo_url": _icon(plugin, newest, url),
        "description": newest.description, **_urls_of(plugin, newest, url),
        "versions": [{"version": r.version, "published": r.built, "prerelease": r.prerelease,
                      **_urls_of(plugin, r, url)} for r in plugin.ordered()],
    }


def fragments(plugin: PluginState, url: Urls) -> dict[str, str]:
    """Each root file's entry for this plugin, as JSON text to splice without parsing again."""
    out = {file: _dump(plugins_entry(plugin, yaml, url)) for file, yaml in PLUGINS_YAML.items()}
    out[CATALOG] = _dump(catalog_entry(plugin, url))
    return out


def _dump(entry: dict[str, Any]) -> str:
    return json.dumps(entry, sort_keys=True)


@dataclass(frozen=True)
class Written:
    """A root catalog as `join` wrote it: where each plugin's entry lies in the file."""

    path: Path
    spans: dict[str, tuple[int, int]]


def join(names: Sequence[str], fresh: Mapping[str, str], kept: Written | None = None
         ) -> bytes | Pieces:
    """A JSON array of the plugins' entries, one per line, sorted by plugin: `fresh` ones
    (JSON text), else the one `kept` has, copied from its file as bytes without parsing."""
    parts: list[bytes | tuple[int, int]] = []
    for name in names:
        if name in fresh:
            parts.append(fresh[name].encode())
            continue
        assert kept is not None, name
        start, end = kept.spans[name]
        last = parts[-1] if parts else None
        if isinstance(last, tuple) and sum(last) + 2 == start:  # the next line: one copy
            parts[-1] = (last[0], end - last[0])
        else:
            parts.append((start, end - start))
    if kept is None:
        return b"[\n" + b",\n".join(p for p in parts if isinstance(p, bytes)) + b"\n]\n"
    pieces: list[bytes | tuple[int, int]] = [b"[\n"]
    for number, part in enumerate(parts):
        pieces += [b",\n"] if number else []
        if isinstance(part, bytes) and isinstance(pieces[-1], bytes):
            pieces[-1] += part
        else:
            pieces.append(part)
    pieces.append(b"\n]\n")
    return Pieces(kept.path, pieces)


def read_written(path: Path, names: Sequence[str]) -> Written | None:
    """The root catalog `join` wrote for `names` (sorted), or None when the file is not that
    (then every plugin's entry is rendered again)."""
    try:
        data = mapped(path)
    except (OSError, ValueError):
        return None
    if not names or data[:2] != b"[\n" or data[-3:] != b"\n]\n":
        return None
    spans, start = {}, 2
    for number, name in enumerate(names):
        end = data.find(b"\n", start)
        last = number == len(names) - 1
        if end < 0 or (end == len(data) - 3) != last or (data[end - 1:end] == b",") == last:
            return None
        spans[name] = (start, end if last else end - 1)
        start = end + 1
    return Written(path, spans)
