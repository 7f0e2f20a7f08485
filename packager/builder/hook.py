"""The pre-build hook: the project's own code (Cloudify builders' extra-packaging-instructions.sh,
then `pre-build`), run once per target Python, each time in a fresh copy of the project, before
that Python's plugin wheel is built from the copy."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from .. import _tools
from ..errors import BuildError
from ..events import Event, Events
from ..targets import BuildTarget
from .config import ENV_PREFIX, Options

CLOUDIFY_SCRIPT = "extra-packaging-instructions.sh"
# Cloudify's builder images, one per Python, told the hook which one it was (`ENV PY311=1` in
# cloudify-wagon-build-containers' centos_7_py311/Dockerfile); the name is PY<major><minor>.
_PYTHON_FLAG = re.compile(r"PY\d{2,3}")


def hook_commands(project: Path, pre_build: str) -> list[list[str]]:
    """The commands to run, in order: the Cloudify script when present (stopping at its first
    failing command, as the builders' `set -e` script that sourced it did), then `pre-build`."""
    script = (project / CLOUDIFY_SCRIPT).is_file()
    commands = [["bash", "-e", CLOUDIFY_SCRIPT]] if script else []
    return commands + ([["sh", "-c", pre_build]] if pre_build.strip() else [])


def python_flag(python: tuple[int, int]) -> str:
    return f"PY{python[0]}{python[1]}"


def hook_env(env: Mapping[str, str], targets: Sequence[BuildTarget]) -> dict[str, str]:
    """What the hook may branch on: PY<major><minor>=1 for the Python it runs for (any such
    variable of the caller's environment removed, so it names no other), and the targets' ids,
    Pythons and platforms, space-separated."""
    def joined(values: Sequence[str]) -> str:
        return " ".join(dict.fromkeys(values))

    return {
        **{k: v for k, v in env.items() if not _PYTHON_FLAG.fullmatch(k)},
        **{python_flag(t.python): "1" for t in targets},
        ENV_PREFIX + "TARGET_IDS": joined([t.id for t in targets]),
        ENV_PREFIX + "TARGET_PYTHONS": joined([t.python_version for t in targets]),
        ENV_PREFIX + "TARGET_PLATFORMS": joined([t.platform.name for t in targets]),
    }


def run_hooks(tree: Path, options: Options, targets: Sequence[BuildTarget],
              env: Mapping[str, str], on_event: Events) -> None:
    """Each hook command in turn, in `tree` (the copy of the project it may change) for the
    targets of one Python; a failure is a BuildError with its last lines, redacted."""
    python = targets[0].python_version
    for command in hook_commands(tree, options.pre_build):
        shown = command[-1]
        on_event(Event(f"running the pre-build hook for Python {python}: {shown}"))
        try:
            _tools.run_project_code(command, tree, hook_env(env, targets))
        except _tools.ToolFailure as exc:
            raise BuildError(
                f"the pre-build hook `{shown}` failed for Python {python} in {options.project}:"
                f" {options.indexes.redact(exc.last_lines())}",
                "run it by hand in the project to see its whole output",
            ) from exc
