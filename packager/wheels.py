"""Facts read from a wheel file: name, version, tags, dependencies, digest."""

from __future__ import annotations

import hashlib
import re
import zipfile
from dataclasses import dataclass
from email.message import Message
from email.parser import BytesParser
from pathlib import Path

from packaging.tags import Tag
from packaging.utils import canonicalize_name, parse_wheel_filename

PURE_PLATFORM = "any"
MAX_READ = 16 << 20  # a METADATA or module source past this is a bomb, not a plugin
_DATA_LIBS = re.compile(r"^[^/]+\.data/(?:purelib|platlib)/")


def file_digests(path: Path, *algorithms: str) -> dict[str, str]:
    """Hex digests of a file in one streamed pass, e.g. file_digests(p, "sha256", "md5")."""
    digests = {name: hashlib.new(name) for name in algorithms}
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            for digest in digests.values():
                digest.update(block)
    return {name: digest.hexdigest() for name, digest in digests.items()}


def sha256_of(path: Path) -> str:
    return file_digests(path, "sha256")["sha256"]


@dataclass(frozen=True)
class WheelInfo:
    path: Path
    name: str
    version: str
    tags: frozenset[Tag]
    requires_dist: tuple[str, ...]
    requires_python: str | None
    licenses: tuple[str, ...] = ()
    summary: str | None = None

    @property
    def is_pure(self) -> bool:
        return all(tag.platform == PURE_PLATFORM and tag.abi == "none" for tag in self.tags)

    def fits(self, accepted: list[Tag]) -> bool:
        return not self.tags.isdisjoint(accepted)


def read_member(archive: zipfile.ZipFile, name: str) -> bytes:
    """One member's bytes, refusing more than MAX_READ of them."""
    with archive.open(name) as member:
        data = member.read(MAX_READ + 1)
    if len(data) > MAX_READ:
        raise ValueError(f"{name} inflates past {MAX_READ} bytes")
    return data


def inspect_wheel(path: Path) -> WheelInfo:
    """Read METADATA from inside the wheel; name and version come from there, not the file name.

    ValueError (or zipfile.BadZipFile) for a file that is not a wheel.
    """
    _, _, _, tags = parse_wheel_filename(path.name)
    with zipfile.ZipFile(path) as archive:
        meta_name = next(
            (n for n in archive.namelist()
             if n.count("/") == 1 and n.endswith(".dist-info/METADATA")),
            None,
        )
        if meta_name is None:
            raise ValueError(f"{path.name} has no .dist-info/METADATA")
        message = BytesParser().parsebytes(read_member(archive, meta_name), headersonly=True)
    return WheelInfo(
        path=path,
        name=str(message["Name"]),
        version=str(message["Version"]),
        tags=frozenset(tags),
        requires_dist=tuple(str(r) for r in message.get_all("Requires-Dist") or ()),
        requires_python=str(message["Requires-Python"]) if message["Requires-Python"] else None,
        licenses=_licenses(message),
        summary=str(message["Summary"]) if message["Summary"] else None,
    )


def _licenses(message: Message) -> tuple[str, ...]:
    """PEP 639 License-Expression, else a one-line License field, else the trove classifiers."""
    if message["License-Expression"]:
        return (str(message["License-Expression"]),)
    text = str(message["License"] or "").strip()
    if text and "\n" not in text and len(text) <= 80:
        return (text,)
    prefix = "License :: OSI Approved :: "
    classifiers = [str(c) for c in message.get_all("Classifier") or ()]
    return tuple(c.removeprefix(prefix) for c in classifiers if c.startswith(prefix))


def module_members(path: Path) -> dict[str, str]:
    """Dotted names of the modules a wheel installs, each with the member that holds it."""
    found: dict[str, str] = {}
    with zipfile.ZipFile(path) as archive:
        for member in archive.namelist():
            installed = _DATA_LIBS.sub("", member)
            parts = installed.split("/")
            if parts[0].endswith((".dist-info", ".data")):
                continue
            stem, dot, suffix = parts[-1].partition(".")
            if not dot or not (suffix == "py" or suffix.endswith(("so", "pyd"))):
                continue
            names = parts[:-1] if stem == "__init__" else [*parts[:-1], stem]
            if names and all(n.isidentifier() for n in names):
                found.setdefault(".".join(names), member)
    return found


def same_name(a: str, b: str) -> bool:
    return canonicalize_name(a) == canonicalize_name(b)
