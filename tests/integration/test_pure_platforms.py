"""A pure wagon is labelled `any` only when every platform asked for gets the same wheels."""

from __future__ import annotations

from pathlib import Path

from .conftest import Run, read_package_json, write_plugin

PLATFORMS = ("--platform", "manylinux2014_x86_64", "--platform", "manylinux2014_aarch64")


def test_one_any_wagon_when_every_platform_gets_the_same_wheels(tmp_path: Path, run_cli: Run) -> None:
    project = write_plugin(tmp_path, "same-plugin", ["six"])
    out = tmp_path / "out"
    run_cli("build", project, "--python", "3.11", *PLATFORMS, "-o", out)
    (wagon,) = out.glob("*.wgn")
    assert wagon.name == "same_plugin-1.0.0-py311-none-any.wgn"
    meta = read_package_json(wagon)
    assert meta["supported_platform"] == "any"
    assert meta["plugin_packager"]["targets"] == [
        "cp311-manylinux2014_x86_64", "cp311-manylinux2014_aarch64"]


def test_platform_wagons_when_a_marker_makes_the_wheels_differ(tmp_path: Path, run_cli: Run) -> None:
    project = write_plugin(tmp_path, "marked-plugin", ["six; platform_machine=='aarch64'"])
    out = tmp_path / "out"
    run_cli("build", project, "--python", "3.11", *PLATFORMS, "-o", out)
    wagons = {w.name: read_package_json(w) for w in out.glob("*.wgn")}
    assert sorted(wagons) == [
        "marked_plugin-1.0.0-py311-none-manylinux2014_aarch64.wgn",
        "marked_plugin-1.0.0-py311-none-manylinux2014_x86_64.wgn",
    ]
    aarch64 = wagons["marked_plugin-1.0.0-py311-none-manylinux2014_aarch64.wgn"]
    x86_64 = wagons["marked_plugin-1.0.0-py311-none-manylinux2014_x86_64.wgn"]
    assert aarch64["supported_platform"] == "manylinux2014_aarch64"
    assert any(w.startswith("six-") for w in aarch64["wheels"])
    assert x86_64["supported_platform"] == "manylinux2014_x86_64"
    assert not any(w.startswith("six-") for w in x86_64["wheels"])
