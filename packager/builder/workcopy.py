"""The copy of the project a build hooks and builds in, so the project's tree stays as it was:
no `build/`, `*.egg-info` or hook output left behind, and each target Python's hook sees its
own untouched sources."""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from pathlib import Path

from .fingerprint import is_skipped

# Git's own store, borrowed rather than copied (it may be large and is never written).
_BORROWED = {"objects", "lfs"}


def working_copy(project: Path, dest: Path, skip: Sequence[Path] = ()) -> Path:
    """The project's sources copied to `dest`, without what the tree digest skips (build
    outputs, caches, egg-info, `skip`). A `.git` folder comes along without its objects,
    which the copy reads from the project's (git's alternates): versions that setuptools-scm
    and the like take from git, and the hooks' `git apply`, work as in the project."""
    skipped = {p.resolve() for p in skip}

    def ignored(folder: str, names: list[str]) -> set[str]:
        base = Path(folder)
        return {n for n in names if (base / n).is_dir() and is_skipped(base / n, skipped)}

    shutil.copytree(project, dest, symlinks=True, ignore=ignored)
    _repoint_outward_links(project, dest)
    git = project / ".git"
    if git.is_dir() and not git.is_symlink():
        shutil.copytree(git, dest / ".git", symlinks=True,
                        ignore=lambda folder, names: _BORROWED if Path(folder) == git else set())
        info = dest / ".git" / "objects" / "info"
        info.mkdir(parents=True)
        (info / "alternates").write_text(f"{(git / 'objects').resolve()}\n")
    return dest


def _repoint_outward_links(project: Path, dest: Path) -> None:
    """A relative link out of the project (`common -> ../common`) leads nowhere from the copy:
    it is made to point at the absolute place it led from the project."""
    inside = project.resolve()
    for root, dirs, files in os.walk(dest):
        for name in dirs + files:
            link = Path(root) / name
            target = link.readlink() if link.is_symlink() else None
            if target is None or target.is_absolute():
                continue
            led_to = ((project / link.relative_to(dest)).parent / target).resolve()
            if not led_to.is_relative_to(inside):
                link.unlink()
                link.symlink_to(led_to)
