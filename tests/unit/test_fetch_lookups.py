"""Each host is looked up once per process, however many threads connect at once: parallel
lookups lose answers on some resolvers (each such lookup then waits 5 s), which made a cold build's
index listings take 6-11 s instead of under 2."""

from __future__ import annotations

import socket
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from packager.builder import fetch


class FakeSocket:
    def __init__(self, family: int, kind: int, proto: int) -> None:
        self.peer: Any = None

    def settimeout(self, timeout: float) -> None:
        pass

    def connect(self, peer: Any) -> None:
        if peer[0] == "192.0.2.1":
            raise ConnectionRefusedError("refused")
        self.peer = peer

    def close(self) -> None:
        pass


def test_threads_connecting_at_once_look_the_host_up_once(monkeypatch: pytest.MonkeyPatch) -> None:
    lookups: list[tuple[str, int]] = []

    def getaddrinfo(host: str, port: int, *_: Any) -> list[tuple[Any, ...]]:
        lookups.append((host, port))
        time.sleep(0.05)  # every thread has asked before the first answer comes
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("192.0.2.1", port)),
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("192.0.2.2", port))]

    monkeypatch.setattr(fetch, "_ADDRESSES", {})
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket, "socket", FakeSocket)
    with ThreadPoolExecutor(8) as pool:
        socks = list(pool.map(lambda _: fetch._connect(("index.example", 443), 5), range(16)))
    assert lookups == [("index.example", 443)]
    # The next address after a refusal.
    assert {getattr(s, "peer", None) for s in socks} == {("192.0.2.2", 443)}


def test_urllib_connections_use_the_lookup_once() -> None:
    assert fetch._HTTPSConnection("index.example")._create_connection is fetch._connect
    assert fetch._HTTPConnection("index.example")._create_connection is fetch._connect
