"""The URLs `index` is given: where the site is served (--base-url) and where its wagons are
(--wagon-url), checked once, before anything is read."""

from __future__ import annotations

import string
from urllib.parse import quote, urlsplit

from ..errors import ConfigError

PLACEHOLDERS = ("tag", "version", "file")
WAGON_URL_HINT = ("pass an http(s) URL using only {tag}, {version} and {file}, e.g. "
                  "https://github.com/ORG/REPO/releases/download/{tag}/{file}")


def _absolute(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and not any(
        c.isspace() or ord(c) < 0x20 for c in url)


def check_base_url(url: str) -> str:
    if not _absolute(url):
        raise ConfigError(f"--base-url {url!r} is not an absolute http(s) URL",
                          "pass the URL the site is served at, e.g. https://ORG.github.io/REPO/")
    return url


def check_wagon_url(template: str) -> str:
    """The template, once every placeholder is one of PLACEHOLDERS and it makes an absolute URL."""
    try:
        fields = [(name, spec, conv) for _, name, spec, conv in string.Formatter().parse(template)
                  if name is not None]
    except ValueError as exc:
        raise ConfigError(f"--wagon-url {template!r}: {exc}", WAGON_URL_HINT) from exc
    for name, spec, conv in fields:
        if name not in PLACEHOLDERS or spec or conv:
            shown = "{" + name + (f"!{conv}" if conv else "") + (f":{spec}" if spec else "") + "}"
            raise ConfigError(f"--wagon-url {template!r}: unknown placeholder {shown}",
                              WAGON_URL_HINT)
    if "file" not in {name for name, _, _ in fields}:
        raise ConfigError(f"--wagon-url {template!r} has no {{file}}: every wagon would get one "
                          "URL", WAGON_URL_HINT)
    if not _absolute(wagon_url(template, "v1.0.0", "1.0.0", "x.wgn")):
        raise ConfigError(f"--wagon-url {template!r} is not an absolute http(s) URL",
                          WAGON_URL_HINT)
    return template


def wagon_url(template: str, tag: str, version: str, file: str) -> str:
    """The template with each value quoted for a URL path."""
    return template.format(tag=quote(tag, safe=""), version=quote(version, safe=""),
                           file=quote(file, safe=""))
