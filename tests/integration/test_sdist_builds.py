"""sdist-only dependencies with C code: built by the target's Python, repaired to the floor,
or refused naming the package, the symbols and the floor."""

from __future__ import annotations

import hashlib
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from ..sdists import (
    CXX11_STRING_CPP,
    GETRANDOM_C,
    PLAIN_C,
    STEPS,
    TWINS,
    write_c_sdist,
    write_meson_steps_sdist,
    write_twin_sdist,
)
from .conftest import Run, WagonVenv, interpreter, read_package_json, write_plugin
from .floors import auditwheel_policy, platform_glibc, runs_on


def plugin(tmp_path: Path, dependency: str) -> Path:
    return write_plugin(tmp_path, "cext-user-plugin", [f"{dependency}==0.1.0"], version="2.0.0")


def cext_plugin(tmp_path: Path, dependency: str, body: str = PLAIN_C) -> tuple[Path, Path]:
    """A plugin on `dependency`, whose C sdist is in the returned find-links directory."""
    interpreter("3.11")
    links = tmp_path / "links"
    write_c_sdist(links, dependency, "0.1.0", body)
    return plugin(tmp_path, dependency), links


def test_sdist_only_c_extension_is_built_and_repaired_to_the_floor(
    tmp_path: Path, run_cli: Run, fresh_wagon_venv: Callable[[str], WagonVenv]
) -> None:
    project, links = cext_plugin(tmp_path, "pp-cext-ok")
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


# auditwheel says only "too-recent versioned symbols"; the error names them, libstdc++'s too.
@pytest.mark.parametrize(("body", "symbol"), [(GETRANDOM_C, "getrandom@GLIBC_2.25"),
                                              (CXX11_STRING_CPP, "@GLIBCXX_3.4.21")])
def test_sdist_that_cannot_reach_the_floor_is_refused_by_name(
    tmp_path: Path, run_cli: Run, body: str, symbol: str
) -> None:
    project, links = cext_plugin(tmp_path, "pp-cext-new-glibc", body)
    out = tmp_path / "out"
    proc = run_cli("build", project, "--python", "3.11", "--platform", "manylinux2014_x86_64",
                   "--find-links", links, "-o", out, check=False)
    assert proc.returncode == 4
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("plugin-packager: error: pp-cext-new-glibc 0.1.0 cannot be repaired")
    assert symbol in last
    assert "too-recent" not in last
    assert "manylinux_2_17_x86_64" in last
    assert not out.exists()


def test_two_cold_builds_in_different_temp_dirs_give_identical_wagons(
    tmp_path: Path, run_cli: Run
) -> None:
    project, links = cext_plugin(tmp_path, "pp-cext-same")
    digests = []
    for run in ("first", "second-run"):
        scratch = tmp_path / run
        (scratch / "tmp").mkdir(parents=True)
        # Empty caches (ours and uv's) and another TMPDIR: nothing is shared between the builds.
        env = {"PLUGIN_PACKAGER_CACHE": str(scratch / "cache"), "TMPDIR": str(scratch / "tmp"),
               "UV_CACHE_DIR": str(scratch / "uv")}
        run_cli("build", project, "--python", "3.11", "--platform", "manylinux2014_x86_64",
                "--find-links", links, "-o", scratch / "out", env=env)
        (wagon,) = (scratch / "out").glob("*.wgn")
        digests.append(hashlib.sha256(wagon.read_bytes()).hexdigest())
    assert digests[0] == digests[1]


def test_one_source_in_two_extensions_gives_the_same_loadable_wagon_twice(
    tmp_path: Path, run_cli: Run
) -> None:
    """pycryptodome's shape (blowfish.c in _raw_blowfish and _raw_eksblowfish): `build_ext
    --parallel` compiled both into one object file at once and linked one into the other."""
    python = interpreter("3.11")
    links = tmp_path / "links"
    write_twin_sdist(links, "pp-twins", "0.1.0")
    project = plugin(tmp_path, "pp-twins")
    digests = []
    for run in ("first", "second"):
        scratch = tmp_path / run
        env = {"PLUGIN_PACKAGER_CACHE": str(scratch / "cache"), "UV_CACHE_DIR": str(scratch / "uv")}
        # -j 2 whatever the runner's cores: what handed build_ext two jobs
        proc = run_cli("build", project, "--python", "3.11", "--platform", "manylinux2014_x86_64",
                       "--find-links", links, "-j", "2", "-o", scratch / "out", env=env,
                       check=False)
        assert proc.returncode == 0, proc.stderr  # the gate loads both modules
        (wagon,) = (scratch / "out").glob("*.wgn")
        digests.append(hashlib.sha256(wagon.read_bytes()).hexdigest())
        checked = run_cli("validate", "--verbose", wagon, env=env)
        assert f"passed   extensions:py311: {len(TWINS)} extension modules of 1 wheels" in checked.stdout
    assert digests[0] == digests[1]
    with zipfile.ZipFile(wagon) as archive:
        (member,) = [n for n in archive.namelist() if "/wheels/pp_twins-" in n]
        archive.extract(member, tmp_path)
    with zipfile.ZipFile(tmp_path / member) as built:
        built.extractall(tmp_path / "site")
    code = ("import sys, importlib; sys.path.insert(0, sys.argv[1]); print(*("
            f"importlib.import_module('pp_twins.' + s).side() for s in {TWINS!r}))")
    said = subprocess.run([python, "-I", "-c", code, tmp_path / "site"],
                          capture_output=True, text=True, check=True, timeout=60)
    assert said.stdout.split() == list(TWINS)


def test_a_meson_build_runs_its_steps_on_the_cores_it_was_given(
    tmp_path: Path, run_cli: Run
) -> None:
    """meson-python runs Ninja on every core unless told: with `-j 1` its four independent
    steps (half a second each) never overlap."""
    interpreter("3.11")
    links = tmp_path / "links"
    write_meson_steps_sdist(links, "pp-meson-steps", "0.1.0")
    project = plugin(tmp_path, "pp-meson-steps")
    steps = tmp_path / "steps.log"
    run_cli("build", project, "--python", "3.11", "--platform", "manylinux2014_x86_64",
            "--find-links", links, "-j", "1", "-o", tmp_path / "out",
            env={"STEPS_LOG": str(steps)})
    assert steps.read_text().split() == ["start", "end"] * len(STEPS)
