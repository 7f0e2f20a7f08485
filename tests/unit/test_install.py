"""show's description and install's platform and Python checks, without installing anything."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from packager.check.install import check_platform, check_python
from packager.errors import TargetError
from packager.targets import Host
from packager.wagon.describe import describe
from packager.wagon.metadata import parse_metadata

from ..wagons import YAML_WHEEL, hello

META = parse_metadata(hello().metadata, "hello.wgn")


@pytest.mark.parametrize("platform", [
    "any", "manylinux2014_x86_64", "manylinux_2_17_x86_64", "manylinux_2_36_x86_64",
    "manylinux1_x86_64", "linux_x86_64",
])
def test_platforms_this_machine_runs(platform: str, host: Host) -> None:
    check_platform(replace(META, platform=platform), host)


@pytest.mark.parametrize("platform", [
    "manylinux_2_39_x86_64", "manylinux2014_aarch64", "linux_aarch64", "win_amd64", "manylinux",
])
def test_platforms_this_machine_does_not_run(platform: str, host: Host) -> None:
    with pytest.raises(TargetError, match=rf"is built for {platform}; this machine is x86_64 with"
                                          r" glibc 2\.36"):
        check_platform(replace(META, platform=platform), host)


def test_python_must_be_listed_and_admitted() -> None:
    check_python(META, (3, 11))
    with pytest.raises(TargetError, match=r"is for py311; the venv runs Python 3\.13"):
        check_python(META, (3, 13))
    generic = replace(META, pythons=("py3",), python_requires=">=3.12")
    with pytest.raises(TargetError, match=r"requires Python >=3\.12; the venv runs Python 3\.11"):
        check_python(generic, (3, 11))
    with pytest.raises(TargetError, match=r"is for py27"):
        check_python(replace(META, pythons=("py27",)), (3, 11))


def test_describe_lists_wheels_with_their_tags_and_the_targets(tmp_path: Path) -> None:
    info = describe(hello().write(tmp_path, "tar.gz"))
    assert info.container == "tar.gz"
    assert info.targets == ["cp311-manylinux2014_x86_64"]
    assert info.created_by == "plugin-packager (format 1)"
    wheel = next(w for w in info.wheels if w.file == YAML_WHEEL)
    assert wheel.tags == ["cp311-cp311-manylinux2014_x86_64", "cp311-cp311-manylinux_2_17_x86_64"]
    assert info.metadata["package_version"] == "1.0.0"


def test_describe_derives_targets_for_a_wagon_1_wagon(tmp_path: Path) -> None:
    layout = hello()
    del layout.metadata["plugin_packager"]
    layout.metadata["supported_python_versions"] = ["py36", "py3.11", "py27", "py3"]
    info = describe(layout.write(tmp_path))
    assert info.targets == [
        "cp36-manylinux2014_x86_64", "cp311-manylinux2014_x86_64", "py27-manylinux2014_x86_64",
    ]
    assert info.created_by == "an unknown tool"
