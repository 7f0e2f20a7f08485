"""What Cloudify's consumers do with a download site's catalogs, to check ours against.

The stage's plugins-catalog widget reads `plugins.json`; a manager's blueprint auto-upload reads
the marketplace shape (`catalog.json`). Both take the wagon whose `name` (resp. `release`)
equals the manager's "<distribution> <release>" case-insensitively, else the FIRST whose name
starts with "manylinux"; neither looks at the arch or the Python (SPEC §5).

    python -m tests.consumer SITE_DIR PLUGIN "centos core"   # prints both catalogs' picks
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def _pick(wagons: Sequence[dict[str, Any]], key: str, manager: str) -> str | None:
    wanted = manager.lower()
    for wagon in wagons:
        if str(wagon[key]).lower() == wanted:
            return str(wagon["url"])
    for wagon in wagons:
        if str(wagon[key]).lower().startswith("manylinux"):
            return str(wagon["url"])
    return None


def _entry(entries: Sequence[dict[str, Any]], plugin: str) -> dict[str, Any]:
    (entry,) = [e for e in entries if e["name"] == plugin]
    return entry


def from_plugins_json(entries: Sequence[dict[str, Any]], plugin: str, manager: str) -> str | None:
    """The stage widget: the plugin's entry (its advertised version), wagons by `name`."""
    return _pick(_entry(entries, plugin)["wagons"], "name", manager)


def from_catalog(entries: Sequence[dict[str, Any]], plugin: str, manager: str,
                 version: str | None = None) -> str | None:
    """Auto-upload: the newest version (or `version`), wagons by `release`."""
    entry = _entry(entries, plugin)
    if version is not None:
        (entry,) = [v for v in entry["versions"] if v["version"] == version]
    return _pick(entry["wagon_urls"], "release", manager)


def main(argv: Sequence[str]) -> int:
    site, plugin, manager = Path(argv[0]), argv[1], argv[2]
    plugins = json.loads((site / "plugins.json").read_text(encoding="utf-8"))
    catalog = json.loads((site / "catalog.json").read_text(encoding="utf-8"))
    print(f"plugins.json: {from_plugins_json(plugins, plugin, manager)}")
    print(f"catalog.json: {from_catalog(catalog, plugin, manager)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
