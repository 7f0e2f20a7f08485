"""sdist-only dependencies with C code: built by the target's Python, repaired to the floor,
or refused naming the package, the symbols and the floor."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

from ..sdists import GETRANDOM_C, write_c_sdist
from .conftest import Run, WagonVenv, interpreter, read_package_json, write_plugin
from .floors import auditwheel_policy, platform_glibc, runs_on


def plugin(tmp_path: Path, dependency: str) -> Path:
    return write_plugin(tmp_path, "cext-user-plugin", [f"{dependency}==0.1.0"], version="2.0.0")


def test_sdist_only_c_extension_is_built_and_repaired_to_the_floor(
    tmp_path: Path, run_cli: Run, fresh_wagon_venv: Callable[[str], WagonVenv]
) -> None:
    interpreter("3.11")
    links = tmp_path / "links"
    write_c_sdist(links, "pp-cext-ok", "0.1.0")
    project = plugin(tmp_path, "pp-cext-ok")
    out = tmp_path / "out"
    run_cli("build", project, "--python", "3.11", "--platform", "manylinux2014_x86_64",
            "--find-links", links, "-o", out)
    (wagon,) = out.glob("*.wgn")
    meta = read_package_json(wagon)
    (built,) = [w for w in meta["wheels"] if w.startswith("pp_cext_ok-")]
    assert runs_on(built, (3, 11), (2, 17))
    with zipfile.ZipFile(wagon) as archive:
        archive.extract(f"cext-user-plugin/wheels/{built}", tmp_path)
    glibc = platform_glibc(auditwheel_policy(tmp_path / "cext-user-plugin" / "wheels" / built))
    assert glibc is not None
    assert glibc <= (2, 17)
    venv = fresh_wagon_venv("3.11")
    venv.wagon("install", wagon)
    assert venv.run_python("import pp_cext_ok; print(pp_cext_ok.answer())").strip() == "42"


def test_sdist_that_cannot_reach_the_floor_is_refused_by_name(tmp_path: Path, run_cli: Run) -> None:
    interpreter("3.11")
    links = tmp_path / "links"
    write_c_sdist(links, "pp-cext-new-glibc", "0.1.0", GETRANDOM_C)
    project = plugin(tmp_path, "pp-cext-new-glibc")
    out = tmp_path / "out"
    proc = run_cli("build", project, "--python", "3.11", "--platform", "manylinux2014_x86_64",
                   "--find-links", links, "-o", out, check=False)
    assert proc.returncode == 4
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("plugin-packager: error: pp-cext-new-glibc 0.1.0 cannot be repaired")
    assert "getrandom@GLIBC_2.25" in last
    assert "manylinux_2_17_x86_64" in last
    assert not out.exists()
