"""The site's own state, its lock, and the transaction that changes it.

Every file a run writes is staged in `.site-state/txn/`: a new file is staged under `txn/new/`
with its directories, so a release (or a plugin) the site did not have moves into place as one
directory; a file readers may hold (a replaced file, pages, feed, catalogs, the state) is staged
beside. A manifest written atomically commits the transaction, the renames follow (new directories
first), and a run that finds a manifest left by a crash finishes those renames first. A staging
directory without a manifest is dropped, so the site is always the old one or the new one.

A replaced file is first linked into `.site-state/trash/`, and the next run deletes it while it
works: freeing a 13 MB catalog's blocks took a third of an add's time on a disk mounted with
`discard`, in the rename that replaced it.
"""

from __future__ import annotations

import json
import mmap
import os
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union

from .. import _json
from .._files import replace_atomically
from .._lock import flocked
from .._names import plain_name, plain_path
from ..errors import ArchiveError, ConfigError
from .pieces import Pieces, mapped, write_all
from .records import STATE_HINT, PluginState, newest, one_line

if TYPE_CHECKING:
    from typing_extensions import Self  # not a runtime dependency of ours

STATE_DIR = ".site-state"
FORMAT = 2
LOCK_WAIT = 600.0


SITE_FILE = f"{STATE_DIR}/site.json"
NAMES_FILE = f"{STATE_DIR}/names.tsv"
RECENT_FILE = f"{STATE_DIR}/names-recent.tsv"
RECENT_MAX = 1000  # lines names-recent.tsv holds before they move into names.tsv
ROWS_FILE = f"{STATE_DIR}/rows.tsv"


Data = Union[bytes, Path, Pieces]  # a staged file's bytes, a file's (linked), or pieces


class NameBook:
    """names.tsv: `<wagon file>\t<sha256>\t<path>` per line. Its lines are searched as bytes,
    never parsed whole; the lines added since it was written are kept in names-recent.tsv, so a
    release rewrites a few of them, not 40,000 (RECENT_MAX of them move into names.tsv)."""

    def __init__(self, data: bytes | mmap.mmap = b"", source: Path | None = None,
                 count: int | None = None, recent: dict[str, tuple[str, str]] | None = None
                 ) -> None:
        self.data = data
        self.source = source  # the file `data` maps, while no line of it was removed
        self.count = bytes(data).count(b"\n") if count is None else count  # wagons in `data`
        self.added = dict(recent or {})  # names-recent.tsv's lines, then this run's
        self.found: dict[str, int] = {}  # what _line found: `set` follows `get` for each wagon

    def _end(self, start: int) -> int:
        return self.data.find(b"\n", start)

    def _line(self, name: str) -> int:
        """Where the old line of `name` starts, or -1."""
        if name not in self.found:
            key = f"{name}\t".encode()
            if self.data[:len(key)] == key:
                self.found[name] = 0
            else:
                at = self.data.find(b"\n" + key)
                self.found[name] = at + 1 if at >= 0 else -1
        return self.found[name]

    def get(self, name: str) -> tuple[str, str] | None:
        """(path, sha256) of the wagon file `name`, if the site has it."""
        if name in self.added:
            return self.added[name]
        start = self._line(name)
        if start < 0:
            return None
        try:
            _, sha, rel = self.data[start:self._end(start)].decode().split("\t")
        except ValueError as exc:  # another number of fields, or not UTF-8
            raise _unreadable(self.source or Path(NAMES_FILE), exc) from exc
        return rel, sha

    def set(self, name: str, rel: str, sha: str) -> None:
        start = -1 if name in self.added else self._line(name)
        if start >= 0:  # a replaced wagon: its old line goes
            self.data = self.data[:start] + self.data[self._end(start) + 1:]
            self.source = None
            self.found.clear()  # the lines after it moved
            self.count -= 1
        self.added[name] = (rel, sha)

    def to_files(self) -> dict[str, bytes | Pieces]:
        new = "".join(f"{name}\t{sha}\t{rel}\n" for name, (rel, sha) in self.added.items())
        if self.source and len(self.added) <= RECENT_MAX:
            return {RECENT_FILE: new.encode()}
        if self.source and self.data:
            return {NAMES_FILE: Pieces(self.source, [(0, len(self.data)), new.encode()]),
                    RECENT_FILE: b""}
        return {NAMES_FILE: bytes(self.data) + new.encode(), RECENT_FILE: b""}

    def __len__(self) -> int:
        return self.count + len(self.added)


