"""Per-target locks (PEP 751 `pylock.<target-id>.toml`): pinned versions and the sha256 of every
file, written by `plugin-packager lock`, honoured by `build` for repeatable and offline rebuilds."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Mapping, Sequence
from contextlib import closing
from pathlib import Path

from .._files import replace_atomically
from .._toml import tomllib
from ..cache import Cache
from ..errors import ConfigError, ResolutionError
from ..events import Event, Events, ignore
from ..targets import BuildTarget, Host
from .config import Options
from .context import BuildContext
from .project import prepare
from .resolution import Candidate
from .resolve import candidates_from_lock, compile_exact

TOOL_TABLE = "plugin-packager"


def lock_path(project: Path, locks_dir: str, target: BuildTarget) -> Path:
    return project / locks_dir / f"pylock.{target.id}.toml"


def write_lock(resolution: Path, dest: Path, target: BuildTarget, requirements: Sequence[str]) -> None:
    """uv's lock plus the inputs it answers, so `build` can tell when it went stale."""
    tool = (
        f"\n[tool.{TOOL_TABLE}]\ntarget = {json.dumps(target.id)}\n"
        f"python = {json.dumps(target.python_full_version)}\n"
        f"requirements = {json.dumps(sorted(requirements))}\n"
    )
    text = resolution.read_text(encoding="utf-8").rstrip("\n") + "\n" + tool
    dest.parent.mkdir(parents=True, exist_ok=True)
    replace_atomically(text.encode("utf-8"), dest)


def read_lock(path: Path, target: BuildTarget, requirements: Sequence[str]) -> list[Candidate]:
    """The lock's files for `target`; refused when the project's requirements changed since."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not a valid lock: {exc}", "run plugin-packager lock again") from exc
    tool = data.get("tool", {}).get(TOOL_TABLE, {})
    python = tool.get("python", target.python_full_version)
    if python != target.python_full_version:
        raise ResolutionError(
            f"{path} was locked for Python {python}, the target is {target.python_full_version}",
            f"run plugin-packager lock again, or build with --python {python}",
        )
    recorded = tool.get("requirements")
    if recorded != sorted(requirements):
        raise ResolutionError(
            f"{path} is stale: it was locked for requirements {recorded}, the plugin now has"
            f" {sorted(requirements)}",
            "run plugin-packager lock to refresh it",
        )
    return candidates_from_lock(path, target)


def lock_project(
    options: Options, env: Mapping[str, str], host: Host | None = None, on_event: Events = ignore
) -> list[Path]:
    """Resolve every target afresh and write its lock next to the project."""
    host = host or Host.detect()
    written = []
    with tempfile.TemporaryDirectory(prefix="plugin-packager-") as tmp_name:
        tmp = Path(tmp_name)
        context = BuildContext(env, Cache(options.cache_dir), host, tmp, on_event)
        with closing(prepare(options, context)) as prepared:
            for target in prepared.targets:
                request = prepared.request(target, tmp / target.id, options.indexes, host)
                count = len(request.requirements)
                on_event(Event(f"resolving {count} requirements", target.id, "resolve"))
                resolution = compile_exact(request, on_event)
                dest = lock_path(options.project, options.locks, target)
                write_lock(resolution, dest, target, prepared.locked_for(target))
                on_event(Event(f"wrote {dest}", target.id, "done"))
                written.append(dest)
    return written
