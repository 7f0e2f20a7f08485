"""Skips that hide coverage: with STRICT_SKIPS naming an allow-list (`.ci/run` sets it), a test
skipped for a reason the list does not give fails the run. Elsewhere a skip stays a skip (a
developer's machine may lack Chromium or QEMU)."""

from __future__ import annotations

import fnmatch
import os
import sys
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

_SKIPPED: list[tuple[str, str]] = []


def _allowed() -> dict[str, str] | None:
    """Node id glob → why CI may skip it; None when skips are not checked."""
    path = os.environ.get("STRICT_SKIPS")
    if not path:
        return None
    allowed: dict[str, str] = tomllib.loads(Path(path).read_text(encoding="utf-8"))["allowed"]
    return allowed


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        _SKIPPED.append((report.nodeid, reason))


def _unexpected() -> list[tuple[str, str]]:
    allowed = _allowed()
    if allowed is None:
        return []
    return [(node, why) for node, why in _SKIPPED
            if not any(fnmatch.fnmatchcase(node, glob) for glob in allowed)]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    unexpected = _unexpected()
    if unexpected:
        terminalreporter.section("skips not in the allow-list (STRICT_SKIPS)", red=True)
        for node, why in unexpected:
            terminalreporter.write_line(f"{node}: {why}")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _unexpected() and exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
