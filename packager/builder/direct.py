"""Direct references (`name @ git+https://…@rev`, `name @ file:///dir`): their source tree, made
an sdist, so they are built like any sdist (and refused like one for foreign targets)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .. import _tools
from ..errors import BuildError, ResolutionError
from .resolution import Candidate

if TYPE_CHECKING:
    from .context import BuildContext


def tree_sdist(candidate: Candidate, context: BuildContext) -> Path:
    """The sdist of a git commit's or a local directory's tree, made in the context's work
    directory."""
    workdir, env = context.workdir, context.env
    url, _, fragment = candidate.url.partition("#subdirectory=")
    tree = Path(url)
    if candidate.commit is not None:
        tree = workdir / "checkout"
        try:
            _tools.git_checkout(url.removeprefix("git+"), candidate.commit, tree, env)
        except (_tools.ToolFailure, OSError) as exc:
            detail = exc.last_lines(2) if isinstance(exc, _tools.ToolFailure) else str(exc)
            raise ResolutionError(f"cannot fetch {candidate.reference}: {detail}",
                                  "check that the repository and the commit are reachable") from exc
    source = tree / fragment if fragment else tree
    if not source.is_dir():
        raise ResolutionError(f"{candidate.reference} names no directory ({source} is missing)",
                              "fix the path in the requirement")
    try:
        return _tools.uv_build_source_sdist(source, workdir / "sdist", env)
    except _tools.ToolFailure as exc:
        raise BuildError(f"making an sdist of {candidate.reference} failed: {exc.last_lines()}",
                         f"run `uv build --sdist {source}` to see the whole log") from exc
