from __future__ import annotations

import pytest
from packaging.utils import parse_wheel_filename

from packager.errors import TargetError
from packager.targets import (
    BuildTarget,
    Host,
    parse_platform,
    parse_python,
    parse_target_python,
    platform_of_wagon,
)


def target(py: str, plat: str, host: Host) -> BuildTarget:
    return BuildTarget(parse_python(py), parse_platform(plat, host))


def accepts(t: BuildTarget, wheel: str) -> bool:
    _, _, _, tags = parse_wheel_filename(wheel)
    return not set(tags).isdisjoint(t.tags())


def test_manylinux_means_manylinux2014_on_the_host_arch(host: Host) -> None:
    assert parse_platform("manylinux", host).name == "manylinux2014_x86_64"
    aarch = Host("aarch64", (2, 31))
    assert parse_platform("manylinux", aarch).name == "manylinux2014_aarch64"


@pytest.mark.parametrize(
    ("text", "glibc", "arch"),
    [
        ("manylinux2014_x86_64", (2, 17), "x86_64"),
        ("manylinux_2_28_x86_64", (2, 28), "x86_64"),
        ("manylinux_2_28_aarch64", (2, 28), "aarch64"),
        ("manylinux1_x86_64", (2, 5), "x86_64"),
        ("linux_x86_64", (2, 36), "x86_64"),
    ],
)
def test_platform_floor_and_arch(text: str, glibc: tuple[int, int], arch: str, host: Host) -> None:
    plat = parse_platform(text, host)
    assert (plat.glibc, plat.arch) == (glibc, arch)


@pytest.mark.parametrize(
    "text", ["manylinux2015_x86_64", "macosx_11_0_arm64", "win_arm", "manylinux_2_17_sparc", ""]
)
def test_unknown_platform_is_a_user_error(text: str, host: Host) -> None:
    with pytest.raises(TargetError, match="unknown platform") as info:
        parse_platform(text, host)
    assert info.value.exit_code == 2
    assert "manylinux2014_<arch>" in (info.value.hint or "")


def test_linux_of_another_arch_is_refused(host: Host) -> None:
    with pytest.raises(TargetError, match="this Linux machine"):
        parse_platform("linux_aarch64", host)


@pytest.mark.parametrize("text", ["2.7", "3.5", "python", "3"])
def test_bad_python_versions(text: str) -> None:
    with pytest.raises(TargetError):
        parse_python(text)


def test_ids_follow_the_spec(host: Host) -> None:
    assert target("3.11", "manylinux2014_x86_64", host).id == "cp311-manylinux2014_x86_64"
    assert target("3.6", "manylinux2014_x86_64", host).id == "cp36-manylinux2014_x86_64"
    assert target("3.12", "manylinux_2_28_aarch64", host).id == "cp312-manylinux_2_28_aarch64"
    assert target("3.11", "linux_x86_64", host).id == "cp311-linux_x86_64"


def test_manylinux2014_target_never_takes_a_newer_floor(host: Host) -> None:
    t = target("3.11", "manylinux2014_x86_64", host)
    assert accepts(t, "cryptography-46.0.0-cp311-abi3-manylinux2014_x86_64.manylinux_2_17_x86_64.whl")
    assert accepts(t, "frozenlist-1.8.0-cp311-cp311-manylinux1_x86_64.manylinux_2_5_x86_64.whl")
    assert not accepts(t, "cryptography-46.0.0-cp311-abi3-manylinux_2_34_x86_64.whl")
    assert not accepts(t, "foo-1.0-cp311-cp311-manylinux_2_28_x86_64.whl")
    assert not accepts(t, "foo-1.0-cp311-cp311-linux_x86_64.whl")
    assert not accepts(t, "foo-1.0-cp311-cp311-manylinux2014_aarch64.whl")
    assert not accepts(t, "foo-1.0-cp312-cp312-manylinux2014_x86_64.whl")
    assert accepts(t, "six-1.17.0-py2.py3-none-any.whl")


def test_linux_target_takes_manylinux_up_to_host_glibc_and_linux_tags(host: Host) -> None:
    t = target("3.11", "linux_x86_64", host)
    assert accepts(t, "foo-1.0-cp311-cp311-linux_x86_64.whl")
    assert accepts(t, "foo-1.0-cp311-cp311-manylinux_2_34_x86_64.whl")
    assert not accepts(t, "foo-1.0-cp311-cp311-manylinux_2_38_x86_64.whl")


def test_py36_uses_the_m_abi(host: Host) -> None:
    t = target("3.6", "manylinux2014_x86_64", host)
    assert accepts(t, "pyyaml-5.4.1-cp36-cp36m-manylinux1_x86_64.whl")
    assert not accepts(t, "pyyaml-6.0-cp36-cp36-manylinux1_x86_64.whl")


