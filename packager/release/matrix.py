"""The target matrix as GitHub Actions takes it: `strategy.matrix: ${{ fromJSON(...) }}`."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..errors import ConfigError
from ..targets import BuildTarget, Host, cells

# actions/setup-python has no CPython older than this on GitHub's current images (ubuntu-24.04,
# ubuntu-24.04-arm): the workflow builds those with pyenv, once, and keeps them in the Actions cache.
SETUP_PYTHON_OLDEST = (3, 8)


@dataclass(frozen=True)
class Cell:
    """One CI job: the targets it builds, the Pythons it needs and the runner it needs."""

    targets: tuple[BuildTarget, ...]
    runs_on: str

    @property
    def name(self) -> str:
        """The target id, or with several Pythons their tags joined before the platform's."""
        if len(self.targets) == 1:
            return self.targets[0].id
        first = self.targets[0]
        tags = ".".join(t.cptag for t in self.targets)
        return f"{tags}-{first.platform.name}" if first.platform.kind != "any" else f"{tags}-any"

    def as_dict(self) -> dict[str, str]:
        first = self.targets[0]
        versions = [t.python_version for t in self.targets]
        built = [t.python_version for t in self.targets if t.python < SETUP_PYTHON_OLDEST]
        return {
            "target": self.name,
            # What `build --only` takes: the exact ids, comma-separated.
            "only": ",".join(t.id for t in self.targets),
            # One version per line, as actions/setup-python reads several: those it provides.
            "python": "\n".join(v for v in versions if v not in built),
            # The ones it lacks, built with pyenv (space-separated, as a cache key and a shell list).
            "pyenv": " ".join(built),
            "platform": first.platform.name,
            "arch": first.platform.arch or "any",
            "runs-on": self.runs_on,
        }


def parse_runners(entries: Sequence[str]) -> dict[str, str]:
    """`runners = ["x86_64=ubuntu-latest", …]` from the config, as {arch: runner label}."""
    runners: dict[str, str] = {}
    for entry in entries:
        arch, sep, label = entry.partition("=")
        if not sep or not arch.strip() or not label.strip():
            raise ConfigError(f"runners entry {entry!r} is not ARCH=LABEL",
                              "write it like x86_64=ubuntu-latest")
        runners[arch.strip()] = label.strip()
    return runners


def _runner(target: BuildTarget, runners: Mapping[str, str], host: Host) -> str:
    # A pure (`any`) target builds anywhere; it takes the runner of the planning machine's arch.
    arch = target.platform.arch or host.arch
    if arch not in runners:
        raise ConfigError(f"no runner for {arch} (target {target.id})",
                          f"add \"{arch}=<runs-on label>\" to runners in [tool.plugin-packager]")
    return runners[arch]


def matrix(
    targets: Sequence[BuildTarget], runners: Mapping[str, str], host: Host, combine: bool
) -> dict[str, list[dict[str, str]]]:
    """`{"include": [cell, …]}`: a cell per target, or with `combine` per platform."""
    found = [Cell(tuple(group), _runner(group[0], runners, host))
             for group in cells(targets, combine)]
    return {"include": [cell.as_dict() for cell in found]}


def matrix_json(data: Mapping[str, object]) -> str:
    """One line, as `echo "matrix=…" >> $GITHUB_OUTPUT` needs it."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"))
