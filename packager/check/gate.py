"""Build's validation gate: the in-process checks (and the clean room with --validate) on every
wagon before it is published; warnings are counted on one line per wagon."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path

from ..errors import MismatchError
from ..events import Event, Events
from ..targets import Host
from .report import Check, Status
from .validate import Settings, validate_wagon


def require_valid(
    paths: Sequence[Path],
    env: Mapping[str, str],
    host: Host,
    settings: Settings,
    on_event: Events,
) -> None:
    """Build's gate: each check that did not pass becomes an event; a failed one, a MismatchError."""
    for path in paths:
        checks = validate_wagon(path, env, host, settings).checks
        failed = [c for c in checks if c.status is Status.FAILED]
        warned = [c for c in checks if c.status in (Status.WARNING, Status.SKIPPED)]
        for check in warned:
            on_event(Event(f"{path.name}: {check.status.value} {check.name}: {check.reason}",
                           detail=len(warned) > 1))
        if len(warned) > 1:
            on_event(Event(f"{path.name}: {warning_summary(warned)}"))
        for check in failed:
            on_event(Event(f"{path.name}: failed {check.name}: {check.reason}"))
        if failed:
            raise MismatchError(
                f"{path.name} fails validation: {failed[0].name}: {failed[0].reason}",
                "fix the project; plugin-packager validate WAGON shows every check",
            )


def warning_summary(checks: Sequence[Check]) -> str:
    """Many warnings on one line: counted by the family of their check (`operations:…`)."""
    families = Counter(c.name.split(":", 1)[0] for c in checks)
    counted = ", ".join(f"{n} {family}" for family, n in sorted(families.items()))
    return (f"{len(checks)} warnings ({counted}), e.g. {checks[0].name}: {checks[0].reason}"
            " (--verbose shows each; plugin-packager validate WAGON explains them)")
