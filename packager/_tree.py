"""A plugin project's source tree: what in it is source (not build output, caches or VCS
internals), its fingerprint, so unchanged work can be skipped, and the copy a build or a publish
works in, so the project's tree stays as it was: no `build/`, `*.egg-info` or hook output left
behind, and each target Python's hook sees its own untouched sources."""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Collection, Iterable, Sequence
from pathlib import Path

from ._files import sha256_of

# Build outputs, caches and VCS internals never change what the plugin's wheel contains.
SKIPPED_DIRS = frozenset({
    ".git", ".hg", ".svn", ".venv", "venv", ".tox", ".nox", "__pycache__", "build", "dist",
    ".mypy_cache", ".pytest_cache", ".ruff_cache", "node_modules", ".eggs",
})


def _git_state(project: Path) -> Iterable[bytes]:
    """HEAD and the ref it names: versions from setuptools-scm and the like depend on them."""
    head = project / ".git" / "HEAD"
    if not head.is_file():
        return
    text = head.read_text(errors="replace").strip()
    yield text.encode()
    if text.startswith("ref: "):
        ref = project / ".git" / text[5:]
        if ref.is_file():
            yield ref.read_bytes()


def is_skipped(folder: Path, skipped: Collection[Path]) -> bool:
    """True for a folder that is no source: a build output, cache, VCS internals or one of
    `skipped` (resolved paths)."""
    name = folder.name
    return name in SKIPPED_DIRS or name.endswith(".egg-info") or folder.resolve() in skipped


def tree_digest(project: Path, skip: Sequence[Path] = ()) -> str:
    """sha256 over every source file's relative path, executable bit and bytes."""
    skipped = {p.resolve() for p in skip}
    digest = hashlib.sha256()
    for root, dirs, files in os.walk(project):
        base = Path(root)
        dirs[:] = sorted(d for d in dirs if not is_skipped(base / d, skipped))
        for name in sorted(files):
            path = base / name
            if not path.is_file():
                continue
            rel = path.relative_to(project).as_posix()
            executable = os.access(path, os.X_OK)
            digest.update(f"{rel}\0{int(executable)}\0".encode())
            digest.update(bytes.fromhex(sha256_of(path)))
    for part in _git_state(project):
        digest.update(part)
    return digest.hexdigest()


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
