"""A byte-reproducible wagon writer: sorted entries, fixed modes, owners and times."""

from __future__ import annotations

import gzip
import io
import json
import tarfile
import time
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from .metadata import FILES_DIR, METADATA_FILE, WHEELS_DIR

ZIP_EPOCH = 315532800  # 1980-01-01T00:00:00Z, the oldest time a zip entry can hold
FILE_MODE = 0o644
DIR_MODE = 0o755


@dataclass(frozen=True)
class Member:
    """One file of the archive: its path under the top directory and where its bytes are."""

    arcname: str
    source: Path | bytes


def members(metadata: dict[str, Any], wheels: Sequence[Path], files: Sequence[Path]) -> list[Member]:
    text = json.dumps(metadata, indent=4, sort_keys=True) + "\n"
    out = [Member(METADATA_FILE, text.encode("utf-8"))]
    out += [Member(f"{WHEELS_DIR}/{w.name}", w) for w in wheels]
    out += [Member(f"{FILES_DIR}/{f.name}", f) for f in files]
    return sorted(out, key=lambda m: m.arcname)


def _open(member: Member) -> BinaryIO:
    return io.BytesIO(member.source) if isinstance(member.source, bytes) else member.source.open("rb")


def _size(member: Member) -> int:
    return len(member.source) if isinstance(member.source, bytes) else member.source.stat().st_size


def write_zip(out: BinaryIO, top: str, entries: Sequence[Member], epoch: int) -> None:
    stamp = time.gmtime(max(epoch, ZIP_EPOCH))[:6]
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for member in entries:
            info = zipfile.ZipInfo(f"{top}/{member.arcname}", date_time=stamp)
            info.create_system = 3
            info.external_attr = (0o100000 | FILE_MODE) << 16
            info.file_size = _size(member)
            with _open(member) as source, archive.open(info, "w") as dest:
                for block in iter(lambda: source.read(1 << 20), b""):
                    dest.write(block)


def write_tar_gz(out: BinaryIO, top: str, entries: Sequence[Member], epoch: int) -> None:
    parents = {str(p) for m in entries for p in PurePosixPath(m.arcname).parents}
    dirs = sorted(f"{top}/{p}" if p != "." else top for p in parents | {"."})
    with gzip.GzipFile(fileobj=out, mode="wb", mtime=0, filename="") as gz, tarfile.open(
        fileobj=gz, mode="w", format=tarfile.GNU_FORMAT
    ) as archive:
        for name in dirs:
            archive.addfile(_tarinfo(name, tarfile.DIRTYPE, DIR_MODE, 0, epoch))
        for member in entries:
            info = _tarinfo(f"{top}/{member.arcname}", tarfile.REGTYPE, FILE_MODE, _size(member), epoch)
            with _open(member) as source:
                archive.addfile(info, source)


def _tarinfo(name: str, kind: bytes, mode: int, size: int, epoch: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.mode, info.size, info.mtime = kind, mode, size, epoch
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def write_wagon(
    out: BinaryIO, fmt: str, top: str, entries: Sequence[Member], epoch: int
) -> None:
    """Same entries and epoch give the same bytes: sorted, fixed modes, owners and times."""
    if fmt == "zip":
        write_zip(out, top, entries, epoch)
    else:
        write_tar_gz(out, top, entries, epoch)
