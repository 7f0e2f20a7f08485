"""Unit tests are hermetic: any subprocess or socket is a failure."""

from __future__ import annotations

import socket
import subprocess
from typing import Any, NoReturn

import pytest

from packager.targets import Host

HOST = Host(arch="x86_64", glibc=(2, 36))


@pytest.fixture(autouse=True)
def _no_subprocess_or_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(*args: Any, **kwargs: Any) -> NoReturn:
        raise AssertionError(f"unit tests must not start processes or connect: {args!r}")

    monkeypatch.setattr(subprocess, "Popen", forbidden)
    monkeypatch.setattr(socket.socket, "connect", forbidden)


@pytest.fixture
def host() -> Host:
    return HOST
