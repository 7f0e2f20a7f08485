"""What a target resolves besides the plugin's own Requires-Dist: extra requirements (`-r`),
constraints (`-c`) and packages left out on purpose (`--exclude`), each possibly per target."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from ..errors import ConfigError

# Keys a [tool.plugin-packager.targets."<glob>"] table may set for the targets it matches.
TARGET_KEYS = ("requirements", "constraints", "exclude")
_NESTED = re.compile(r"^(-r|--requirement|-c|--constraint)(?:\s+|=)(\S+)$")


@dataclass(frozen=True)
class TargetInputs:
    """One target's extra requirement lines, constraint lines and excluded names."""

    requirements: tuple[str, ...] = ()
    constraints: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    def record(self) -> list[str]:
        """What a lock must have been made for, so changing any of it makes the lock stale."""
        return sorted([*(f"-c {c}" for c in self.constraints),
                       *(f"--exclude {e}" for e in self.exclude)])


NO_INPUTS = TargetInputs()


def _logical_lines(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, text) without comments, with `\\` continuations joined."""
    pending, start = "", 0
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = re.sub(r"(^|\s)#.*$", "", raw).rstrip()
        if not pending:
            start = number
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        text, pending = (pending + line).strip(), ""
        if text:
            yield start, text


def _read(path: Path, kind: str, into: dict[str, list[str]], seen: tuple[Path, ...]) -> None:
    """Lines of `path` into `into[kind]`; `-r` nests the same kind, `-c` constraints, as in pip."""
    if path in seen:
        return
    if not path.is_file():
        where = f" (named in {seen[-1]})" if seen else ""
        raise ConfigError(f"{kind} file {path} not found{where}", "fix the path or create the file")
    for number, text in _logical_lines(path):
        nested = _NESTED.match(text)
        if nested:
            child = kind if nested.group(1) in ("-r", "--requirement") else "constraints"
            _read(path.parent / nested.group(2), child, into, (*seen, path))
            continue
        if text.startswith("-"):
            raise ConfigError(
                f"{path}:{number}: {text.split()[0]} is not supported in a {kind} file",
                "keep only requirement lines (and -r/-c); indexes go in --index-url",
            )
        try:
            requirement = Requirement(text)
        except InvalidRequirement as exc:
            raise ConfigError(f"{path}:{number}: not a requirement: {exc}",
                              "write it like six==1.16.0") from exc
        into.setdefault(kind, []).append(str(requirement))


def read_inputs(requirements: Sequence[Path], constraints: Sequence[Path],
                exclude: Sequence[str]) -> TargetInputs:
    found: dict[str, list[str]] = {}
    for path in requirements:
        _read(path, "requirements", found, ())
    for path in constraints:
        _read(path, "constraints", found, ())
    return TargetInputs(
        tuple(found.get("requirements", [])), tuple(found.get("constraints", [])),
        tuple(sorted({canonicalize_name(name) for name in exclude})),
    )


@dataclass(frozen=True)
class InputSettings:
    """The files and names from the option cascade, plus per-target overrides by glob."""

    requirements: tuple[str, ...] = ()
    constraints: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    overrides: Overrides = ()

    def for_target(self, target_id: str, project: Path) -> TargetInputs:
        """The first glob matching `target_id` that sets a key wins for that key."""
        chosen = {"requirements": self.requirements, "constraints": self.constraints,
                  "exclude": self.exclude}
        decided: set[str] = set()
        for pattern, values in self.overrides:
            if fnmatch.fnmatchcase(target_id, pattern):
                for key, value in values.items():
                    if key not in decided:
                        chosen[key], decided = value, decided | {key}
        return read_inputs([project / p for p in chosen["requirements"]],
                           [project / p for p in chosen["constraints"]], chosen["exclude"])


Overrides = tuple[tuple[str, Mapping[str, tuple[str, ...]]], ...]


def parse_overrides(table: object, where: str) -> Overrides:
    """[tool.plugin-packager.targets."<glob>"] tables, checked once."""
    if not isinstance(table, dict):
        raise ConfigError(f"{where}.targets must be a table of target globs",
                          'write [tool.plugin-packager.targets."cp36-*"]')
    out = []
    for pattern, values in table.items():
        label = f'{where}.targets."{pattern}"'
        if not isinstance(values, dict):
            raise ConfigError(f"{label} must be a table", f"set {', '.join(TARGET_KEYS)} in it")
        for key, value in values.items():
            if key not in TARGET_KEYS:
                raise ConfigError(f"unknown key {key!r} in {label}",
                                  f"a target table may set {', '.join(TARGET_KEYS)}")
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ConfigError(f"{label}: {key} must be a list of strings",
                                  f'write {key} = ["..."]')
        out.append((pattern, {k: tuple(v) for k, v in values.items()}))
    return tuple(out)
