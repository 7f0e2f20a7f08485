"""The JSON catalogs of SPEC §5, one plugin's entry at a time, joined into the root files."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .records import DSL_OF_YAML, PluginState, Release, WagonEntry
from .state import Pieces, mapped

PLUGINS_YAML = {"plugins.json": "plugin.yaml", "v2_plugins.json": "v2_plugin.yaml"}
CATALOG = "catalog.json"
ROOT_JSON = (*PLUGINS_YAML, CATALOG)


@dataclass(frozen=True)
class Urls:
    """Absolute URLs under `base` (--base-url), else paths relative to the page `depth` levels
    below the site's root."""

    base: str | None

    def __call__(self, rel: str, depth: int = 0) -> str:
        quoted = quote(rel)
        return f"{self.base.rstrip('/')}/{quoted}" if self.base else "../" * depth + quoted


def release_path(name: str, release: Release, file: str) -> str:
    return f"{name}/{release.version}/{file}"


def _python_rank(wagon: WagonEntry) -> int:
    numbers = [int(p[2:]) for p in wagon.pythons if p[2:].isdigit()]
    return -max(numbers, default=0)


def ordered_wagons(release: Release) -> list[WagonEntry]:
    """By label, x86_64 first, newest Python first: a UI taking the first match gets the best."""
    return sorted(release.wagons, key=lambda w: (
        w.label.lower(), w.arch not in ("x86_64", "any"), _python_rank(w), w.file))


def plugins_entry(plugin: PluginState, yaml: str, url: Urls) -> dict[str, Any]:
    release = plugin.newest()
    name = release.yaml_for(yaml)
    yaml_url = url(release_path(plugin.name, release, name)) if name else None
    return {
        "name": plugin.name, "title": release.title, "description": release.description,
        "version": release.version, "releases": url(f"{plugin.name}/index.html"),
        "icon": url(release_path(plugin.name, release, release.icon)) if release.icon else None,
        "link": yaml_url, "yaml": yaml_url,
        "wagons": [{
            "name": w.label,
            "url": url(release_path(plugin.name, release, w.file)),
            "md5url": url(release_path(plugin.name, release, f"{w.file}.md5")),
        } for w in ordered_wagons(release)],
    }


def _urls_of(plugin: PluginState, release: Release, url: Urls) -> dict[str, Any]:
    return {
        "wagon_urls": [{
            "release": w.label, "arch": w.arch,
            "url": url(release_path(plugin.name, release, w.file)),
            "file_size": w.size, "sha256": w.sha256,
        } for w in ordered_wagons(release)],
        "yaml_urls": [{"dsl_version": DSL_OF_YAML[y], "url": url(release_path(plugin.name,
                                                                                release, y))}
                      for y in release.yamls],
    }


def catalog_entry(plugin: PluginState, url: Urls) -> dict[str, Any]:
    newest = plugin.newest()
    return {
        "name": plugin.name, "display_name": newest.title, "version": newest.version,
        "logo_url": url(release_path(plugin.name, newest, newest.icon)) if newest.icon else None,
        "description": newest.description, **_urls_of(plugin, newest, url),
        "versions": [{"version": r.version, "published": r.indexed, **_urls_of(plugin, r, url)}
                     for r in plugin.ordered()],
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
