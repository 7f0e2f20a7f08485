"""What makes a host-built wheel acceptable for a foreign target: pure content, the same needs."""

from __future__ import annotations

import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from packager.builder.resolution import Candidate
from packager.builder.sdists import (
    NoWheelForTarget,
    compiled_release,
    refusal_error,
    requirement_gaps,
)
from packager.targets import BuildTarget, Host, parse_platform
from packager.wheels import compiled_members, inspect_wheel

HOST = Host("x86_64", (2, 36))
AARCH64 = BuildTarget((3, 11), parse_platform("manylinux2014_aarch64", HOST), Path("python3.11"))
WIN32 = BuildTarget((3, 11), parse_platform("win32", HOST), Path("python3.11"))
PE_HEAD = b"MZ" + bytes(0x3A) + (0x40).to_bytes(4, "little") + b"PE\0\0"


def write_wheel(path: Path, members: dict[str, bytes], requires: tuple[str, ...] = ()) -> Path:
    meta = "Metadata-Version: 2.1\nName: dep\nVersion: 1.0\n"
    meta += "".join(f"Requires-Dist: {r}\n" for r in requires)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("dep-1.0.dist-info/METADATA", meta)
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def candidate(name: str, version: str) -> Candidate:
    return Candidate(name, version, f"{name}-{version}.tar.gz", "", None, True)


def test_compiled_files_are_found_by_name_and_by_content(tmp_path: Path) -> None:
    wheel = write_wheel(tmp_path / "dep-1.0-py3-none-any.whl", {
        "dep/__init__.py": b"x = 1\n",
        "dep/_speed.cpython-311-x86_64-linux-gnu.so": b"not even elf",
        "dep/helper.py": b"\x7fELF\x02\x01\x01" + bytes(64),
        "dep/tool.txt": PE_HEAD,
        "dep/mz.txt": b"MZ is just text here\n",
    })
    assert compiled_members(wheel) == [
        "dep/_speed.cpython-311-x86_64-linux-gnu.so", "dep/helper.py", "dep/tool.txt",
    ]


def test_requires_dist_is_read_for_the_target_against_the_pins(tmp_path: Path) -> None:
    wheel = write_wheel(tmp_path / "dep-1.0-py3-none-any.whl", {}, (
        "requests>=2", "pika==1.3.*", "pywin32; sys_platform == 'win32'",
        "tomli; python_version < '3.11'", "extra-thing; extra == 'fast'", "missing>=1",
    ))
    resolved = [candidate("Requests", "2.32.0"), candidate("pika", "1.4.4")]
    gaps = requirement_gaps(inspect_wheel(wheel), AARCH64, resolved)
    assert gaps == ["pika==1.3.* (resolved 1.4.4)", "missing (not resolved)"]


def test_one_error_names_every_refused_dependency() -> None:
    refusals = {AARCH64: [NoWheelForTarget(candidate("pycryptodome", "3.9.7"), "C extension"),
                          NoWheelForTarget(candidate("pp-cext", "0.1"), "its sdist does not build here")]}
    error = refusal_error(refusals)
    assert error.exit_code == 3
    assert error.message == (
        "cp311-manylinux2014_aarch64 cannot have 2 of its dependencies: pycryptodome 3.9.7"
        " (C extension); pp-cext 0.1 (its sdist does not build here)")
    assert error.hint is not None
    assert "--find-links" in error.hint
    assert "native runner" in error.hint


@pytest.mark.parametrize(("target", "why"), [
    (AARCH64, ("no wheel for the manylinux2014_aarch64 floor (only manylinux_2_28_aarch64);"
              " C extension")),
    (WIN32, ("C extension: wheels only for other platforms (manylinux_2_28_aarch64,"
            " manylinux_2_34_x86_64, win_amd64)")),
])
def test_a_release_with_platform_wheels_only_is_compiled_code(
    target: BuildTarget, why: str
) -> None:
    release = Candidate("cryptography", "50.0.2", "cryptography-50.0.2.tar.gz", "", None, True, (
        "cryptography-50.0.2-cp311-abi3-manylinux_2_28_aarch64.whl",
        "cryptography-50.0.2-cp311-abi3-manylinux_2_34_x86_64.whl",
        "cryptography-50.0.2-cp311-abi3-win_amd64.whl",
    ))
    assert compiled_release(release, target) == why
    assert compiled_release(replace(release, wheels=()), target) is None


def test_wheels_on_the_targets_platform_for_other_pythons_say_which_pythons() -> None:
    # pycryptodome 3.9.9 published aarch64 wheels for cp35-cp39 only (and none abi3).
    aarch64 = [f"pycryptodome-3.9.9-cp{v}-cp{v}{'m' if v < 38 else ''}-manylinux2014_aarch64.whl"
               for v in (35, 36, 37, 38, 39)]
    release = Candidate("pycryptodome", "3.9.9", "pycryptodome-3.9.9.tar.gz", "", None, True,
                        (*aarch64, "pycryptodome-3.9.9-cp39-cp39-win_amd64.whl"))
    assert compiled_release(release, AARCH64) == (
        "its manylinux2014_aarch64 wheels are only for cp35 to cp39, none for cp311; C extension")
    two = replace(release, wheels=release.wheels[:2])
    assert compiled_release(two, AARCH64) == (
        "its manylinux2014_aarch64 wheels are only for cp35, cp36, none for cp311; C extension")
