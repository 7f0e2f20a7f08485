"""Direct references (`name @ git+…`, `name @ file:///….tar.gz`, a local directory) are built
like sdists and pinned in the wagon's metadata and the lock; an unreachable one is one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .conftest import Run, read_package_json, write_plugin


def _source(root: Path, name: str) -> Path:
    return write_plugin(root, name, [], version="0.2.0")


def _git(tree: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-C", tree, *args],
        check=True, capture_output=True, text=True, timeout=60,
    ).stdout.strip()


def test_git_archive_and_directory_references_are_built_and_pinned(
    tmp_path: Path, run_cli: Run
) -> None:
    repo = _source(tmp_path / "src", "gitdep")
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "first")
    commit = _git(repo, "rev-parse", "HEAD")
    folder = _source(tmp_path / "src", "dirdep")
    subprocess.run([sys.executable, "-m", "uv", "build", "-q", "--sdist", "--out-dir",
                    tmp_path / "archives", _source(tmp_path / "src", "archdep")],
                   check=True, timeout=300, capture_output=True)
    (archive,) = (tmp_path / "archives").glob("*.tar.gz")
    project = write_plugin(tmp_path, "direct-plugin", [
        f"gitdep @ git+{repo.as_uri()}", f"dirdep @ {folder.as_uri()}"])
    (project / "requirements.txt").write_text(f"archdep @ {archive.as_uri()}\n")
    out = tmp_path / "out"
    run_cli("build", project, "--python", "3.11", "-r", project / "requirements.txt", "-o", out)
    (wagon,) = out.glob("*.wgn")
    meta = read_package_json(wagon)
    names = {w.split("-")[0] for w in meta["wheels"]}
    assert names == {"direct_plugin", "gitdep", "dirdep", "archdep"}
    pinned = meta["plugin_packager"]["direct_references"]
    assert f"gitdep @ git+{repo.as_uri()}@{commit}" in pinned
    assert any(p.startswith(f"archdep @ {archive.as_uri()}#sha256=") for p in pinned)
    assert f"dirdep @ {folder.as_uri()}" in pinned

    run_cli("lock", project, "--python", "3.11", "-r", project / "requirements.txt")
    (lock,) = (project / "locks").glob("pylock.*.toml")
    assert commit in lock.read_text()


def test_unreachable_direct_reference_is_one_line_naming_it(tmp_path: Path, run_cli: Run) -> None:
    gone = (tmp_path / "gone-repo").as_uri()
    project = write_plugin(tmp_path, "lost-plugin", [f"gone @ git+{gone}"])
    proc = run_cli("build", project, "--python", "3.11", "-o", tmp_path / "out", check=False)
    assert proc.returncode == 3, proc.stderr
    (line,) = [text for text in proc.stderr.splitlines() if "error" in text]
    assert f"cannot fetch gone @ git+{gone}" in line
