"""Files for resolved candidates: from the cache, else downloaded and checked against sha256."""

from __future__ import annotations

import functools
import hashlib
import http.client
import socket
import ssl
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import unquote, urlparse

from .._files import sha256_of
from ..cache import Cache, key_of
from ..errors import ResolutionError
from ..events import Event
from .indexes import NO_INDEXES, Indexes
from .pool import PriorityPool

if TYPE_CHECKING:
    from .context import BuildContext
    from .resolution import Candidate

DOWNLOAD_THREADS = 8
TIMEOUT_SECONDS = 120


@functools.cache
def _tls() -> ssl.SSLContext:
    """One TLS context for every request: urllib makes a new one per request by default, and
    loading the CA bundle costs 0.2 s of CPU each time (15 s for a cold build's 80 files)."""
    return ssl.create_default_context()


_ADDRESSES: dict[tuple[str, int], list[tuple[Any, ...]]] = {}
_ADDRESSES_LOCK = threading.Lock()


def _connect(address: tuple[str, int], timeout: float | None = None,
             source_address: tuple[str, int] | None = None) -> socket.socket:
    """socket.create_connection, with each host looked up once per process: parallel lookups
    lose answers on some resolvers (each then waits 5 s to ask again, here 1 in 8), and a build
    asks one index host for a hundred pages and files."""
    with _ADDRESSES_LOCK:  # held while looking up, so threads starting at once ask once
        infos = _ADDRESSES.get(address)
        if infos is None:
            infos = _ADDRESSES[address] = socket.getaddrinfo(*address, 0, socket.SOCK_STREAM)
    error: OSError | None = None
    for family, kind, proto, _, peer in infos:
        sock = socket.socket(family, kind, proto)
        try:
            if timeout is not None:
                sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(peer)
        except OSError as exc:
            sock.close()
            error = exc
            continue
        return sock
    raise error or OSError(f"no address for {address[0]}")


class _HTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _connect  # http.client's own hook, set per connection


class _HTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _connect


class _HTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_HTTPConnection, req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_HTTPSConnection, req, context=_tls())


@functools.cache
def _opener() -> urllib.request.OpenerDirector:
    """urllib's opener (proxies from the environment included) whose connections look hosts up
    through `_connect`."""
    return urllib.request.build_opener(_HTTPHandler, _HTTPSHandler)


def open_url(request: urllib.request.Request, timeout: float = TIMEOUT_SECONDS) -> IO[bytes]:
    response: IO[bytes] = _opener().open(request, timeout=timeout)
    return response


def _download(url: str, dest: Path, indexes: Indexes) -> str:
    digest = hashlib.sha256()
    parsed = urlparse(url)
    if parsed.scheme in ("", "file"):
        source: IO[bytes] = Path(unquote(parsed.path)).open("rb")  # noqa: SIM115
    else:
        request = urllib.request.Request(url, headers=indexes.auth_header(url))
        source = open_url(request)
    with source, dest.open("wb") as out:
        for block in iter(lambda: source.read(1 << 20), b""):
            digest.update(block)
            out.write(block)
    return digest.hexdigest()


def fetch_one(
    candidate: Candidate, context: BuildContext, indexes: Indexes = NO_INDEXES, *,
    offline: bool = False,
) -> Path:
    """The candidate's file in the cache: found there, else (with `offline`) taken from a
    --find-links directory, else downloaded into the context's work directory first."""
    cache = context.cache
    cached = cache.get(candidate.sha256, candidate.filename) if candidate.sha256 else None
    if cached is not None:
        return cached
    if offline:
        return _from_local(candidate, indexes.local_dirs, cache)
    if not candidate.sha256:
        return _download_into_cache(candidate, context.workdir, cache, indexes)
    with cache.lock(candidate.sha256):
        # Another build may have fetched it while we waited for the lock.
        return cache.get(candidate.sha256, candidate.filename) or _download_into_cache(
            candidate, context.workdir, cache, indexes
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


class Downloads:
    """Every file a build needs, fetched once however many targets ask for it: sdists first (their
    builds wait on them), then the largest, DOWNLOAD_THREADS at a time, each into its own
    directory under the context's `download`."""

    def __init__(self, pool: PriorityPool, context: BuildContext, indexes: Indexes = NO_INDEXES,
                 *, offline: bool = False) -> None:
        self._pool, self._context, self._indexes, self._offline = pool, context, indexes, offline
        self._futures: dict[str, Future[Path]] = {}
        self._lock = threading.Lock()

    def get(self, candidate: Candidate, target: str | None = None) -> Future[Path]:
        key = candidate.sha256 or candidate.url
        with self._lock:
            future = self._futures.get(key)
            if future is None:
                urgency = (0 if candidate.is_sdist else 1, -(candidate.size or 0))
                future = self._pool.submit(urgency, lambda: self._fetch(candidate, key, target))
                self._futures[key] = future
        return future

    def _fetch(self, candidate: Candidate, key: str, target: str | None) -> Path:
        start = time.monotonic()
        cache = self._context.cache
        cached = cache.get(candidate.sha256, candidate.filename) if candidate.sha256 else None
        if cached is not None:
            return cached
        # Two releases may publish one file name; each download gets its own directory.
        path = fetch_one(candidate, self._context.under("download", key_of(key)[:16]),
                         self._indexes, offline=self._offline)
        if not self._offline:
            size = path.stat().st_size / (1 << 20)
            self._context.on_event(Event(f"downloaded {candidate.filename} ({size:.1f} MiB) in"
                                         f" {time.monotonic() - start:.1f} s", target, "fetch",
                                         detail=True))
        return path


def fetch(
    candidates: Sequence[Candidate], context: BuildContext, indexes: Indexes = NO_INDEXES
) -> list[Path]:
    """Every candidate's file, in the candidates' order; downloads run in parallel."""
    with PriorityPool(DOWNLOAD_THREADS) as pool:
        downloads = Downloads(pool, context, indexes)
        futures = [downloads.get(candidate) for candidate in candidates]
        return [future.result() for future in futures]
