"""Build targets: one (CPython version, platform) cell, parsed once and passed everywhere."""

from __future__ import annotations

import os
import platform as _platform
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.tags import Tag, compatible_tags, cpython_tags

from ._toml import resource
from .errors import TargetError

Glibc = tuple[int, int]
LINUX_CEILING: Glibc = (2, 99)  # no glibc floor is known for a plain linux_<arch> wagon
_PEP600 = re.compile(r"^manylinux_(\d+)_(\d+)_(\w+)$")


def platform_data() -> dict[str, Any]:
    return resource("platforms.toml")


@dataclass(frozen=True)
class Host:
    """The machine we run on: what it can execute decides which targets are native."""

    arch: str
    glibc: Glibc | None

    @classmethod
    def detect(cls) -> Host:
        try:
            libc = os.confstr("CS_GNU_LIBC_VERSION") or ""
        except (ValueError, OSError):
            libc = ""
        match = re.match(r"glibc (\d+)\.(\d+)", libc)
        glibc = (int(match.group(1)), int(match.group(2))) if match else None
        return cls(arch=_platform.machine(), glibc=glibc)

    def describe(self) -> str:
        glibc = f"glibc {self.glibc[0]}.{self.glibc[1]}" if self.glibc else "no glibc"
        return f"{self.arch} with {glibc}"


@dataclass(frozen=True)
class Platform:
    """A wheel platform family with its floor: `manylinux2014_x86_64`, `linux_x86_64`, `any`."""

    name: str
    kind: str  # "manylinux" | "linux" | "windows" | "any"
    arch: str | None = None
    glibc: Glibc | None = None

    def tags(self) -> list[str]:
        """Platform tags a wheel may carry for this platform, most specific first."""
        if self.kind == "any":
            return []
        if self.kind == "windows":
            return [self.name]
        assert self.arch is not None
        assert self.glibc is not None
        legacy = {tuple(v): k for k, v in platform_data()["legacy_manylinux"].items()}
        oldest = tuple(platform_data()["defaults"]["oldest_glibc"])
        out = [f"linux_{self.arch}"] if self.kind == "linux" else []
        major, minor = self.glibc
        for m in range(minor, oldest[1] - 1, -1):
            out.append(f"manylinux_{major}_{m}_{self.arch}")
            if (major, m) in legacy:
                out.append(f"{legacy[(major, m)]}_{self.arch}")
        return out

    def runs_on(self, host: Host) -> bool:
        """True when `host` can run binaries of this platform."""
        if self.kind == "any":
            return True
        if self.kind == "windows" or self.arch != host.arch or host.glibc is None:
            return False
        return self.kind == "linux" or (self.glibc is not None and self.glibc <= host.glibc)

    def legacy_name(self) -> str | None:
        """The PEP 599-era alias (`manylinux2014_x86_64`) of this floor, when there is one."""
        for alias, glibc in platform_data()["legacy_manylinux"].items():
            if self.kind == "manylinux" and tuple(glibc) == self.glibc:
                return f"{alias}_{self.arch}"
        return None


def manylinux_floor(tag: str) -> tuple[str, Glibc] | None:
    """(arch, glibc) a manylinux platform tag names, PEP 600 or legacy alias, for any arch."""
    for alias, glibc in platform_data()["legacy_manylinux"].items():
        arch = tag.removeprefix(f"{alias}_")
        if arch != tag:
            return arch, (glibc[0], glibc[1])
    match = _PEP600.match(tag)
    return (match.group(3), (int(match.group(1)), int(match.group(2)))) if match else None


def parse_platform(text: str, host: Host) -> Platform:
    data = platform_data()
    arches: list[str] = data["arches"]
    if text == "any":
        return Platform("any", "any")
    if text == "manylinux":
        text = f"{data['defaults']['manylinux']}_{host.arch}"
    if text in data["windows"]:
        return Platform(text, "windows", data["windows"][text]["machine"])
    floor = manylinux_floor(text)
    if floor is not None and floor[0] in arches:
        return Platform(text, "manylinux", floor[0], floor[1])
    arch = text.removeprefix("linux_")
    if arch != text and arch in arches:
        if arch != host.arch or host.glibc is None:
            raise TargetError(
                f"platform {text!r} means 'this Linux machine' and this machine is not {arch} Linux",
                "use a manylinux platform such as manylinux2014_" + arch,
            )
        return Platform(text, "linux", arch, host.glibc)
    raise TargetError(
        f"unknown platform {text!r}",
        "use manylinux, manylinux2014_<arch>, manylinux_2_28_<arch>, linux_<arch>, win_amd64,"
        " win32 or any"
        f" (arch one of {', '.join(arches)})",
    )


def platform_of_wagon(text: str) -> Platform | None:
    """The platform a wagon's `supported_platform` names, read the same on any machine.

    `linux_<arch>` means "the Linux the wagon was built on": any glibc of that arch may be in it.
    None for platforms we know nothing of (macosx_*).
    """
    arch = text.removeprefix("linux_")
    if arch != text and arch in platform_data()["arches"]:
        return Platform(text, "linux", arch, LINUX_CEILING)
    if text == "manylinux":
        return None
    try:
        return parse_platform(text, Host(arch="", glibc=None))
    except TargetError:
        return None


def parse_python(text: str) -> tuple[int, int]:
    """A wagon's or target's `3.11`, `py311`, `cp311`: no patch release."""
    version, patch = parse_target_python(text)
    if patch is not None:
        raise TargetError(f"unknown Python version {text!r}", "write it as 3.11, without a patch")
    return version


