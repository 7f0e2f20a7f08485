"""A build's outputs published into its output directory as one unit.

The directory keeps the layout users rely on (wagons, their sidecars and SBOMs, build-report.json
side by side, among whatever else it holds), and no rename swaps several files of one directory
at once; so, as `index` commits a site: every file is staged in `.plugin-packager-publish/` inside
the directory (same filesystem, ignored by `*` globs), a manifest renamed into place commits
them, and the renames follow, the report last. SIGINT, SIGTERM and SIGHUP wait for the renames;
a kill -9 among them leaves a committed manifest, which the next build finishes before any other
work, as it drops a stage without one. One publisher at a time: the flock of _lock on the directory
itself (nothing left behind), waited for as long as the other takes.
"""

from __future__ import annotations

import json
import re
import shutil
import signal
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from .. import _json
from .._files import replace_atomically, writing
from .._lock import flocked
from .._names import name_fault

STAGE = ".plugin-packager-publish"
MANIFEST = "manifest.json"
# What replace_atomically left in an output directory when a build before this module was killed
# while renaming: `.<name>.<mkstemp's 8 characters>.tmp` of a file only a build writes.
_OLD_TEMPORARY = re.compile(
    r"\.(?:.+\.wgn(?:\.md5|\.sha256|\.cdx\.json)?|build-report\.json)\.[a-z0-9_]{8}\.tmp")
_HELD = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}


@contextmanager
def _signals_held() -> Iterator[None]:
    """SIGINT, SIGTERM and SIGHUP delivered once the block is done, not in the middle of it."""
    before = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def _committed(stage: Path) -> list[str]:
    """The names a committed manifest lists, in their order; [] when none or not ours."""
    try:
        with (stage / MANIFEST).open("rb") as handle:
            names = _json.loads(handle.read(1 << 20))
    except (OSError, ValueError):
        return []
    plain = isinstance(names, list) and all(
        name_fault(n) is None and n != MANIFEST for n in names)
    return names if plain else []


def _finish(output: Path) -> None:
    """Complete a committed publish (one a kill -9 interrupted too) or drop an uncommitted one."""
    stage = output / STAGE
    if not stage.is_dir() or stage.is_symlink():
        return
    for name in _committed(stage):
        staged = stage / name
        if staged.is_file() and not staged.is_symlink():  # each rename done once
            staged.replace(output / name)
    shutil.rmtree(stage)


def recover(output: Path) -> None:
    """What builds killed while publishing into `output` left, finished or removed; only names
    a build writes, never the user's files."""
    if not output.is_dir():
        return
    with writing(output, "output"), flocked(output):
        _finish(output)
        for path in output.iterdir():
            if _OLD_TEMPORARY.fullmatch(path.name) and path.is_file() and not path.is_symlink():
                path.unlink(missing_ok=True)


def _stage(stage: Path, name: str, data: Path | bytes) -> None:
    """`data` at `stage/name`, mode 0644: a file is moved when it can be (same filesystem)."""
    dest = stage / name
    if isinstance(data, bytes):
        dest.write_bytes(data)
    else:
        try:
            data.rename(dest)
        except OSError:
            shutil.copyfile(data, dest)
    dest.chmod(0o644)


def publish(files: Mapping[str, Path | bytes], output: Path) -> None:
    """Each of `files` (name in `output` -> its bytes, or a file to move there) in `output`, all
    or none, in their order; files not named are left alone."""
    with writing(output, "output"):
        output.mkdir(parents=True, exist_ok=True)
        with flocked(output):
            _finish(output)  # what a build killed since this one started left
            stage = output / STAGE
            stage.mkdir()
            try:
                for name, data in files.items():
                    _stage(stage, name, data)
                with _signals_held():
                    replace_atomically(json.dumps(list(files)).encode(), stage / MANIFEST)
                    _finish(output)
            finally:
                if not (stage / MANIFEST).exists():  # not committed: nothing of it stays
                    shutil.rmtree(stage, ignore_errors=True)
