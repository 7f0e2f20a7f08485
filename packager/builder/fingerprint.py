"""Content fingerprints of inputs, so unchanged work can be skipped."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Collection, Iterable, Sequence
from pathlib import Path

from .._files import sha256_of

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

