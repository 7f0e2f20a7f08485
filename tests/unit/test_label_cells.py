"""Which cells may be labelled `any`: only pure ones that every platform asked for gets alike."""

from __future__ import annotations

from pathlib import Path

from packager.builder.assemble import label_cells
from packager.targets import BuildTarget, Host, parse_platform

HOST = Host("x86_64", (2, 36))


def _cell(plat: str) -> list[BuildTarget]:
    return [BuildTarget((3, 11), parse_platform(plat, HOST))]


def _files(tmp_path: Path, *names: str) -> list[Path]:
    for name in names:
        (tmp_path / name).write_bytes(name.encode())
    return [tmp_path / n for n in names]


def test_a_pure_cell_keeps_its_platform_when_another_platform_needs_a_binary_wheel(
    tmp_path: Path
) -> None:
    x86, arm = _cell("manylinux2014_x86_64"), _cell("manylinux2014_aarch64")
    plugin, six, yaml = _files(tmp_path, "p-1-py3-none-any.whl", "six-1-py2.py3-none-any.whl",
                               "PyYAML-6-cp311-cp311-manylinux2014_x86_64.whl")
    wheels = {x86[0]: [six, yaml], arm[0]: [six]}
    assert label_cells([x86, arm], wheels, plugin) == [(x86, False), (arm, False)]


def test_pure_cells_with_the_same_files_become_one(tmp_path: Path) -> None:
    x86, arm = _cell("manylinux2014_x86_64"), _cell("manylinux2014_aarch64")
    plugin, six = _files(tmp_path, "p-1-py3-none-any.whl", "six-1-py2.py3-none-any.whl")
    assert label_cells([x86, arm], {x86[0]: [six], arm[0]: [six]}, plugin) == [(x86 + arm, True)]
    assert label_cells([x86], {x86[0]: [six]}, plugin) == [(x86, True)]


def test_a_wheel_tagged_for_an_abi_is_not_pure_even_on_platform_any(tmp_path: Path) -> None:
    """label_group and assemble share one meaning of pure: label_group once merged cells whose
    `cp311-abi3-any` wheels were alike into one `any` cell, which assemble (ABI none only) then
    named for its first target's platform, with the other platform's target inside."""
    x86, arm = _cell("manylinux2014_x86_64"), _cell("manylinux2014_aarch64")
    plugin, odd = _files(tmp_path, "p-1-py3-none-any.whl", "odd-1-cp311-abi3-any.whl")
    assert label_cells([x86, arm], {x86[0]: [odd], arm[0]: [odd]}, plugin) == [
        (x86, False), (arm, False)]
