"""The copy of the project a build hooks and builds in."""

from __future__ import annotations

from pathlib import Path

from packager._tree import tree_digest, working_copy


def test_copy_holds_the_sources_and_git_without_its_objects(tmp_path: Path) -> None:
    project = tmp_path / "plugin"
    for name, text in {
        "pkg/tasks.py": "def f(): pass\n", "setup.py": "", "build/lib/stale.py": "",
        "pkg.egg-info/PKG-INFO": "", "out/old.wgn": "", ".git/HEAD": "ref: refs/heads/main\n",
        ".git/refs/heads/main": "0" * 40 + "\n", ".git/objects/ab/cdef": "blob",
    }.items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(text)
    (project / "link").symlink_to("setup.py")
    (tmp_path / "common").mkdir()
    (project / "pkg" / "common").symlink_to("../../common")  # out of the project
    copy = working_copy(project, tmp_path / "copy", skip=[project / "out"])
    files = {p.relative_to(copy).as_posix() for p in copy.rglob("*")
             if p.is_symlink() or not p.is_dir()}
    assert files == {"pkg/tasks.py", "pkg/common", "setup.py", "link", ".git/HEAD", ".git/refs/heads/main",
                     ".git/objects/info/alternates"}
    assert (copy / "link").readlink() == Path("setup.py")
    assert (copy / "pkg" / "common").readlink() == (tmp_path / "common").resolve()
    alternates = (copy / ".git/objects/info/alternates").read_text()
    assert alternates == f"{(project / '.git/objects').resolve()}\n"
    assert tree_digest(copy) == tree_digest(project, skip=[project / "out"])
