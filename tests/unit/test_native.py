"""What `extensions:pyXY` unpacks before a Python loads it: compiled files only, as installed,
inside its directory and its budget (the loading itself is in tests/integration/test_validate.py)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from packager.check.native import _Unpacked, compiled_wheels
from packager.targets import BuildTarget, Host, parse_platform
from packager.wheels import inspect_wheel

from ..wagons import tree

TARGET = BuildTarget((3, 11), parse_platform("manylinux2014_x86_64", Host("x86_64", (2, 36))))


def wheel(path: Path, members: dict[str, bytes]) -> Path:
    name, version = path.name.split("-")[:2]
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(f"{name}-{version}.dist-info/METADATA",
                         f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
        for member, data in members.items():
            archive.writestr(member, data)
    return path


def test_only_compiled_files_are_unpacked_where_they_install(tmp_path: Path) -> None:
    path = wheel(tmp_path / "pkg-1.0-cp311-cp311-manylinux2014_x86_64.whl", {
        "pkg/__init__.py": b"", "pkg/_speed.cpython-311-x86_64-linux-gnu.so": b"elf",
        "pkg-1.0.data/platlib/pkg_extra/_more.abi3.so": b"elf",
        "pkg.libs/libz-1a2b.so.1.2.13": b"elf", "pkg-1.0.data/scripts/tool.so": b"elf",
    })
    unpacked = _Unpacked(tmp_path / "native", 1 << 20)
    unpacked.add(path)
    assert tree(tmp_path / "native") == {
        "0", "0/pkg", "0/pkg/_speed.cpython-311-x86_64-linux-gnu.so", "0/pkg_extra",
        "0/pkg_extra/_more.abi3.so", "0/pkg.libs", "0/pkg.libs/libz-1a2b.so.1.2.13"}
    assert unpacked.shown("0/pkg_extra/_more.abi3.so") == f"pkg_extra/_more.abi3.so ({path.name})"


def test_two_wheels_holding_one_file_are_unpacked_apart(tmp_path: Path) -> None:
    one = wheel(tmp_path / "a-1.0-cp311-abi3-manylinux2014_x86_64.whl", {"m/_x.abi3.so": b"1"})
    two = wheel(tmp_path / "b-1.0-cp311-abi3-manylinux2014_x86_64.whl", {"m/_x.abi3.so": b"2"})
    unpacked = _Unpacked(tmp_path / "native", 1 << 20)
    unpacked.add(one)
    unpacked.add(two)
    assert (tmp_path / "native/0/m/_x.abi3.so").read_bytes() == b"1"
    assert (tmp_path / "native/1/m/_x.abi3.so").read_bytes() == b"2"
    assert unpacked.owners == {"0/m/_x.abi3.so": one.name, "1/m/_x.abi3.so": two.name}


@pytest.mark.parametrize("member", ["../../evil.so", "/abs/evil.so", "pkg/..\\..\\evil.so"])
def test_a_member_outside_the_install_root_is_refused(tmp_path: Path, member: str) -> None:
    path = wheel(tmp_path / "pkg-1.0-cp311-cp311-manylinux2014_x86_64.whl", {member: b"elf"})
    (tmp_path / "native").mkdir()
    with pytest.raises(ValueError, match="outside its install root"):
        _Unpacked(tmp_path / "native", 1 << 20).add(path)
    assert tree(tmp_path / "native") == set()
    assert not list(tmp_path.parent.rglob("evil.so"))


def test_unpacking_stops_at_the_budget(tmp_path: Path) -> None:
    path = wheel(tmp_path / "pkg-1.0-cp311-cp311-manylinux2014_x86_64.whl",
                 {"pkg/_big.abi3.so": bytes(4 << 20)})
    with pytest.raises(ValueError, match="inflate past the budget"):
        _Unpacked(tmp_path / "native", 1 << 20).add(path)


def test_only_wheels_that_fit_the_target_and_hold_compiled_code_are_loaded(tmp_path: Path) -> None:
    fits = wheel(tmp_path / "a-1.0-cp311-cp311-manylinux2014_x86_64.whl", {"a/_c.abi3.so": b""})
    pure = wheel(tmp_path / "b-1.0-py3-none-any.whl", {"b/__init__.py": b""})
    other = wheel(tmp_path / "c-1.0-cp39-cp39-manylinux2014_x86_64.whl", {"c/_c.abi3.so": b""})
    compiled = compiled_wheels(TARGET, [inspect_wheel(p) for p in (fits, pure, other)], 1 << 20)
    assert compiled.wheels == [fits]
    assert not compiled_wheels(TARGET, [inspect_wheel(pure)], 1 << 20)
