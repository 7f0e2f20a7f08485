"""Where distributions come from: index URLs and find-links, parsed once into typed locations."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse


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
    index_url: str = ""
    extra_index_urls: tuple[str, ...] = ()
    find_links: tuple[Location, ...] = ()

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

