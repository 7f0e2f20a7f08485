"""Facts read from a wheel file: name, version, tags, dependencies, members."""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.tags import Tag
from packaging.utils import canonicalize_name, parse_wheel_filename
from packaging.version import Version

if TYPE_CHECKING:
    from packaging.metadata import RawMetadata

PURE_PLATFORM = "any"
MAX_READ = 16 << 20  # a METADATA or module source past this is a bomb, not a plugin
_DATA_LIBS = re.compile(r"^[^/]+\.data/(?:purelib|platlib)/")
_COMPILED_NAME = re.compile(r"\.(?:so(?:\.\d+)*|pyd|dll|dylib|exe)$", re.IGNORECASE)
# ELF, and Mach-O (32/64 bit, both byte orders, universal): binaries under any name.
_BINARY_MAGIC = (b"\x7fELF", b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe",
                 b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe")


def pure_tags(tags: Iterable[Tag]) -> bool:
    """Whether a wheel's tags say one file serves every platform: no ABI, platform `any`. This
    is the one meaning of a pure wheel (a wagon labelled `any` holds only such); a wheel whose
    tags say so may still carry machine code, which compiled_members finds by content."""
    return all(tag.platform == PURE_PLATFORM and tag.abi == "none" for tag in tags)


def is_pure_file(path: Path) -> bool:
    """pure_tags of a wheel, read from its file name alone."""
    return pure_tags(parse_wheel_filename(path.name)[3])


@dataclass(frozen=True)
class WheelInfo:
    path: Path
    name: str
    version: str  # as the METADATA spells it (package.json and file names keep that spelling)
    release: Version
    tags: frozenset[Tag]
    requires_dist: tuple[str, ...]
    requires_python: str | None
    licenses: tuple[str, ...] = ()
    summary: str | None = None

    @property
    def normal_requires(self) -> tuple[str, ...]:
        """Requires-Dist as packaging spells each requirement, sorted and without repeats: equal
        however the backend spelled them (`idna (<3)` is `idna<3`). InvalidRequirement for one
        that does not parse."""
        from packaging.requirements import Requirement  # only builds compare them

        return tuple(sorted({str(Requirement(r)) for r in self.requires_dist}))

    @property
    def is_pure(self) -> bool:
        """Pure by its tags (see pure_tags); what it holds is compiled_members' question."""
        return pure_tags(self.tags)

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

    ValueError (packaging's InvalidMetadata is one) for a file that is not a wheel, a damaged
    zip archive included.
    """
    # The email parser behind packaging.metadata costs 30 ms to import: only wheels need it.
    from packaging.metadata import Metadata, parse_email

    _, _, _, tags = parse_wheel_filename(path.name)
    try:
        with zipfile.ZipFile(path) as archive:
            meta_name = next(
                (n for n in archive.namelist()
                 if n.count("/") == 1 and n.endswith(".dist-info/METADATA")),
                None,
            )
            if meta_name is None:
                raise ValueError(f"{path.name} has no .dist-info/METADATA")
            raw, _ = parse_email(read_member(archive, meta_name))
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
        # A truncated or corrupt member, or a compression method zipfile cannot read.
        raise ValueError(f"{path.name} is not a readable zip archive: {exc}") from exc
    # Name and version are typed and checked; other fields stay as written (wheels in the wild
    # carry metadata that strict validation refuses, and we only read them).
    typed = Metadata.from_raw(raw, validate=False)
    return WheelInfo(
        path=path,
        name=typed.name,
        version=raw["version"],
        release=typed.version,
        tags=frozenset(tags),
        requires_dist=tuple(raw.get("requires_dist", ())),
        requires_python=raw.get("requires_python") or None,
        licenses=_licenses(raw),
        summary=raw.get("summary") or None,
    )


def _licenses(raw: RawMetadata) -> tuple[str, ...]:
    """PEP 639 License-Expression, else a one-line License field, else the trove classifiers."""
    if raw.get("license_expression"):
        return (raw["license_expression"],)
    text = raw.get("license", "").strip()
    if text and "\n" not in text and len(text) <= 80:
        return (text,)
    prefix = "License :: OSI Approved :: "
    classifiers = raw.get("classifiers", [])
    return tuple(c.removeprefix(prefix) for c in classifiers if c.startswith(prefix))


def _is_pe(head: bytes) -> bool:
    """A Windows PE image: "MZ", then "PE\\0\\0" where the DOS header's e_lfanew points."""
    if not head.startswith(b"MZ") or len(head) < 0x40:
        return False
    offset = int.from_bytes(head[0x3C:0x40], "little")
    return head[offset:offset + 4] == b"PE\0\0"


def compiled_members(path: Path) -> list[str]:
    """Members of a wheel that are native code, by name or by content, whatever the tags say."""
    found = []
    with zipfile.ZipFile(path) as archive:
        for member in archive.infolist():
            if member.is_dir():
                continue
            with archive.open(member) as handle:
                head = handle.read(4096)
            if (is_compiled_name(member.filename) or head.startswith(_BINARY_MAGIC)
                    or _is_pe(head)):
                found.append(member.filename)
    return found


def installed_name(member: str) -> str | None:
    """Where a wheel's member lands relative to site-packages; None for its metadata and for
    what installs elsewhere (scripts, headers, data)."""
    installed = _DATA_LIBS.sub("", member)
    if installed.split("/")[0].endswith((".dist-info", ".data")):
        return None
    return installed


def is_compiled_name(name: str) -> bool:
    """Named as native code is (`.so`, `.so.1.2`, `.pyd`, `.dll`, ...)."""
    return _COMPILED_NAME.search(name) is not None


def module_members(path: Path) -> dict[str, str]:
    """Dotted names of the modules a wheel installs, each with the member that holds it."""
    found: dict[str, str] = {}
    with zipfile.ZipFile(path) as archive:
        for member in archive.namelist():
            installed = installed_name(member)
            if installed is None:
                continue
            parts = installed.split("/")
            stem, dot, suffix = parts[-1].partition(".")
            if not dot or not (suffix == "py" or suffix.endswith(("so", "pyd"))):
                continue
            names = parts[:-1] if stem == "__init__" else [*parts[:-1], stem]
            if names and all(n.isidentifier() for n in names):
                found.setdefault(".".join(names), member)
    return found


def same_name(a: str, b: str) -> bool:
    return canonicalize_name(a) == canonicalize_name(b)
