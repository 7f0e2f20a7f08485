from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

from packager._tree import tree_digest
from packager.cache import Cache, key_of


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_files_are_verified_on_read_and_corruption_is_dropped(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "cache")
    src = tmp_path / "a-1-py3-none-any.whl"
    src.write_bytes(b"wheel")
    stored = cache.put(src, sha(b"wheel"), src.name)
    assert cache.get(sha(b"wheel"), src.name) == stored
    stored.write_bytes(b"tampered")
    assert cache.get(sha(b"wheel"), src.name) is None
    assert not stored.exists()


def test_keyed_entries_verify_expire_and_first_writer_wins(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "cache")
    first, second = tmp_path / "one" / "w.whl", tmp_path / "two" / "w.whl"
    for path, data in ((first, b"first"), (second, b"second")):
        path.parent.mkdir()
        path.write_bytes(data)
    key = key_of("built", "abc")
    stored = cache.put_keyed("built", key, first)
    assert stored.read_bytes() == b"first"
    assert cache.put_keyed("built", key, second).read_bytes() == b"first"
    assert cache.get_keyed("built", key) == stored
    old = time.time() - 100
    os.utime(stored.parent / "sha256", (old, old))
    assert cache.get_keyed("built", key, max_age=10) is None
    assert cache.get_keyed("built", key) is None, "an expired entry is removed"


def test_corrupted_keyed_entry_is_dropped(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "cache")
    src = tmp_path / "p.toml"
    src.write_text("x")
    stored = cache.put_keyed("resolutions", key_of("r"), src)
    stored.write_text("y")
    assert cache.get_keyed("resolutions", key_of("r")) is None


def test_keys_do_not_run_into_each_other() -> None:
    assert key_of("ab", "c") != key_of("a", "bc")


def test_tree_digest_sees_sources_not_build_outputs(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "tasks.py").write_text("def f(): pass\n")
    (tmp_path / "pyproject.toml").write_text("[project]\n")
    before = tree_digest(tmp_path)
    for junk in ("build/lib/pkg/tasks.py", "dist/x.wgn", "pkg.egg-info/PKG-INFO", ".git/objects/x",
                 "pkg/__pycache__/tasks.pyc", "out/x.wgn"):
        (tmp_path / junk).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / junk).write_text("noise")
    assert tree_digest(tmp_path, skip=[tmp_path / "out"]) == before
    (tmp_path / "pkg" / "tasks.py").write_text("def f(): return 1\n")
    assert tree_digest(tmp_path, skip=[tmp_path / "out"]) != before


def test_git_head_is_part_of_the_digest(tmp_path: Path) -> None:
    (tmp_path / "setup.py").write_text("")
    (tmp_path / ".git" / "refs" / "heads").mkdir(parents=True)
    (tmp_path / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (tmp_path / ".git" / "refs" / "heads" / "main").write_text("1111\n")
    before = tree_digest(tmp_path)
    (tmp_path / ".git" / "refs" / "heads" / "main").write_text("2222\n")
    assert tree_digest(tmp_path) != before


def test_a_marked_check_is_remembered_per_key(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    assert not cache.marked("compiled", "k1")
    cache.mark("compiled", "k1")
    assert cache.marked("compiled", "k1")
    assert not cache.marked("compiled", "k2")


def test_each_build_keeps_its_own_logs_and_old_ones_are_pruned(tmp_path: Path) -> None:
    """Two builds (each its own Cache) fail on the same target: the first message's log stays."""
    root = tmp_path / "cache"
    old = root / "logs" / "resolve-cp311-manylinux2014_x86_64.log"  # as earlier versions kept it
    old.parent.mkdir(parents=True)
    old.write_text("from long ago")
    long_ago = time.time() - 30 * 86400
    os.utime(old, (long_ago, long_ago))
    first = Cache(root).keep_log("resolve-cp311-manylinux2014_x86_64", "first project failed")
    second = Cache(root).keep_log("resolve-cp311-manylinux2014_x86_64", "second project failed")
    assert first != second
    assert first.read_text() == "first project failed"
    assert second.read_text() == "second project failed"
    assert not old.exists(), "a log older than LOG_DAYS is pruned"
    os.utime(first.parent, (long_ago, long_ago))
    Cache(root).keep_log("sdist-x", "third")
    assert not first.exists()
    assert second.exists()