def parse_target_python(text: str) -> tuple[tuple[int, int], int | None]:
    """`--python` as (3, 6) and its patch release when given (`3.6.8` → 8)."""
    match = re.fullmatch(r"(?:cp|py)?(\d)\.?(\d+)(?:\.(\d+))?", text.strip())
    if not match or match.group(1) != "3":
        raise TargetError(f"unknown Python version {text!r}",
                          "write it as 3.11 or 3.11.4 (CPython 3.6 and newer)")
    version = (3, int(match.group(2)))
    if version < (3, 6):
        raise TargetError(f"Python {text} is too old for a wagon", "targets start at 3.6")
    return version, int(match.group(3)) if match.group(3) else None


GENERIC_PYTAGS = ("py2", "py3", "py2.py3")


def read_pytags(entries: Sequence[str]) -> tuple[list[tuple[int, int]], list[str]]:
    """A wagon's supported_python_versions as CPython 3 versions, and the entries that are not
    (py27, garbage). Generic py2/py3 tags say nothing and are dropped, as the manager does."""
    versions: list[tuple[int, int]] = []
    unparsed: list[str] = []
    for entry in entries:
        if entry in GENERIC_PYTAGS:
            continue
        try:
            versions.append(parse_python(entry))
        except TargetError:
            unparsed.append(entry)
    return list(dict.fromkeys(versions)), unparsed


def admits(specifier: str | None, version: tuple[int, int]) -> bool | None:
    """Whether Requires-Python `specifier` admits some patch release of `version` (a target is
    "Python 3.9", and `!=3.9.0,!=3.9.1,>=3.9` admits 3.9.2); None when it does not parse."""
    try:
        spec = SpecifierSet(specifier or "")
    except InvalidSpecifier:
        return None
    major, minor = version
    return any(spec.contains(f"{major}.{minor}.{patch}", prereleases=True) for patch in range(100))


@dataclass(frozen=True)
class BuildTarget:
    """One wagon's worth of (Python, platform), with the interpreter that can build for it."""

    python: tuple[int, int]
    platform: Platform
    interpreter: Path | None = None
    patch: int = 0  # markers and Requires-Python see this exact release (CentOS 7 runs 3.6.8)

    @property
    def pytag(self) -> str:
        return f"py{self.python[0]}{self.python[1]}"

    @property
    def cptag(self) -> str:
        return f"cp{self.python[0]}{self.python[1]}"

    @property
    def id(self) -> str:
        if self.platform.kind == "any":
            return f"{self.pytag}-any"
        return f"{self.cptag}-{self.platform.name}"

    @property
    def python_version(self) -> str:
        return f"{self.python[0]}.{self.python[1]}"

    @property
    def python_full_version(self) -> str:
        return f"{self.python_version}.{self.patch}"

    @property
    def installer_python_version(self) -> str:
        """What uv's `--python-version` gets: the exact release when known (uv reads `3.6` as
        3.6.0, which pyparsing 3.1.4's Requires-Python >=3.6.8 refuses)."""
        return self.python_full_version if self.patch else self.python_version

    def marker_environment(self) -> dict[str, str]:
        """PEP 508 marker values of the target machine (not of the host)."""
        arch = self.platform.arch or _platform.machine()
        windows = self.platform.kind == "windows"
        return {
            "implementation_name": "cpython",
            "implementation_version": self.python_full_version,
            "os_name": "nt" if windows else "posix",
            "platform_machine": arch,
            "platform_python_implementation": "CPython",
            "platform_release": "",
            "platform_system": "Windows" if windows else "Linux",
            "platform_version": "",
            "python_full_version": self.python_full_version,
            "python_version": self.python_version,
            "sys_platform": "win32" if windows else "linux",
        }

    def is_native(self, host: Host) -> bool:
        """True when this machine can run the target's binaries (so it may compile sdists)."""
        return self.platform.runs_on(host)

    def tags(self) -> list[Tag]:
        """Every wheel tag this target accepts, best first."""
        abi = self.cptag + ("m" if self.python < (3, 8) else "")
        platforms = self.platform.tags()
        out = list(cpython_tags(self.python, abis=[abi], platforms=platforms)) if platforms else []
        out += compatible_tags(self.python, interpreter=self.cptag, platforms=platforms)
        return list(dict.fromkeys(out))

    def uv_platform(self, host: Host) -> str:
        """The `uv --python-platform` value closest below this target's floor."""
        plat = self.platform
        if plat.kind == "windows":
            return str(platform_data()["windows"][plat.name]["uv"])
        uv = platform_data()["uv"]
        arch = plat.arch or host.arch
        if plat.kind == "any" or arch not in uv["arches"]:
            return "linux"
        glibc = plat.glibc or (2, 17)
        minors = [m for m in uv["glibc_minors"] if (2, m) <= glibc] or [uv["glibc_minors"][0]]
        return f"{arch}-manylinux_2_{minors[-1]}"

    def wagon_platform(self, pure: bool, legacy: bool) -> str:
        """`supported_platform` for package.json: a tag wagon 1.0.3's install accepts."""
        plat = self.platform
        if pure or plat.kind == "any":
            return "any"
        if plat.kind == "windows":
            return plat.name
        if legacy or plat.kind == "linux":
            return f"linux_{plat.arch}"
        # wagon 1.0.3 splits on "_" to compare arches, so PEP 600 names fail its check.
        return plat.legacy_name() or f"linux_{plat.arch}"


def cells(targets: Sequence[BuildTarget], combine: bool) -> list[list[BuildTarget]]:
    """Which targets share a wagon: each its own, or with --combine all Pythons of a platform."""
    if not combine:
        return [[t] for t in targets]
    groups: dict[str, list[BuildTarget]] = {}
    for target in targets:
        groups.setdefault(target.platform.name, []).append(target)
    return [sorted(group, key=lambda t: t.python) for group in groups.values()]
