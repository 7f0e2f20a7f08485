"""Build's validation gate: the in-process checks (and the clean room with --validate) on every
wagon before it is published; silent when nothing is wrong, else brief lines (each item with
--verbose)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from ..errors import MismatchError
from ..events import Event, Events
from ..targets import Host
from .report import WIDTH, Status, WagonReport, clip
from .validate import Settings, validate_wagon


def require_valid(
    paths: Sequence[Path],
    env: Mapping[str, str],
    host: Host,
    settings: Settings,
    on_event: Events,
) -> None:
    """Build's gate: what did not pass becomes events; a failed check, a MismatchError."""
    for path in paths:
        report = validate_wagon(path, env, host, settings)
        for line in brief_events(report, path.name):
            on_event(line)
        failed = [(c, f) for c in report.checks for f in c.items() if f.status is Status.FAILED]
        if failed:
            check, first = failed[0]
            more = f" (and {len(failed) - 1} more failed)" if len(failed) > 1 else ""
            raise MismatchError(
                f"{path.name} fails validation{more}: {check.name}: {clip(first.text, WIDTH)}",
                "fix the project; plugin-packager validate --verbose WAGON shows every check",
            )


def brief_events(report: WagonReport, name: str) -> list[Event]:
    """Nothing when every item passed; else the brief lines without the passes (each at most
    WIDTH after `name: `), then each item that did not pass, whole, shown with --verbose."""
    if report.status is Status.PASSED:
        return []
    prefix = f"{name}: "
    shown = report.brief(WIDTH, passes=False)
    details = report.every(passes=False)
    return ([Event(prefix + line, detail=False) for line in shown]
            + [Event(prefix + line, detail=True) for line in details if line not in shown])
