"""What the release commands show: a diff as text or Markdown, and GitHub Actions step summaries
and annotations (https://docs.github.com/actions/reference/workflow-commands-for-github-actions)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..wagon.report import BuildReport
    from .diff import Change, FileFacts, ReleaseDiff


def _bytes(old: int, new: int) -> str:
    return f"{old} → {new} bytes ({new - old:+d})" if old != new else f"{new} bytes"


def _facts(facts: FileFacts) -> str:
    return f"{facts.version}, {facts.size} bytes, sha256 {facts.sha256[:12]}"


def describe(change: Change) -> str:
    """One change in one line: what it is, versions, size and hash."""
    old, new = change.old, change.new
    if old is None or new is None:
        return f"{change.kind} {change.name} {_facts(next(f for f in (new, old) if f is not None))}"
    version = f"{old.version} → {new.version}" if old.version != new.version else new.version
    names = f" ({old.file} → {new.file})" if old.file != new.file else ""
    return (f"changed {change.name} {version}{names}, {_bytes(old.size, new.size)},"
            f" sha256 {old.sha256[:12]} → {new.sha256[:12]}")


def _overview(diff: ReleaseDiff) -> list[tuple[str, str]]:
    return [
        ("versions", ", ".join(diff.new_versions) + " (unchanged)"
         if diff.old_versions == diff.new_versions
         else f"{', '.join(diff.old_versions)} → {', '.join(diff.new_versions)}"),
        ("targets added", ", ".join(diff.targets_added) or "none"),
        ("targets removed", ", ".join(diff.targets_removed) or "none"),
        ("targets unchanged", ", ".join(diff.unchanged) or "none"),
    ]


def diff_text(diff: ReleaseDiff) -> str:
    lines = [f"{diff.old} → {diff.new}"] + [f"{key}: {value}" for key, value in _overview(diff)]
    for target in diff.changed:
        lines.append(f"{target.target}: {describe(target.wagon)}")
        lines += [f"  {describe(wheel)}" for wheel in target.wheels]
    return "\n".join(lines) + "\n"


def diff_markdown(diff: ReleaseDiff) -> str:
    lines = [f"### Release diff: `{diff.old}` → `{diff.new}`", "",
             *(f"- **{key}**: {value}" for key, value in _overview(diff))]
    for target in diff.changed:
        lines += ["", f"#### `{target.target}`", "",
                  f"- {describe(target.wagon)}",
                  *(f"- {describe(wheel)}" for wheel in target.wheels)]
    return "\n".join(lines) + "\n"


def report_markdown(title: str, report: BuildReport, seconds: float) -> str:
    """A build's or merge's step summary: package, source, and each wagon with its targets."""
    source = report.source
    lines = [
        f"### {title}: {report.package_name} {report.package_version}", "",
        (f"Source: git `{source.get('git') or 'none'}`, tree `{str(source.get('tree'))[:12]}`;"
        f" {len(report.wagons)} wagons in {seconds:.1f} s."), "",
        "| wagon | targets | size | sha256 |", "|---|---|---:|---|",
        *(f"| `{w.file}` | {', '.join(w.targets)} | {w.size} | `{w.sha256[:12]}` |"
          for w in report.wagons),
    ]
    return "\n".join(lines) + "\n"


def append_step_summary(markdown: str, env: Mapping[str, str]) -> bool:
    """Append to $GITHUB_STEP_SUMMARY when it is set; whether it was."""
    path = env.get("GITHUB_STEP_SUMMARY")
    if not path:
        return False
    with Path(path).open("a", encoding="utf-8") as summary:
        summary.write(markdown + "\n")
    return True


def error_annotation(message: str) -> str:
    """An `::error::` workflow command; the escapes keep a message on one annotation."""
    escaped = message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return f"::error title=plugin-packager::{escaped}"
