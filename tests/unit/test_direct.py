"""Direct references in a uv lock become candidates pinned to their commit or hash."""

from __future__ import annotations

from pathlib import Path

from packager.builder.resolve import candidates_from_lock
from packager.targets import BuildTarget, Host, parse_platform

LOCK = """lock-version = "1.0"
[[packages]]
name = "gitdep"
version = "0.3.0"
vcs = { type = "git", url = "https://e.com/g.git", commit-id = "9f18d8c832d3", subdirectory = "py" }

[[packages]]
name = "archdep"
version = "0.3.0"
archive = { url = "https://example.com/archdep-0.3.0.tar.gz", hashes = { sha256 = "cafe" } }

[[packages]]
name = "dirdep"
directory = { path = "/src/dirdep" }
"""


def test_lock_direct_references_are_pinned_candidates(tmp_path: Path, host: Host) -> None:
    (tmp_path / "pylock.toml").write_text(LOCK)
    target = BuildTarget((3, 11), parse_platform("manylinux2014_x86_64", host))
    git, archive, folder = candidates_from_lock(tmp_path / "pylock.toml", target)
    assert (git.kind, git.tree, git.is_sdist) == ("git", True, True)
    assert git.reference == (
        "gitdep @ git+https://e.com/g.git@9f18d8c832d3#subdirectory=py")
    assert (archive.kind, archive.tree, archive.sha256) == ("archive", False, "cafe")
    assert archive.reference == "archdep @ https://example.com/archdep-0.3.0.tar.gz#sha256=cafe"
    assert (folder.kind, folder.version, folder.reference) == (
        "directory", "", "dirdep @ file:///src/dirdep")
