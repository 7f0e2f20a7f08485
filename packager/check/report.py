"""What `validate` found: one line per check, each passed, warning, skipped or failed."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from ..errors import ExitCode


class Status(str, Enum):
    PASSED = "passed"
    WARNING = "warning"
    SKIPPED = "skipped"
    FAILED = "failed"


# Worst first: the status a group of results takes.
SEVERITY = (Status.FAILED, Status.SKIPPED, Status.WARNING, Status.PASSED)


def worst(statuses: Sequence[Status]) -> Status:
    return min(statuses, key=SEVERITY.index, default=Status.PASSED)


@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    reason: str


@dataclass
class WagonReport:
    wagon: str
    checks: list[Check] = field(default_factory=list)

    def add(self, name: str, status: Status, reason: str) -> Check:
        check = Check(name, status, reason)
        self.checks.append(check)
        return check

    def count(self, status: Status) -> int:
        return sum(c.status is status for c in self.checks)

    @property
    def status(self) -> Status:
        return worst([c.status for c in self.checks])

    def summary(self) -> str:
        counts = ", ".join(f"{self.count(s)} {s.value}" for s in reversed(SEVERITY))
        return f"{self.wagon}: {self.status.value.upper()} ({counts})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "wagon": self.wagon,
            "status": self.status.value,
            "checks": [{"name": c.name, "status": c.status.value, "reason": c.reason}
                       for c in self.checks],
        }


def exit_code(reports: Sequence[WagonReport]) -> int:
    """0 when every check passed (warnings allowed); 5 when one failed; 6 when one was skipped."""
    status = worst([r.status for r in reports])
    codes = {Status.FAILED: ExitCode.CHECK_FAILED, Status.SKIPPED: ExitCode.CHECK_SKIPPED}
    return int(codes.get(status, ExitCode.OK))


def to_json(reports: Sequence[WagonReport]) -> str:
    body = {"status": worst([r.status for r in reports]).value,
            "wagons": [r.to_dict() for r in reports]}
    return json.dumps(body, indent=2) + "\n"
