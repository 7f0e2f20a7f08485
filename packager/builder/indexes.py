"""Where distributions come from: index URLs and find-links, parsed once into typed locations."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from ..credentials import (
    HINT,
    Credential,
    find_credential,
    host_of,
    redact,
    split_userinfo,
    uv_credentials,
    without_credentials,
)
from ..errors import ResolutionError

DEFAULT_INDEX = "https://pypi.org/simple"  # asked when no --index-url is given, as uv and pip do


@dataclass(frozen=True)
class Location:
    """A --find-links entry: a local directory (`path`) or a URL (`url`)."""

    url: str | None = None
    path: Path | None = None

    @classmethod
    def parse(cls, text: str, base: Path) -> Location:
        """URLs stay as given; a relative directory is relative to `base`."""
        if urlparse(text).scheme in ("http", "https", "file"):
            return cls(url=text)
        path = Path(text).expanduser()
        return cls(path=path if path.is_absolute() else base / path)

    def __str__(self) -> str:
        return self.url if self.url is not None else str(self.path)


@dataclass(frozen=True)
class Indexes:
    """Index URLs and find-links without credentials; the credentials apart, by host."""

    index_url: str = ""
    extra_index_urls: tuple[str, ...] = ()
    find_links: tuple[Location, ...] = ()
    credentials: tuple[tuple[str, Credential], ...] = field(default=(), repr=False, compare=False)

    @classmethod
    def parse(cls, index_url: str, extra_index_urls: Sequence[str], find_links: Sequence[str],
              base: Path, env: Mapping[str, str]) -> Indexes:
        """Locations as given, each URL's `user:password@` moved to its host's credential, and
        hosts without one looked up in the environment, ~/.netrc and keyring."""
        found: dict[str, Credential] = {}

        def clean(url: str) -> str:
            bare, given = split_userinfo(url)
            if urlparse(bare).scheme in ("http", "https") and host_of(bare) not in found:
                credential = find_credential(bare, given, env)
                if credential is not None:
                    found[host_of(bare)] = credential
            return bare

        links = tuple(Location.parse(link, base) for link in find_links)
        return cls(
            clean(index_url) if index_url else "",
            tuple(clean(url) for url in extra_index_urls),
            tuple(Location(url=clean(link.url)) if link.url else link for link in links),
            tuple(sorted(found.items())),
        )

    @property
    def primary(self) -> str:
        """The index asked first: the one given, else DEFAULT_INDEX."""
        return self.index_url or DEFAULT_INDEX

    def auth_header(self, url: str) -> dict[str, str]:
        """The Authorization header for a download from one of our indexes' hosts."""
        credential = dict(self.credentials).get(host_of(url))
        return credential.header() if credential else {}

    def uv_credentials(self) -> str:
        """uv.toml tables carrying the credentials (for resolve.compile_lock's config file, which
        only uv reads); empty when there are none."""
        urls = [self.index_url, *self.extra_index_urls, *(link.url or "" for link in self.find_links)]
        return uv_credentials([u for u in urls if u], dict(self.credentials))

    def without_credentials(self, env: Mapping[str, str]) -> dict[str, str]:
        """`env` fit for third-party code: hooks, build backends, uv (which runs setup.py)."""
        return without_credentials(env, self.passwords)

    def refused(self, url: str, status: str) -> ResolutionError:
        """The one line for a 401/403: which index (redacted), and how to give credentials, or
        which credentials it turned down."""
        credential = dict(self.credentials).get(host_of(url))
        hint = (f"the credentials from {credential.source} were turned down: check them, or {HINT}"
                if credential else HINT)
        return ResolutionError(f"the index {self.redact(url)} refused access ({status})", hint)

    def redact(self, text: str) -> str:
        """`text` (a tool's message, an error) with no password of ours in it."""
        return redact(text, self.passwords)

    @property
    def passwords(self) -> list[str]:
        """Every password of ours: what messages mask and third-party code never sees."""
        return [c.password for _, c in self.credentials]

    @property
    def local_dirs(self) -> list[Path]:
        return [link.path for link in self.find_links if link.path is not None]

    def args(self) -> list[str]:
        """The options uv and pip take for these locations."""
        args = ["--index-url", self.index_url] if self.index_url else []
        for url in self.extra_index_urls:
            args += ["--extra-index-url", url]
        for link in self.find_links:
            args += ["--find-links", str(link)]
        return args

    def digest(self) -> str:
        """Every location, plus names, sizes and mtimes in local find-links directories: new
        files there mean resolving again."""
        digest = hashlib.sha256("\0".join(self.args()).encode())
        for folder in self.local_dirs:
            if not folder.is_dir():
                continue
            for path in sorted(folder.iterdir()):
                stat = path.stat()
                digest.update(f"{path.name}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
        return digest.hexdigest()


NO_INDEXES = Indexes()
