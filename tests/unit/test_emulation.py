"""Which CPython runs a foreign wagon's checks under QEMU, and why not when none can."""

from __future__ import annotations

from pathlib import Path

import pytest

from packager.check.emulation import emulator_for
from packager.errors import TargetError
from packager.targets import BuildTarget, Host, parse_platform

HOST = Host("x86_64", (2, 36))


def target(python: tuple[int, int], platform: str) -> BuildTarget:
    return BuildTarget(python, parse_platform(platform, HOST))


def fake_qemu(folder: Path) -> Path:
    """An executable file by QEMU's name: emulator_for only looks it up, it never runs it."""
    folder.mkdir()
    qemu = folder / "qemu-aarch64-static"
    qemu.write_text("#!/bin/sh\n")
    qemu.chmod(0o755)
    return qemu


def test_without_qemu_the_reason_says_how_to_enable_it(tmp_path: Path) -> None:
    with pytest.raises(TargetError) as info:
        emulator_for(target((3, 11), "manylinux2014_aarch64"), HOST, {"PATH": str(tmp_path)},
                     None, tmp_path)
    assert info.value.message == "neither qemu-aarch64-static nor qemu-aarch64 is on PATH"
    assert "apt-get install qemu-user-static" in info.value.one_line()


def test_a_named_root_is_used_as_it_is(tmp_path: Path) -> None:
    qemu = fake_qemu(tmp_path / "bin")
    root = tmp_path / "root"
    (root / "usr" / "bin").mkdir(parents=True)
    (root / "usr" / "bin" / "python3.12").write_text("")
    emulator = emulator_for(target((3, 12), "manylinux_2_28_aarch64"), HOST,
                            {"PATH": str(qemu.parent)}, root, tmp_path / "cache")
    assert emulator.runner() == [qemu, "-L", root]
    assert emulator.python == root / "usr" / "bin" / "python3.12"
    with pytest.raises(TargetError, match=r"has no usr/bin/python3\.11"):
        emulator_for(target((3, 11), "manylinux2014_aarch64"), HOST, {"PATH": str(qemu.parent)},
                     root, tmp_path / "cache")
    assert not (tmp_path / "cache").exists()


def test_no_debian_python_of_that_version_means_naming_a_root(tmp_path: Path) -> None:
    qemu = fake_qemu(tmp_path / "bin")
    with pytest.raises(TargetError) as info:
        emulator_for(target((3, 9), "manylinux2014_aarch64"), HOST, {"PATH": str(qemu.parent)},
                     None, tmp_path / "cache")
    assert info.value.message == "Debian bookworm has no arm64 Python 3.9"
    assert "--target-python-root" in info.value.one_line()


def test_the_hosts_own_arch_above_its_glibc_is_not_emulated(tmp_path: Path) -> None:
    with pytest.raises(TargetError, match=r"cannot run manylinux_2_39_x86_64 wheels"):
        emulator_for(target((3, 11), "manylinux_2_39_x86_64"), HOST, {"PATH": str(tmp_path)},
                     None, tmp_path)
