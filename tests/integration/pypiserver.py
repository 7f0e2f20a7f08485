"""A real pypiserver on a free loopback port, for the tests that publish to or build from one."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def pypiserver(packages: Path, htpasswd: Path, authenticate: str, *extra: str) -> Iterator[str]:
    """pypiserver serving `packages`, with `authenticate` (e.g. "update") behind `htpasswd`;
    yields its base URL once it answers at all (a 401 is an answer)."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "pypiserver", "run", "-i", "127.0.0.1", "-p", str(port),
         "-P", htpasswd, "-a", authenticate, *extra, packages],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(url + "simple/", timeout=2).close()
                break
            except urllib.error.HTTPError as answer:
                answer.close()
                break
            except OSError:
                assert server.poll() is None, "pypiserver exited"
                assert time.monotonic() < deadline, "pypiserver did not answer in 60 s"
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)