@dataclass
class SiteIndex:
    """What a new release needs to know of the rest of the site without reading it: the settings
    pages were made with and the newest releases for the feed (site.json), each plugin's row of
    the index page (rows.tsv), and every wagon's name, sha256 and path (names.tsv). Each is read
    and written without parsing what it keeps of other plugins."""

    base_url: str | None = None
    title: str = "Plugins"
    format: int = FORMAT
    names: NameBook = field(default_factory=NameBook)
    rows: dict[str, str] = field(default_factory=dict)
    feed: list[dict[str, Any]] = field(default_factory=list)
    profiles: tuple[str, ...] | None = None  # index --profile (None: profiles.toml's)
    wagon_url: str | None = None  # index --wagon-url: wagons are served there, not in the site

    def site_bytes(self) -> bytes:
        data = {"format": self.format, "base_url": self.base_url, "title": self.title,
                "feed": self.feed, "wagons": len(self.names), "profiles": self.profiles,
                "wagon_url": self.wagon_url}
        return json.dumps(data, sort_keys=True, separators=(",", ":")).encode()

    def rows_bytes(self) -> bytes:
        return "".join(f"{name}\t{self.rows[name]}\n" for name in sorted(self.rows)).encode()

    def names_files(self) -> dict[str, bytes | Pieces]:
        return self.names.to_files()


def state_dir(site: Path) -> Path:
    return site / STATE_DIR


def plugin_state_path(name: str) -> str:
    return f"{STATE_DIR}/plugins/{name}.json"


def _unreadable(path: Path, exc: Exception) -> ArchiveError:
    return ArchiveError(f"{path}: unreadable site state: {exc}", STATE_HINT)


def _read_json(path: Path) -> Any:
    try:
        return _json.load(path)
    except (OSError, ValueError) as exc:
        raise _unreadable(path, exc) from exc


def load_index(site: Path) -> SiteIndex:
    path = site / SITE_FILE
    if not path.exists():
        return SiteIndex()
    data = _read_json(path)
    try:
        if not isinstance(data, dict):
            raise TypeError(f"a {type(data).__name__} where an object belongs")
        recent = {}
        if (site / RECENT_FILE).exists():
            for line in (site / RECENT_FILE).read_text(encoding="utf-8").splitlines():
                name, sha, rel = line.split("\t")
                recent[name] = (rel, sha)
        wagons = data.get("wagons")
        names = NameBook(mapped(site / NAMES_FILE), site / NAMES_FILE,
                         None if wagons is None else wagons - len(recent), recent)
        if "plugins" in data:  # format 1 kept every plugin's row and feed items in site.json
            rows = {n: one_line(p["row"]) for n, p in data["plugins"].items()}
            feed = newest([item for p in data["plugins"].values() for item in p["feed"]])
        else:
            lines = (site / ROWS_FILE).read_text(encoding="utf-8").split("\n")[:-1]
            rows = dict(line.split("\t", 1) for line in lines)
            feed = data["feed"]
        base_url, title = data["base_url"], data["title"]
        profiles, wagon_url = data.get("profiles"), data.get("wagon_url")
        if not (isinstance(title, str) and isinstance(base_url, (str, type(None)))
                and isinstance(feed, list) and isinstance(wagon_url, (str, type(None)))
                and (profiles is None or (isinstance(profiles, list)
                     and all(isinstance(p, str) for p in profiles)))):
            raise TypeError("base_url, title, feed, profiles or wagon_url of another type")
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise _unreadable(site / STATE_DIR, exc) from exc
    return SiteIndex(base_url, title, FORMAT, names, rows, feed,
                     None if profiles is None else tuple(profiles), wagon_url)


def load_plugin(site: Path, name: str) -> PluginState:
    path = site / plugin_state_path(plain_name(name, site / ROWS_FILE, "plugin name",
                                               hint=STATE_HINT))
    if not path.exists():
        return PluginState(name)
    try:
        return PluginState.from_json(_read_json(path), path)
    except (KeyError, TypeError, AttributeError) as exc:
        raise _unreadable(path, exc) from exc


@contextmanager
def locked(site: Path) -> Iterator[None]:
    """One writer at a time; a crashed writer's lock dies with its process."""
    site.mkdir(parents=True, exist_ok=True)
    if not state_dir(site).exists() and any(site.iterdir()):
        raise ConfigError(f"{site} is not empty and holds no plugin-packager site",
                          "index into an empty or new directory")
    state_dir(site).mkdir(exist_ok=True)
    busy = ConfigError(f"{site} stayed locked by another index for {LOCK_WAIT:.0f} s",
                       "wait for it to finish, then run again")
    with flocked(state_dir(site) / "lock", LOCK_WAIT, busy):
        yield


