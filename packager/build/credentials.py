"""Credentials for private indexes: from the URL, PLUGIN_PACKAGER_INDEX_USERNAME/_PASSWORD,
~/.netrc or keyring. A password never travels in a URL or a command line: uv reads it from a
private netrc file, our downloads from an Authorization header, and every message is redacted."""

from __future__ import annotations

import base64
import netrc
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

from ..errors import ConfigError

ENV_USERNAME = "PLUGIN_PACKAGER_INDEX_USERNAME"
ENV_PASSWORD = "PLUGIN_PACKAGER_INDEX_PASSWORD"
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


def netrc_text(credentials: Mapping[str, Credential]) -> str:
    """A netrc file for uv (NETRC=...) holding every credential, one machine per host."""
    lines = []
    for host, credential in sorted(credentials.items()):
        lines.append(f"machine {host.split(':')[0]} login {_quoted(credential.username)}"
                     f" password {_quoted(credential.password)}")
    return "\n".join(lines) + "\n"


def _quoted(token: str) -> str:
    if not re.search(r'[\s"\\]', token):
        return token
    return '"' + token.replace("\\", "\\\\").replace('"', '\\"') + '"'
