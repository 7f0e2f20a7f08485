"""Wagons coming into a site: found in build directories or given loose, read only through the safe
reader, their sidecars checked, their YAMLs, SBOM, icon, title and description gathered."""

from __future__ import annotations

import hashlib
import os
import re
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .. import _json
from .._epoch import is_epoch
from .._files import file_digests
from .._names import plain_name
from ..errors import ArchiveError, ConfigError
from ..wagon.archive import load_meta, open_wagon, scan
from ..wagon.metadata import FILES_DIR, METADATA_FILE, WHEELS_DIR, WagonMeta
from ..wagon.report import REPORT_NAME, SBOM_SUFFIX
from ..wagon.sidecars import ALGORITHMS, read_sidecars
from ..wagon.writer import ZIP_EPOCH
from .records import ICONS, PLUGIN_YAMLS

# Names and versions become directories of the site: nothing that could climb out of it.
_SAFE_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+!-]*$")
HINT = "rebuild the wagon with a valid package name and version"
READ_WHOLE = 64 << 20  # a wagon up to this size is read once for its digests and its members
# What a site adds to a wagon's name: `.sha256` beside it, `<n>-` to stage it in a transaction.
NAME_ROOM = len(".sha256") + 8
REPORT_MAX = 16 << 20  # a build report beside wagons is read up to this size (one of 40,000 wagons)


@dataclass(frozen=True)
class Incoming:
    """One wagon to add: where it is, its digests, and everything the site shows about it."""

    path: Path
    sha256: str
    md5: str
    size: int
    meta: WagonMeta
    title: str
    description: str
    yamls: dict[str, bytes]
    icon: tuple[str, bytes] | None
    sbom: Path | None
    sidecars: tuple[str, ...] = ()  # those beside it that say just the digest (to be linked)
    built: str | None = None  # the build's date (SOURCE_DATE_EPOCH), never the index run's


def find_wagons(inputs: Iterable[Path]) -> list[Path]:
    """Each directory's *.wgn (a `build` output directory), and loose wagon files; ArchiveError
    when one's name is not a plain file name (a tab or newline would break the site's state)."""
    found: list[Path] = []
    for path in inputs:
        if path.is_dir():
            found += sorted(path.glob("*.wgn"))
        elif path.is_file():
            found.append(path)
        else:
            raise ConfigError(f"{path} does not exist", "pass build output directories or wagons")
    for wagon in found:
        plain_name(wagon.name, wagon.parent, "wagon file", room=NAME_ROOM, hint="rename the wagon")
    # absolute(), not resolve(): no system call per wagon, and links to one file are rare.
    found = list({p.absolute(): p for p in found}.values())
    if not found:
        raise ConfigError("no wagons found in " + ", ".join(map(str, inputs)),
                          "pass a directory that holds *.wgn files, or the wagons themselves")
    return found


def digests(path: Path, data: bytes | None = None) -> dict[str, str]:
    """sha256 and md5 in one pass (of `data`, the file's bytes, when read already), checked
    against the `.md5`/`.sha256` files beside the wagon."""
    if data is None:
        found = file_digests(path, "sha256", "md5")
    else:
        found = {"sha256": hashlib.sha256(data).hexdigest(), "md5": hashlib.md5(data).hexdigest()}
    for algorithm, word in read_sidecars(path).items():
        if word != found[algorithm]:
            raise ArchiveError(
                f"{path.name}.{algorithm} says {word or 'nothing'} but {path.name} has"
                f" {algorithm} {found[algorithm]}",
                "the wagon or its sidecar is damaged: build it again")
    return found


def _check_part(value: str, what: str, label: str) -> str:
    if not _SAFE_PART.match(value) or ".." in value:
        raise ArchiveError(f"{label}: {what} {value!r} cannot name a directory of the site", HINT)
    return plain_name(value, label, what, hint=HINT)  # and not one too long for a filesystem


def _kept(inner: str) -> bool:
    """What the site needs from a wagon: package.json and the YAMLs and icon under files/."""
    folder, _, name = inner.rpartition("/")
    return inner == METADATA_FILE or (folder == FILES_DIR and (name in PLUGIN_YAMLS or
                                                               name in ICONS))


