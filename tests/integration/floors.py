"""An oracle for "runs on glibc 2.17 x86_64", written from PEP 599/600, independent of packager."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from packaging.utils import parse_wheel_filename

LEGACY = {"manylinux1": (2, 5), "manylinux2010": (2, 12), "manylinux2014": (2, 17)}


def platform_glibc(platform: str, arch: str = "x86_64") -> tuple[int, int] | None:
    """(0, 0) for pure, the glibc a manylinux tag needs, None for anything else."""
    if platform == "any":
        return (0, 0)
    match = re.fullmatch(rf"manylinux_(\d+)_(\d+)_{arch}", platform)
    if match:
        return int(match.group(1)), int(match.group(2))
    match = re.fullmatch(rf"(manylinux1|manylinux2010|manylinux2014)_{arch}", platform)
    return LEGACY[match.group(1)] if match else None


def runs_on(wheel: str, py: tuple[int, int], floor: tuple[int, int], arch: str = "x86_64") -> bool:
    """True when one of the wheel's tags is usable by CPython `py` on a glibc `floor` machine."""
    cp = f"cp{py[0]}{py[1]}"
    for tag in parse_wheel_filename(wheel)[3]:
        glibc = platform_glibc(tag.platform, arch)
        if glibc is None or glibc > floor:
            continue
        if tag.abi == "none" and tag.interpreter in (cp, "py3", f"py{py[0]}{py[1]}", "py2.py3"):
            return True
        if tag.abi == cp and tag.interpreter == cp:
            return True
        if tag.abi == "abi3" and tag.interpreter.startswith("cp3") and int(tag.interpreter[3:]) <= py[1]:
            return True
    return False


def auditwheel_policy(wheel: Path) -> str:
    """The platform tag `auditwheel show` says the wheel's ELF files are consistent with."""
    out = subprocess.run(
        [sys.executable, "-m", "auditwheel", "show", str(wheel)],
        capture_output=True, text=True, check=True, timeout=120,
    ).stdout
    match = re.search(r'platform tag:\s*"([^"]+)"', out.replace("\n", " "))
    assert match, out
    return match.group(1)
