"""Files for resolved candidates: from the cache, else downloaded and checked against sha256."""

from __future__ import annotations

import hashlib
import urllib.error
import urllib.request
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO
from urllib.parse import unquote, urlparse

from ..errors import ResolutionError
from ..wheels import sha256_of
from .cache import Cache
from .indexes import NO_INDEXES, Indexes

if TYPE_CHECKING:
    from .resolve import Candidate

DOWNLOAD_THREADS = 8
TIMEOUT_SECONDS = 120


def _download(url: str, dest: Path, indexes: Indexes) -> str:
    digest = hashlib.sha256()
    parsed = urlparse(url)
    if parsed.scheme in ("", "file"):
        source: BinaryIO = Path(unquote(parsed.path)).open("rb")  # noqa: SIM115
    else:
        request = urllib.request.Request(url, headers=indexes.auth_header(url))
        source = urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS)
    with source, dest.open("wb") as out:
        for block in iter(lambda: source.read(1 << 20), b""):
            digest.update(block)
            out.write(block)
    return digest.hexdigest()


def fetch_one(
    candidate: Candidate, dest_dir: Path, cache: Cache, local: Sequence[Path] = (),
    offline: bool = False, indexes: Indexes = NO_INDEXES,
) -> Path:
    cached = cache.get(candidate.sha256, candidate.filename) if candidate.sha256 else None
    if cached is not None:
        return cached
    if offline:
        return _from_local(candidate, local, cache)
    if not candidate.sha256:
        return _download_into_cache(candidate, dest_dir, cache, indexes)
    with cache.lock(candidate.sha256):
        # Another build may have fetched it while we waited for the lock.
        return cache.get(candidate.sha256, candidate.filename) or _download_into_cache(
            candidate, dest_dir, cache, indexes
        )


def _download_into_cache(
    candidate: Candidate, dest_dir: Path, cache: Cache, indexes: Indexes
) -> Path:
    dest_dir.mkdir(parents=True, exist_ok=True)
    dest = dest_dir / candidate.filename
    shown = indexes.redact(candidate.url)
    try:
        got = _download(candidate.url, dest, indexes)
    except urllib.error.HTTPError as exc:
        if exc.code in (401, 403):
            raise indexes.refused(candidate.url, f"{exc.code} {exc.reason}") from None
        raise ResolutionError(
            f"could not download {candidate.filename} from {shown}: HTTP {exc.code} {exc.reason}",
            "check the index URL, then run again",
        ) from None
    except OSError as exc:
        raise ResolutionError(
            f"could not download {candidate.filename} from {shown}: {indexes.redact(str(exc))}",
            "check the network and the index URL, then run again",
        ) from exc
    if candidate.sha256 and got != candidate.sha256:
        raise ResolutionError(
            f"{candidate.filename} from {candidate.url} has sha256 {got},"
            f" the index promised {candidate.sha256}",
            "the file changed upstream or in transit; run again, and report it if it persists",
        )
    return cache.put(dest, got, candidate.filename)


def _from_local(candidate: Candidate, local: Sequence[Path], cache: Cache) -> Path:
    """--offline: the file from a --find-links directory, and only with the promised sha256."""
    for folder in local:
        path = folder / candidate.filename
        if not path.is_file():
            continue
        got = sha256_of(path)
        if candidate.sha256 and got != candidate.sha256:
            raise ResolutionError(
                f"{path} has sha256 {got}, the lock says {candidate.sha256}",
                "the file was changed or corrupted: restore the original, or lock again",
            )
        return cache.put(path, got, candidate.filename)
    raise ResolutionError(
        f"{candidate.filename} ({candidate.name} {candidate.version}) is neither in the cache nor"
        f" in --find-links {', '.join(map(str, local)) or '(none given)'}",
        "add the directory holding it with --find-links, or build once with the network",
    )


def fetch(
    candidates: Sequence[Candidate],
    dest_dir: Path,
    cache: Cache,
    local: Sequence[Path] = (),
    offline: bool = False,
    indexes: Indexes = NO_INDEXES,
) -> list[Path]:
    """Every candidate's file, in the candidates' order; downloads run in parallel."""
    with ThreadPoolExecutor(DOWNLOAD_THREADS) as pool:
        return list(pool.map(
            lambda c: fetch_one(c, dest_dir, cache, local, offline, indexes), candidates))

