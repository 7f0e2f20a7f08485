"""`serve`: a local preview of a site, on the loopback interface only."""

from __future__ import annotations

import functools
import http.server
import os
import urllib.parse
from http import HTTPStatus
from io import BytesIO
from pathlib import Path
from typing import BinaryIO

from ..errors import ConfigError

HOST = "127.0.0.1"


def make_server(site: Path, port: int) -> http.server.ThreadingHTTPServer:
    """A static file server for `site` on 127.0.0.1:`port` (0: any free port)."""
    if not (site / "index.html").is_file():
        raise ConfigError(f"{site} holds no index.html", "run plugin-packager index first")
    handler = functools.partial(_Quiet, directory=str(site))
    try:
        return http.server.ThreadingHTTPServer((HOST, port), handler)
    except OSError as exc:
        raise ConfigError(f"cannot listen on {HOST}:{port}: {exc.strerror}",
                          "pass another --port") from exc


class _Quiet(http.server.SimpleHTTPRequestHandler):
    """No access log on stderr: the CLI says where it serves, the browser shows the rest."""

    # The base declares it an instance attribute, so it cannot be a ClassVar here.
    extensions_map = {  # noqa: RUF012
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".wgn": "application/octet-stream", ".yaml": "text/yaml; charset=utf-8",
        ".md5": "text/plain", ".sha256": "text/plain",
    }

    def send_head(self) -> BytesIO | BinaryIO | None:
        """400 for a path that names no file; 404 for a hidden one (.site-state/: the site's
        own state is not served)."""
        if _names_no_file(self.translate_path(self.path)):
            self.send_error(HTTPStatus.BAD_REQUEST, "the path names no file")
            return None
        path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
        if any(part.startswith(".") for part in path.split("/")):
            self.send_error(HTTPStatus.NOT_FOUND)
            return None
        return super().send_head()

    def log_message(self, format: str, *args: object) -> None:
        return


def _names_no_file(path: str) -> bool:
    """A NUL (%00) or an unpaired surrogate (%ed%a0%80) in a request's decoded path: open()
    raised ValueError on either, so the request got a traceback and no answer."""
    try:
        return b"\0" in os.fsencode(path)
    except UnicodeEncodeError:
        return True