def _texts(path: Path, meta: WagonMeta) -> tuple[str, str]:
    """Title and description: our extension's, else the plugin wheel's Name and Summary."""
    ext = meta.extension or {}
    title, description = ext.get("title"), ext.get("description")
    if isinstance(title, str) and title and isinstance(description, str):
        return title, description
    # Only wagons made elsewhere (or before titles were recorded) need unpacking for this, and
    # packaging.utils, whose import (packaging.tags) costs an add a twentieth of its time.
    from packaging.utils import canonicalize_name

    from ..wheels import inspect_wheel

    summary = ""
    wanted = canonicalize_name(meta.name)
    with open_wagon(path) as ex:
        for wheel in sorted((ex.root / WHEELS_DIR).glob("*.whl")):
            if canonicalize_name(wheel.name.split("-")[0]) == wanted:
                try:
                    summary = inspect_wheel(wheel).summary or ""
                except (ValueError, OSError):
                    summary = ""
                break
    title = title if isinstance(title, str) and title else meta.name
    return title, description if isinstance(description, str) else summary


def _beside(path: Path, names: Iterable[str]) -> dict[str, bytes]:
    return {n: (path.parent / n).read_bytes() for n in names if (path.parent / n).is_file()}


def examine(path: Path, known: str | None, replace_: bool) -> Incoming | dict[str, str]:
    """The wagon read once: only its digests when the site has a file of its name with sha256
    `known` (the same one, or one not to be replaced), else all the site needs of it."""
    data = path.read_bytes() if path.stat().st_size <= READ_WHOLE else None
    found = digests(path, data)
    if known is not None and (found["sha256"] == known or not replace_):
        return found
    return read_incoming(path, found, data)


def orphans_exit(parent: int) -> None:
    """In a reading process: exit once `parent` is gone (killed), rather than wait forever."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def read_incoming(path: Path, found: dict[str, str], data: bytes | None = None) -> Incoming:
    scanned = scan(path, _kept, data=data)
    meta = load_meta(scanned)
    _check_part(meta.name, "package_name", path.name)
    _check_part(meta.version, "package_version", path.name)
    inside = {k.rpartition("/")[2]: v for k, v in scanned.contents.items() if k != METADATA_FILE}
    yamls = {n: inside[n] for n in PLUGIN_YAMLS if n in inside}
    icons = {n: inside[n] for n in ICONS if n in inside}
    title, description = _texts(path, meta)
    yamls = yamls or _beside(path, PLUGIN_YAMLS)
    if title == meta.name:  # not configured: the plugin's name in its YAML, as UIs show it
        title = yaml_plugin_name(yamls) or title
    icons = icons or _beside(path, ICONS)
    sbom = path.with_name(path.name + SBOM_SUFFIX)
    return Incoming(
        path=path, sha256=found["sha256"], md5=found["md5"],
        size=path.stat().st_size if data is None else len(data), meta=meta,
        title=title, description=description, yamls=yamls,
        icon=next(iter(sorted(icons.items())), None), sbom=sbom if sbom.is_file() else None,
        sidecars=tuple(a for a in ALGORITHMS if _says_just(path, a, found[a])),
        built=build_date(path, meta),
    )


_PLUGIN_KEY = re.compile(rb"^plugins:[ \t]*\r?\n(?:[ \t]*(?:#[^\n]*)?\r?\n)*[ \t]+([A-Za-z0-9_.-]{1,100}):",
                         re.MULTILINE)


def yaml_plugin_name(yamls: dict[str, bytes]) -> str | None:
    """The first key of the `plugins:` map of the wagon's plugin YAML (plugin.yaml first), found
    by its shape: the text is the plugin's, and a YAML parser would cost every add its import."""
    for name in sorted(yamls, key=lambda n: n != "plugin.yaml"):
        match = _PLUGIN_KEY.search(yamls[name])
        if match:
            return match[1].decode()
    return None


def build_date(path: Path, meta: WagonMeta) -> str | None:
    """When the wagon was built, as ISO 8601: the SOURCE_DATE_EPOCH our metadata records, else
    the one of the build-report.json beside it that lists it (not the fixed default epoch)."""
    epoch = (meta.extension or {}).get("source_date_epoch")
    if not is_epoch(epoch):
        epoch = _report_epoch(path.parent / REPORT_NAME, path.name)
    if epoch is None or not ZIP_EPOCH < epoch < 1 << 40:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def _report_epoch(report: Path, wagon: str) -> int | None:
    try:
        with report.open("rb") as handle:
            data = _json.loads(handle.read(REPORT_MAX + 1)[:REPORT_MAX])
        epoch = data["source_date_epoch"]
        listed = any(isinstance(w, dict) and w.get("file") == wagon for w in data["wagons"])
    except (OSError, ValueError, TypeError, KeyError):
        return None
    return epoch if listed and is_epoch(epoch) else None


def _says_just(path: Path, algorithm: str, digest: str) -> bool:
    try:
        return path.with_name(f"{path.name}.{algorithm}").read_bytes() == f"{digest}\n".encode()
    except OSError:
        return False