class Transaction:
    """Files staged under the site, renamed into place on commit (see the module's docstring)."""

    def __init__(self, site: Path) -> None:
        self.site = site
        self.dir = state_dir(site) / "txn"
        self.moves: list[tuple[str, str]] = []
        self.made: set[str] = set()
        self.units: dict[str, bool] = {}  # directory of the site -> staged whole under new/
        self.emptying: threading.Thread | None = None

    def __enter__(self) -> Self:
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir.mkdir(parents=True)
        # What earlier runs replaced, deleted in the kernel while this one reads and renders.
        old = list(trash_dir(self.site).glob("*"))
        if old:
            self.emptying = threading.Thread(target=_delete, args=(old,), daemon=True)
            self.emptying.start()
        return self

    def __exit__(self, *exc: object) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)
        if self.emptying:
            self.emptying.join()

    def _staged(self, rel: str) -> bool:
        """Whether directory `rel` is staged whole: the site lacks it, or a parent of it is."""
        if rel not in self.units:
            parent = rel.rpartition("/")[0]
            inside = bool(parent) and self._staged(parent)
            self.units[rel] = inside or not (self.site / rel).is_dir()
            if self.units[rel] and not inside:
                self.moves.append((f"new/{rel}", rel))
        return self.units[rel]

    def _write(self, staged: str, data: Data) -> None:
        """`data` at `txn/<staged>`, mode 0644: a file is hard-linked when it can be."""
        folder, _, _ = staged.rpartition("/")
        if folder and folder not in self.made:
            (self.dir / folder).mkdir(parents=True, exist_ok=True)
            self.made.add(folder)
        tmp = self.dir / staged
        if isinstance(data, Path):
            if not link(data, tmp):
                shutil.copyfile(data, tmp)
                tmp.chmod(0o644)
            return
        out = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            data.write(out) if isinstance(data, Pieces) else write_all(out, data)
            os.fchmod(out, 0o644)  # whatever the umask
        finally:
            os.close(out)

    def stage(self, rel: str, data: Data) -> None:
        """`data` goes to `rel` on commit: inside its directory when the site lacks that one."""
        folder = rel.rpartition("/")[0]
        if folder and self._staged(folder):
            self._write(f"new/{rel}", data)
        else:
            staged = f"{len(self.moves)}-{rel.rpartition('/')[2]}"
            self._write(staged, data)
            self.moves.append((staged, rel))

    def commit(self) -> None:
        # New directories first: the pages and catalogs staged after them link to their files.
        moves = sorted(self.moves, key=lambda move: not move[0].startswith("new/"))
        replace_atomically(json.dumps(moves).encode(), self.dir / "manifest.json")
        finish(self.site)


def link(source: Path, dest: Path) -> bool:
    """Hard-link `source` at `dest` (a file of a release never changes, so both may share it);
    False when they are on different filesystems, links are refused, or the mode is not 0644
    (a link cannot have its own)."""
    try:
        if source.stat().st_mode & 0o7777 != 0o644:
            return False
        os.link(source, dest)
    except OSError:
        return False
    return True


def trash_dir(site: Path) -> Path:
    return state_dir(site) / "trash"


def _delete(paths: list[Path]) -> None:
    for path in paths:
        shutil.rmtree(path, ignore_errors=True)


def finish(site: Path) -> None:
    """Complete a committed transaction (after a crash too) or drop an uncommitted one."""
    txn = state_dir(site) / "txn"
    manifest = txn / "manifest.json"
    if manifest.exists():
        # A site is input too: a path in its manifest stays inside it, or nothing moves.
        try:
            moves = [(plain_path(staged, manifest, hint=STATE_HINT),
                      plain_path(rel, manifest, hint=STATE_HINT))
                     for staged, rel in _read_json(manifest)]
        except (ValueError, TypeError) as exc:
            raise _unreadable(manifest, exc) from exc
        trash = trash_dir(site) / str(time.time_ns())
        trash.mkdir(parents=True)
        for number, (staged, rel) in enumerate(moves):
            source = txn / staged
            if source.exists():
                (site / rel).parent.mkdir(parents=True, exist_ok=True)
                _keep_old(site / rel, trash / str(number))
                source.replace(site / rel)
    shutil.rmtree(txn, ignore_errors=True)


def _keep_old(path: Path, trash: Path) -> None:
    """A second link to the file `path` names, so replacing it does not free its blocks."""
    with suppress(OSError):  # not there (a new file), a directory, or links refused
        os.link(path, trash)
