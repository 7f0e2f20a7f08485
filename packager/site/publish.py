"""`publish`: the plugin's sdist and wheel, checked and uploaded to a package index by twine."""

from __future__ import annotations

import importlib.util
import re
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from packaging.utils import parse_sdist_filename, parse_wheel_filename

from .. import _tools
from ..errors import ArchiveError, ConfigError, PublishError

_HTTP_ERROR = re.compile(r"HTTPError: (\d{3}) ([^\n]*?) from")
# Indexes answer 409 for a file they hold, or 400 saying so (PyPI, pypiserver): the body tells.
_EXISTS = re.compile(r"already\s+exists?|file exists", re.IGNORECASE)


@dataclass(frozen=True)
class Published:
    name: str
    version: str
    files: tuple[str, ...]
    url: str


def safe_url(url: str) -> str:
    """The URL without any user:password part, fit to show."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit(parts._replace(netloc=netloc))


def _redact(text: str, env: Mapping[str, str]) -> str:
    secret = env.get("TWINE_PASSWORD")
    return text.replace(secret, "***") if secret else text


def _identity(files: Sequence[Path]) -> tuple[str, str]:
    found = set()
    for path in files:
        if path.name.endswith(".whl"):
            name, version, _, _ = parse_wheel_filename(path.name)
        else:
            name, version = parse_sdist_filename(path.name)
        found.add((str(name), str(version)))
    if len(found) != 1:
        raise ConfigError(f"the distributions are of {len(found)} projects or versions: "
                          + ", ".join(p.name for p in files), "keep one version's files only")
    (identity,) = found
    return identity


def _dists_in(directory: Path) -> list[Path]:
    files = sorted([*directory.glob("*.tar.gz"), *directory.glob("*.whl")])
    if not files:
        raise ConfigError(f"no sdist or wheel in {directory}",
                          "build them first, or leave out --dist to build them now")
    return files


def publish(project: Path, repository_url: str, env: Mapping[str, str],
            dist: Path | None = None) -> Published:
    """Build (or take from `dist`), `twine check`, then upload; credentials stay with twine."""
    if importlib.util.find_spec("twine") is None:
        raise ConfigError("publish needs twine, which is not installed",
                          "pip install 'plugin-packager[publish]'")
    shown = safe_url(repository_url)
    with tempfile.TemporaryDirectory(prefix="plugin-packager-dists-") as tmp:
        files = _dists_in(dist) if dist else _tools.build_dists(project, Path(tmp), env)
        name, version = _identity(files)
        try:
            _tools.twine(["check", *files], env)
        except _tools.ToolFailure as exc:
            raise ArchiveError(f"twine check refused {name} {version}: "
                               f"{_redact(exc.last_lines(), env)}",
                               "fix the project's readme or metadata") from exc
        try:
            _tools.twine(["upload", "--verbose", "--non-interactive", "--disable-progress-bar",
                          "--repository-url", repository_url, *files], env)
        except _tools.ToolFailure as exc:
            raise _upload_error(exc, name, version, shown, env) from exc
    return Published(name, version, tuple(p.name for p in files), shown)


def _upload_error(exc: _tools.ToolFailure, name: str, version: str, url: str,
                  env: Mapping[str, str]) -> PublishError:
    http = _HTTP_ERROR.search(exc.output)
    if http and (http.group(1) == "409" or (http.group(1) == "400" and _EXISTS.search(exc.output))):
        return PublishError(f"{url} already has {name} {version} (HTTP {http.group(1)} "
                            f"{http.group(2)}); an index never takes a version twice",
                            "bump the version in pyproject.toml and the plugin YAMLs")
    if http and http.group(1) in ("401", "403"):
        return PublishError(f"{url} refused the credentials (HTTP {http.group(1)})",
                            "set TWINE_USERNAME and TWINE_PASSWORD, or store them in keyring")
    return PublishError(f"uploading {name} {version} to {url} failed: "
                        f"{_redact(exc.last_lines(), env)}", "run twine upload by hand to see why")
