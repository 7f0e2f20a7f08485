"""What every consumer of a download site relies on, checked the way they read it."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import jsonschema

SCHEMAS = Path(__file__).parent / "schemas"
CATALOGS = {"plugins.json": "plugins", "v2_plugins.json": "plugins", "catalog.json": "catalog"}


def load(site: Path, name: str) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads((site / name).read_text(encoding="utf-8"))
    return data


def local(site: Path, url: str, base_url: str | None = None,
          elsewhere: dict[str, Path] | None = None) -> Path:
    """The file in `site` a catalog URL names; it must exist. `elsewhere` maps the URL prefixes
    of wagons hosted outside the site (index --wagon-url) to the folders that hold them."""
    for prefix, folder in (elsewhere or {}).items():
        if url.startswith(prefix):
            return local(folder, url.removeprefix(prefix))
    rel = url.removeprefix(base_url.rstrip("/") + "/") if base_url else url
    assert "://" not in rel, f"{url} is not under the site"
    assert not rel.startswith("/"), f"{url} is not under the site"
    path = site / unquote(rel)
    assert path.is_file(), f"{url} names no file in {site}"
    return path


def urls_of(entry: Any) -> list[str]:
    """Every string under a key that holds a URL, at any depth."""
    if isinstance(entry, list):
        return [u for item in entry for u in urls_of(item)]
    if not isinstance(entry, dict):
        return []
    found = [v for k, v in entry.items()
             if k in ("url", "md5url", "link", "yaml", "icon", "logo_url", "releases")
             and isinstance(v, str)]
    return found + [u for v in entry.values() if isinstance(v, (dict, list)) for u in urls_of(v)]


def check_site(site: Path, base_url: str | None = None,
               elsewhere: dict[str, Path] | None = None) -> dict[str, list[dict[str, Any]]]:
    """Schemas hold, every URL resolves to a file, every .md5 and sha256 matches its wagon."""
    out = {}
    for name, schema in CATALOGS.items():
        data = load(site, name)
        jsonschema.validate(data, json.loads((SCHEMAS / f"{schema}.schema.json").read_text()))
        for url in urls_of(data):
            local(site, url, base_url, elsewhere)
        out[name] = data
    for entry in out["plugins.json"]:
        for wagon in entry["wagons"]:
            body = local(site, wagon["url"], base_url, elsewhere).read_bytes()
            md5 = local(site, wagon["md5url"], base_url).read_text().strip()
            assert md5 == hashlib.md5(body).hexdigest(), wagon["url"]
    for entry in out["catalog.json"]:
        for version in entry["versions"]:
            for wagon in version["wagon_urls"]:
                body = local(site, wagon["url"], base_url, elsewhere).read_bytes()
                assert hashlib.sha256(body).hexdigest() == wagon["sha256"], wagon["url"]
                assert len(body) == wagon["file_size"]
    return out


def pick_wagon(plugins: list[dict[str, Any]], plugin: str, distribution: str,
               release: str) -> str:
    """What Cloudify's UI does: the wagon named "<distribution> <release>", else manylinux."""
    (entry,) = [e for e in plugins if e["name"] == plugin]
    wanted = f"{distribution} {release}".lower()
    for wagon in entry["wagons"]:
        if wagon["name"].lower() == wanted:
            return str(wagon["url"])
    for wagon in entry["wagons"]:
        if wagon["name"].lower().startswith("manylinux"):
            return str(wagon["url"])
    raise AssertionError(f"no wagon of {plugin} for {wanted}")