def test_any_target_only_takes_pure_wheels(host: Host) -> None:
    t = target("3.11", "any", host)
    assert t.id == "py311-any"
    assert accepts(t, "six-1.17.0-py2.py3-none-any.whl")
    assert not accepts(t, "foo-1.0-cp311-cp311-manylinux2014_x86_64.whl")


def test_native_only_when_the_host_can_run_it(host: Host) -> None:
    assert target("3.11", "manylinux2014_x86_64", host).is_native(host)
    assert not target("3.11", "manylinux2014_aarch64", host).is_native(host)
    assert not target("3.11", "manylinux_2_38_x86_64", host).is_native(host)


@pytest.mark.parametrize(
    ("plat", "uv"),
    [
        ("manylinux2014_x86_64", "x86_64-manylinux_2_17"),
        ("manylinux_2_24_x86_64", "x86_64-manylinux_2_17"),
        ("manylinux_2_28_aarch64", "aarch64-manylinux_2_28"),
        ("linux_x86_64", "x86_64-manylinux_2_36"),
        ("any", "linux"),
    ],
)
def test_uv_platform_is_at_or_below_the_floor(plat: str, uv: str, host: Host) -> None:
    assert target("3.11", plat, host).uv_platform(host) == uv


@pytest.mark.parametrize(
    ("plat", "pure", "legacy", "expected"),
    [
        ("manylinux2014_x86_64", False, False, "manylinux2014_x86_64"),
        ("manylinux_2_17_x86_64", False, False, "manylinux2014_x86_64"),
        ("manylinux_2_28_x86_64", False, False, "linux_x86_64"),
        ("manylinux2014_aarch64", False, False, "manylinux2014_aarch64"),
        ("manylinux2014_x86_64", False, True, "linux_x86_64"),
        ("manylinux2014_x86_64", True, False, "any"),
    ],
)
def test_supported_platform_is_one_wagon_103_accepts(
    plat: str, pure: bool, legacy: bool, expected: str, host: Host
) -> None:
    assert target("3.11", plat, host).wagon_platform(pure, legacy) == expected


def test_combine_groups_pythons_by_platform(host: Host) -> None:
    from packager.targets import cells

    targets = [target(py, plat, host) for py in ("3.13", "3.9") for plat in ("manylinux2014_x86_64", "any")]
    assert [[t.id for t in cell] for cell in cells(targets, combine=False)] == [[t.id] for t in targets]
    assert [[t.id for t in cell] for cell in cells(targets, combine=True)] == [
        ["cp39-manylinux2014_x86_64", "cp313-manylinux2014_x86_64"],
        ["py39-any", "py313-any"],
    ]


@pytest.mark.parametrize(
    ("spec", "version", "expected"),
    [
        ("!=3.9.0,!=3.9.1,>=3.9", (3, 9), True),
        (">=3.10", (3, 9), False),
        ("<3.9.5", (3, 9), True),
        ("~=3.9.2", (3, 9), True),
        (None, (3, 6), True),
        ("not a specifier", (3, 11), None),
    ],
)
def test_requires_python_admits_a_target_when_some_patch_release_fits(
    spec: str | None, version: tuple[int, int], expected: bool | None
) -> None:
    from packager.targets import admits

    assert admits(spec, version) is expected


def test_a_target_python_may_name_its_patch_release(host: Host) -> None:
    assert parse_target_python("3.6.8") == ((3, 6), 8)
    assert parse_target_python("3.11") == ((3, 11), None)
    with pytest.raises(TargetError, match="unknown Python version"):
        parse_python("3.6.8")
    cell = BuildTarget((3, 6), parse_platform("manylinux2014_x86_64", host), patch=8)
    assert cell.id == "cp36-manylinux2014_x86_64"
    assert cell.marker_environment()["python_full_version"] == "3.6.8"


@pytest.mark.parametrize(("plat", "uv", "machine"), [
    ("win_amd64", "x86_64-pc-windows-msvc", "AMD64"), ("win32", "i686-pc-windows-msvc", "x86"),
])
def test_windows_targets_are_foreign_and_speak_windows(
    plat: str, uv: str, machine: str, host: Host
) -> None:
    t = target("3.11", plat, host)
    assert t.id == f"cp311-{plat}"
    assert not t.is_native(host)
    assert t.uv_platform(host) == uv
    assert accepts(t, f"pyyaml-6.0.2-cp311-cp311-{plat}.whl")
    assert accepts(t, "cffi-1.17.1-py3-none-any.whl")
    assert not accepts(t, "pyyaml-6.0.2-cp311-cp311-manylinux2014_x86_64.whl")
    assert not accepts(t, "pyyaml-6.0.2-cp311-cp311-win_arm64.whl")
    markers = t.marker_environment()
    assert (markers["sys_platform"], markers["os_name"], markers["platform_system"]) == (
        "win32", "nt", "Windows")
    assert markers["platform_machine"] == machine
    assert t.wagon_platform(pure=False, legacy=False) == plat
    assert t.wagon_platform(pure=True, legacy=False) == "any"
    assert platform_of_wagon(plat) == t.platform
