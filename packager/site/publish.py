"""`publish`: the plugin's sdist and wheel, checked and uploaded to a package index by twine."""

from __future__ import annotations

import importlib.util
import re
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from packaging.utils import parse_sdist_filename, parse_wheel_filename

from .. import _tools
from ..credentials import redact
from ..errors import ArchiveError, ConfigError, NetworkError, PackagerError, PublishError

_HTTP_ERROR = re.compile(r"HTTPError: (\d{3}) ([^\n]*?) from")
# requests' words when no answer came: refused, unresolved, timed out, TLS failed.
_UNREACHABLE = re.compile(r"ConnectionError|ConnectTimeout|ReadTimeout|SSLError|MaxRetryError")
_ERRNO = re.compile(r"\[Errno -?\d+\] ([^'\")\]]+)")
_TLS = re.compile(r"\[SSL: \w+\] ([^'\"(\]]+)")
_NO_CREDENTIALS = re.compile(r"NonInteractive: Credential not found for (username|password)")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# twine logs through rich, which wraps at the terminal's width (80 without one): wide, plain
# lines keep each record on one line.
_TWINE_ENV = {"COLUMNS": "2000", "NO_COLOR": "1"}
# Indexes answer 409 for a file they hold, or 400 saying so (PyPI, pypiserver): the body tells.
_EXISTS = re.compile(r"already\s+exists?|file exists", re.IGNORECASE)


@dataclass(frozen=True)
class Published:
    name: str
    version: str
    files: tuple[str, ...]
    url: str


def _redact(text: str, env: Mapping[str, str]) -> str:
    return redact(text, [env.get("TWINE_PASSWORD", "")])


def twine_says(output: str) -> str:
    """What twine said went wrong, on one line: its last ERROR record with the lines it wrapped
    onto, else (an exception twine did not catch) the traceback's last line."""
    records: list[str] = []
    for raw in output.splitlines():
        line = _ANSI.sub("", raw).rstrip()
        if line.startswith(" ") and records:
            records[-1] += " " + line.strip()  # a wrapped record, or a traceback's frame
        elif line:
            records.append(line)
    errors = [r.removeprefix("ERROR").strip() for r in records if r.startswith("ERROR")]
    return " ".join((errors or records or ["twine said nothing"])[-1].split())


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
    shown = redact(repository_url)  # as build shows an index: user:password@ as ****@
    env = {**env, **_TWINE_ENV}
    with tempfile.TemporaryDirectory(prefix="plugin-packager-dists-") as tmp:
        files = _dists_in(dist) if dist else _tools.build_dists(project, Path(tmp), env)
        name, version = _identity(files)
        try:
            _tools.twine(["check", *files], env)
        except _tools.ToolFailure as exc:
            raise ArchiveError(f"twine check refused {name} {version}: "
                               f"{_redact(twine_says(exc.output), env)}",
                               "fix the project's readme or metadata") from exc
        try:
            _tools.twine(["upload", "--verbose", "--non-interactive", "--disable-progress-bar",
                          "--repository-url", repository_url, *files], env)
        except _tools.ToolFailure as exc:
            raise _upload_error(exc, name, version, shown, env) from exc
    return Published(name, version, tuple(p.name for p in files), shown)


def _upload_error(exc: _tools.ToolFailure, name: str, version: str, url: str,
                  env: Mapping[str, str]) -> PackagerError:
    """One line for each way an upload fails: the version is there, the credentials were
    refused (exit 8), none were given (2), the index cannot be reached (3), anything else (8)."""
    said = " ".join(_ANSI.sub("", exc.output).split())  # rich wraps records anywhere
    http = _HTTP_ERROR.search(said)
    if http and (http.group(1) == "409" or (http.group(1) == "400" and _EXISTS.search(said))):
        return PublishError(f"{url} already has {name} {version} (HTTP {http.group(1)} "
                            f"{http.group(2)}); an index never takes a version twice",
                            "bump the version in pyproject.toml and the plugin YAMLs")
    if http and http.group(1) in ("401", "403"):
        return PublishError(f"{url} refused the credentials (HTTP {http.group(1)})",
                            "set TWINE_USERNAME and TWINE_PASSWORD, or store them in keyring")
    missing = _NO_CREDENTIALS.search(said)
    if not http and missing:
        return ConfigError(f"no credentials to upload {name} {version} to {url}: no"
                           f" {missing.group(1)} in TWINE_{missing.group(1).upper()} or keyring",
                           "set TWINE_USERNAME and TWINE_PASSWORD (for a token: __token__ and"
                           " the token), or store them in keyring")
    if not http and _UNREACHABLE.search(said):
        errno, tls = _ERRNO.search(said), _TLS.search(said)
        why = (errno.group(1).strip() if errno else f"TLS: {tls.group(1).strip()}" if tls
               else twine_says(exc.output).split(":", 1)[0])
        return NetworkError(f"cannot reach {url} to upload {name} {version}: {_redact(why, env)}",
                            "check the URL, the network and any proxy (HTTPS_PROXY)")
    return PublishError(f"uploading {name} {version} to {url} failed: "
                        f"{_redact(twine_says(exc.output), env)}", "run twine upload by hand to see why")
