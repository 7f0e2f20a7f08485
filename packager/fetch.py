"""Files for resolved candidates: from the cache, else downloaded and checked against sha256."""

from __future__ import annotations

import hashlib
import urllib.request
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO
from urllib.parse import unquote, urlparse

from .cache import Cache
from .errors import ResolutionError
from .resolve import Candidate

DOWNLOAD_THREADS = 8
TIMEOUT_SECONDS = 120


def _download(url: str, dest: Path) -> str:
    digest = hashlib.sha256()
    parsed = urlparse(url)
    if parsed.scheme in ("", "file"):
        source: BinaryIO = Path(unquote(parsed.path)).open("rb")  # noqa: SIM115
    else:
        source = urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS)
    with source, dest.open("wb") as out:
        for block in iter(lambda: source.read(1 << 20), b""):
            digest.update(block)
            out.write(block)
    return digest.hexdigest()


def fetch_one(candidate: Candidate, dest_dir: Path, cache: Cache) -> Path:
    if not candidate.sha256:
        return _download_into_cache(candidate, dest_dir, cache)
    cached = cache.get(candidate.sha256, candidate.filename)
    if cached is not None:
        return cached
    with cache.lock(candidate.sha256):
        # Another build may have fetched it while we waited for the lock.
        return cache.get(candidate.sha256, candidate.filename) or _download_into_cache(
            candidate, dest_dir, cache
        )


def _download_into_cache(candidate: Candidate, dest_dir: Path, cache: Cache) -> Path:
    dest_dir.mkdir(parents=True, exist_ok=True)
    dest = dest_dir / candidate.filename
    try:
        got = _download(candidate.url, dest)
    except OSError as exc:
        raise ResolutionError(
            f"could not download {candidate.filename} from {candidate.url}: {exc}",
            "check the network and the index URL, then run again",
        ) from exc
    if candidate.sha256 and got != candidate.sha256:
        raise ResolutionError(
            f"{candidate.filename} from {candidate.url} has sha256 {got},"
            f" the index promised {candidate.sha256}",
            "the file changed upstream or in transit; run again, and report it if it persists",
        )
    return cache.put(dest, got, candidate.filename)


def fetch(candidates: Sequence[Candidate], dest_dir: Path, cache: Cache) -> list[Path]:
    """Every candidate's file, downloads in parallel, in the candidates' order."""
    with ThreadPoolExecutor(DOWNLOAD_THREADS) as pool:
        return list(pool.map(lambda c: fetch_one(c, dest_dir, cache), candidates))

