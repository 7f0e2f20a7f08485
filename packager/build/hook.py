"""The pre-build hook: the project's own code (Cloudify builders' extra-packaging-instructions.sh,
then `pre-build`), run once per build in the project before its wheel is built."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from .. import _tools
from ..errors import BuildError
from ..events import Event, Events
from ..targets import BuildTarget
from .config import ENV_PREFIX

CLOUDIFY_SCRIPT = "extra-packaging-instructions.sh"


def hook_commands(project: Path, pre_build: str) -> list[list[str]]:
    """The commands to run, in order: the Cloudify script when present, then `pre-build`."""
    commands = [["bash", CLOUDIFY_SCRIPT]] if (project / CLOUDIFY_SCRIPT).is_file() else []
    return commands + ([["sh", "-c", pre_build]] if pre_build.strip() else [])


def hook_env(env: Mapping[str, str], targets: Sequence[BuildTarget]) -> dict[str, str]:
    """What the hook may branch on: the targets' ids, Pythons and platforms, space-separated."""
    def joined(values: Sequence[str]) -> str:
        return " ".join(dict.fromkeys(values))

    return {
        **env,
        ENV_PREFIX + "TARGET_IDS": joined([t.id for t in targets]),
        ENV_PREFIX + "TARGET_PYTHONS": joined([t.python_version for t in targets]),
        ENV_PREFIX + "TARGET_PLATFORMS": joined([t.platform.name for t in targets]),
    }


def run_hooks(project: Path, pre_build: str, targets: Sequence[BuildTarget],
              env: Mapping[str, str], on_event: Events, redact: Callable[[str], str]) -> None:
    """Each hook command in turn; a failure is a BuildError with its last lines, `redact`ed."""
    for command in hook_commands(project, pre_build):
        shown = command[-1]
        on_event(Event(f"running the pre-build hook: {shown}"))
        try:
            _tools.run_project_code(command, project, hook_env(env, targets))
        except _tools.ToolFailure as exc:
            raise BuildError(
                f"the pre-build hook `{shown}` failed in {project}: {redact(exc.last_lines())}",
                "run it by hand in the project to see its whole output",
            ) from exc
