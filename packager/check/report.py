"""What `validate` found: one line per check, each passed, warning, skipped or failed; and the
same told briefly, for people: failures first, one line each, the rest grouped and counted."""

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
WIDTH = 200  # the longest line the brief output prints; --verbose and --json print everything
SHOWN_FAILURES = 20  # failed items printed one per line before the rest are only counted


def worst(statuses: Sequence[Status]) -> Status:
    return min(statuses, key=SEVERITY.index, default=Status.PASSED)


@dataclass(frozen=True)
class Finding:
    """One item of a check that covers many (an operation mapping, a module): what was found, and
    what findings alike share (`noun` and `kind`: 38 operations checked statically)."""

    status: Status
    text: str
    noun: str = "operation"
    kind: str = ""


@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    reason: str
    findings: tuple[Finding, ...] = ()  # the items the check covers, when it covers many

    @property
    def family(self) -> str:
        return self.name.split(":", 1)[0]

    def items(self) -> tuple[Finding, ...]:
        """What counts: each finding, or the check itself when it has none."""
        return self.findings or (Finding(self.status, self.reason, "check", f"of {self.family}"),)


def from_findings(name: str, findings: Sequence[Finding], passed: str) -> Check:
    """A check made of findings: its reason joins those that did not pass, `passed` else."""
    status = worst([f.status for f in findings])
    reason = (passed if status is Status.PASSED else
              "; ".join(f.text for f in findings if f.status is not Status.PASSED))
    return Check(name, status, reason, tuple(findings))


@dataclass
class WagonReport:
    wagon: str
    checks: list[Check] = field(default_factory=list)

    def add(self, name: str, status: Status, reason: str) -> Check:
        check = Check(name, status, reason)
        self.checks.append(check)
        return check

    def count(self, status: Status) -> int:
        """Items of that status: each operation of each YAML, each module, each other check."""
        return sum(f.status is status for c in self.checks for f in c.items())

    @property
    def status(self) -> Status:
        return worst([c.status for c in self.checks])

    def summary(self) -> str:
        counts = ", ".join(f"{self.count(s)} {s.value}" for s in reversed(SEVERITY))
        return f"{self.wagon}: {self.status.value.upper()} ({counts})"

    def brief(self, width: int = WIDTH, passes: bool = True) -> list[str]:
        """Failures first, one line each; skipped and warning items grouped by kind with their
        count; then (with `passes`) the passes counted; every line at most `width` characters."""
        failed = [(c, f) for c in self.checks for f in c.items() if f.status is Status.FAILED]
        lines = [_line(Status.FAILED, f"{c.name}: {f.text}", width)
                 for c, f in failed[:SHOWN_FAILURES]]
        if len(failed) > SHOWN_FAILURES:
            lines.append(_line(Status.FAILED, f"{len(failed) - SHOWN_FAILURES} more failed items"
                               " (--verbose shows each)", width))
        for status in (Status.SKIPPED, Status.WARNING):
            groups: dict[tuple[str, str], list[tuple[Check, Finding]]] = {}
            for c in self.checks:
                for f in c.items():
                    if f.status is status:
                        groups.setdefault((f.noun, f.kind), []).append((c, f))
            for (noun, kind), found in groups.items():
                check, first = found[0]
                if len(found) == 1:
                    lines.append(_line(status, f"{check.name}: {first.text}", width))
                    continue
                alike = " ".join(filter(None, (f"{len(found)} {noun}s", kind)))
                lines.append(_line(status, f"{alike}, e.g. {check.name}: {first.text}", width))
        passed = [f for c in self.checks for f in c.items() if f.status is Status.PASSED]
        if passed and passes:
            nouns: dict[str, int] = {}
            for f in passed:
                nouns[f.noun] = nouns.get(f.noun, 0) + 1
            counted = ", ".join(f"{n} {noun}{'s' if n != 1 else ''}" for noun, n in nouns.items())
            lines.append(_line(Status.PASSED, f"{len(passed)}: {counted}", width))
        return lines

    def every(self, passes: bool = True) -> list[str]:
        """Each item on its own line, whole (with `passes`, the passed ones too)."""
        return [f"{f.status.value:<8} {c.name}: {f.text}" for c in self.checks for f in c.items()
                if passes or f.status is not Status.PASSED]

    def to_dict(self) -> dict[str, Any]:
        return {
            "wagon": self.wagon,
            "status": self.status.value,
            "checks": [{"name": c.name, "status": c.status.value, "reason": c.reason}
                       for c in self.checks],
        }


def _line(status: Status, text: str, width: int) -> str:
    return clip(f"{status.value:<8} {text}", width)


def clip(text: str, width: int) -> str:
    """`text` in at most `width` characters: cut before its last words, as how a long line
    ends (`… defines no create`, `… nor the host agent provides`) matters too."""
    if len(text) <= width:
        return text
    tail_size = min(60, width // 4)
    head, tail = text[:width - 3 - tail_size], text[len(text) - tail_size:]
    # At word boundaries when there is one near: "… needs mgmtworker", not "che … eds mgmtworker".
    cut_head, cut_tail = head.rpartition(" ")[0], tail.partition(" ")[2]
    head = cut_head if len(cut_head) > len(head) - 20 else head
    tail = cut_tail if len(cut_tail) > len(tail) - 20 else tail
    return f"{head} … {tail}"


def exit_code(reports: Sequence[WagonReport]) -> int:
    """0 when every check passed (warnings allowed); 5 when one failed; 6 when one was skipped."""
    status = worst([r.status for r in reports])
    codes = {Status.FAILED: ExitCode.CHECK_FAILED, Status.SKIPPED: ExitCode.CHECK_SKIPPED}
    return int(codes.get(status, ExitCode.OK))


def to_json(reports: Sequence[WagonReport]) -> str:
    body = {"status": worst([r.status for r in reports]).value,
            "wagons": [r.to_dict() for r in reports]}
    return json.dumps(body, indent=2) + "\n"
