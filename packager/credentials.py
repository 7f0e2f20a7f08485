"""Credentials for private indexes: from the URL, PLUGIN_PACKAGER_INDEX_USERNAME/_PASSWORD,
~/.netrc or keyring. A password never travels in a command line or an environment: uv reads it
from a uv.toml held in memory (secret_file), our downloads send an Authorization header, and every
message is redacted. Third-party code (the pre-build hook, every setup.py uv or we run) gets an
environment without any of it (without_credentials)."""

from __future__ import annotations

import base64
import json
import netrc
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from .errors import ConfigError

ENV_USERNAME = "PLUGIN_PACKAGER_INDEX_USERNAME"
ENV_PASSWORD = "PLUGIN_PACKAGER_INDEX_PASSWORD"
OUR_PREFIX = "PLUGIN_PACKAGER_"
HINT = (
    "give the index's credentials in its URL (https://USER:PASSWORD@host/simple), in ~/.netrc,"
    f" in keyring, or as {ENV_USERNAME} and {ENV_PASSWORD}"
)
_USERINFO = re.compile(r"(?<=://)[^/@\s:]*(?::[^/@\s]*)?@")


@dataclass(frozen=True)
class Credential:
    username: str
    password: str = field(repr=False)
    source: str = ""  # where it came from, for messages: "the URL", "~/.netrc", ...

    def header(self) -> dict[str, str]:
        token = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
        return {"Authorization": f"Basic {token}"}


def split_userinfo(url: str) -> tuple[str, Credential | None]:
    """The URL without `user:password@`, and the credential it carried."""
    parts = urlsplit(url)
    if parts.username is None:
        return url, None
    host = parts.netloc.rsplit("@", 1)[1]
    clean = urlunsplit(parts._replace(netloc=host))
    return clean, Credential(unquote(parts.username), unquote(parts.password or ""), "the URL")


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with every `user:password@` in a URL, and each known secret, shown as ****."""
    text = _USERINFO.sub("****@", text)
    for secret in secrets:
        if secret:
            text = text.replace(secret, "****")
    return text


def _from_netrc(host: str, env: Mapping[str, str]) -> Credential | None:
    home = Path(env.get("HOME", "~")).expanduser()
    path = Path(env["NETRC"]) if env.get("NETRC") else home / ".netrc"
    if not path.is_file():
        return None
    try:
        found = netrc.netrc(str(path)).authenticators(host)
    except (netrc.NetrcParseError, OSError) as exc:
        line = getattr(exc, "lineno", None)
        # The parser's message may quote a token of the file, which may be a password.
        raise ConfigError(f"{path} is not a valid netrc file" + (f" (line {line})" if line else ""),
                          "fix the file; see `man netrc`") from exc
    if not found or found[2] is None:
        return None
    return Credential(found[0] or "", found[2], str(path))


def _from_keyring(url: str, username: str | None) -> Credential | None:
    try:
        import keyring  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return None
    try:
        found = keyring.get_credential(url, username)
    except Exception:  # noqa: BLE001 - a broken keyring backend only means: no credential here
        return None
    if found is None or not found.password:
        return None
    return Credential(str(found.username), str(found.password), "keyring")


def find_credential(
    url: str, given: Credential | None, env: Mapping[str, str]
) -> Credential | None:
    """The first of: the URL's own, the environment's, ~/.netrc's, keyring's."""
    if given is not None and given.password:
        return given
    username, password = env.get(ENV_USERNAME), env.get(ENV_PASSWORD)
    if bool(username) != bool(password):
        raise ConfigError(f"{ENV_USERNAME} and {ENV_PASSWORD} must be set together",
                          "set both, or neither")
    if username and password:
        return Credential(username, password, "the environment")
    host = urlsplit(url).hostname or ""
    from_netrc = _from_netrc(host, env)
    if from_netrc is not None:
        return from_netrc
    return _from_keyring(url, given.username if given else None)


def host_of(url: str) -> str:
    """host[:port] of a URL: credentials belong to one server."""
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port}" if parts.port else str(parts.hostname)


def uv_credentials(urls: Iterable[str], credentials: Mapping[str, Credential]) -> str:
    """uv.toml tables giving uv each host's credential: an explicit index (one no resolution
    reads) whose URL carries it; uv then sends it to every URL of that host."""
    lines, done = [], set()
    for url in urls:
        host = host_of(url)
        credential = credentials.get(host)
        if credential is None or host in done:
            continue
        done.add(host)
        parts = urlsplit(url)
        userinfo = f"{quote(credential.username, safe='')}:{quote(credential.password, safe='')}"
        netloc = f"{userinfo}@{parts.netloc.rsplit('@', 1)[-1]}"
        lines += ["[[index]]", f"name = \"plugin-packager-credentials-{len(done)}\"",
                  f"url = {json.dumps(urlunsplit(parts._replace(netloc=netloc)))}",
                  "explicit = true", ""]
    return "\n".join(lines)


def without_credentials(env: Mapping[str, str], passwords: Iterable[str]) -> dict[str, str]:
    """`env` for third-party code: no PLUGIN_PACKAGER_INDEX_USERNAME/_PASSWORD, no NETRC, no
    `user:password@` in our variables' URLs (PLUGIN_PACKAGER_INDEX_URL keeps its URL) nor in any
    URL holding one of `passwords`, and no variable still holding one (of 8 characters or more:
    a shorter one would match innocent values) once its URLs lost theirs."""
    secrets = [p for p in passwords if p]
    out = {}
    for name, value in env.items():
        if name in (ENV_USERNAME, ENV_PASSWORD, "NETRC"):
            continue
        bare = _USERINFO.sub("", value)
        if name.startswith(OUR_PREFIX) or any(s in value and s not in bare for s in secrets):
            value = bare
        if not any(len(s) >= 8 and s in value for s in secrets):
            out[name] = value
    return out


@contextmanager
def secret_file(text: str, fallback: Path) -> Iterator[Path]:
    """A path another process of ours can read `text` from while the block runs: a file only in
    memory (memfd, named /proc/PID/fd/N, gone when this process ends, even by kill -9), else
    `fallback` (mode 0600) removed when the block ends."""
    if hasattr(os, "memfd_create") and Path(f"/proc/{os.getpid()}/fd").is_dir():
        fd = os.memfd_create("plugin-packager-uv.toml", os.MFD_CLOEXEC)
        try:
            os.write(fd, text.encode("utf-8"))
            yield Path(f"/proc/{os.getpid()}/fd/{fd}")
        finally:
            os.close(fd)
        return
    fd = os.open(fallback, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        yield fallback
    finally:
        fallback.unlink(missing_ok=True)
