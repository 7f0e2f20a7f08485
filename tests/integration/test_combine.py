"""--combine: one wagon per platform for five Pythons, installed by real wagon 1.0.3 on each."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from packaging.utils import parse_wheel_filename

from .conftest import ROOT, Run, WagonVenv, copy_project, interpreter, read_package_json

PYTHONS = ("3.9", "3.10", "3.11", "3.12", "3.13")


def test_combined_wagon_installs_on_each_python(
    tmp_path: Path, run_cli: Run, fresh_wagon_venv: Callable[[str], WagonVenv]
) -> None:
    for version in PYTHONS:
        interpreter(version)
    project = copy_project(ROOT / "examples" / "hello-plugin", tmp_path / "hello")
    out = tmp_path / "out"
    run_cli("build", project, *[a for v in PYTHONS for a in ("--python", v)], "--combine", "-o", out)
    (wagon,) = out.glob("*.wgn")
    assert wagon.name == "hello_plugin-1.0.0-manylinux-py39.py310.py311.py312.py313-none-manylinux2014_x86_64.wgn"
    meta = read_package_json(wagon)
    assert meta["supported_python_versions"] == ["py39", "py310", "py311", "py312", "py313"]
    assert len(meta["plugin_packager"]["targets"]) == 5
    wheels = meta["wheels"]
    # The pure plugin wheel once; PyYAML once per CPython ABI.
    assert sum(w.startswith("hello_plugin-") for w in wheels) == 1
    abis = {tag.abi for w in wheels if w.startswith("pyyaml-") for tag in parse_wheel_filename(w)[3]}
    assert abis == {"cp39", "cp310", "cp311", "cp312", "cp313"}
    for version in PYTHONS:
        venv = fresh_wagon_venv(version)
        venv.wagon("install", wagon)
        got = venv.run_python("import hello_plugin, yaml, sys; print(yaml.__version__, sys.version_info[:2])")
        assert f"(3, {version.split('.')[1]})" in got
