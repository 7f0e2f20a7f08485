"""`validate`, `show` and `install` through the real CLI: clean-room installs with real uv and pip,
wagons written by real wagon 1.0.3, hostile archives, and build's own gate."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest

from packager.check.validate import Settings, validate_wagon

from ..wagons import hello, ours, read, tree, wagon_03
from .conftest import PROJECTS, ROOT, Run, WagonVenv, copy_project, interpreter, make_wagon_venv

HELLO_YAML_OP = "hello.hello_plugin.tasks.greet"


def statuses(body: dict[str, Any]) -> dict[str, tuple[str, str]]:
    (wagon,) = body["wagons"]
    return {c["name"]: (c["status"], c["reason"]) for c in wagon["checks"]}


def validate(run_cli: Run, *args: str | Path, env: dict[str, str] | None = None,
             cwd: Path | None = None) -> tuple[int, dict[str, tuple[str, str]]]:
    proc = run_cli("validate", "--json", *args, check=False, env=env, cwd=cwd)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.returncode, statuses(json.loads(proc.stdout))


@pytest.fixture(scope="module")
def hello_wagon(tmp_path_factory: pytest.TempPathFactory, run_cli: Run) -> Path:
    interpreter("3.11")
    out = tmp_path_factory.mktemp("hello-out")
    run_cli("build", ROOT / "examples" / "hello-plugin", "-o", out)
    (path,) = out.glob("*.wgn")
    return path


@pytest.fixture(scope="module")
def cfy_wagon(tmp_path_factory: pytest.TempPathFactory, run_cli: Run) -> Path:
    interpreter("3.11")
    out = tmp_path_factory.mktemp("cfy-out")
    run_cli("build", PROJECTS / "cloudify-common-plugin", "--python", "3.11", "-o", out)
    (path,) = out.glob("*.wgn")
    return path


@pytest.fixture(scope="module")
def wagon_venv(tmp_path_factory: pytest.TempPathFactory) -> WagonVenv:
    return make_wagon_venv("3.11", tmp_path_factory.mktemp("wagon") / "venv")


def test_hello_installs_imports_and_its_operation_is_checked_statically(
    hello_wagon: Path, run_cli: Run
) -> None:
    code, checks = validate(run_cli, hello_wagon)
    assert code == 0
    assert checks["install:py311"][0] == "passed"
    assert checks["pip-check:py311"][0] == "passed"
    assert checks["import:py311"] == ("passed", "imported hello_plugin")
    # hello_plugin.tasks imports cloudify, which agents provide and the wagon does not ship.
    assert checks["operations:plugin.yaml:py311"] == ("warning", (
        f"{HELLO_YAML_OP}: checked statically: hello_plugin/tasks.py binds greet by def"
        " (importing hello_plugin.tasks needs cloudify, which no wheel in the wagon ships)"
    ))
    assert [n for n, (s, _) in checks.items() if s != "passed"] == ["operations:plugin.yaml:py311"]


def test_a_plugin_shipping_cloudify_common_is_imported_for_real(cfy_wagon: Path, run_cli: Run) -> None:
    code, checks = validate(run_cli, cfy_wagon)
    assert code == 0
    assert {s for s, _ in checks.values()} == {"passed"}
    assert checks["operations:plugin.yaml:py311"][1] == (
        "operation mappings imported and looked up as callables: 1"
    )


def test_an_operation_naming_a_missing_function_fails_the_import_check(
    cfy_wagon: Path, run_cli: Run, tmp_path: Path
) -> None:
    layout = read(cfy_wagon)
    layout.files["plugin.yaml"] = layout.files["plugin.yaml"].replace(b"tasks.start", b"tasks.stop")
    code, checks = validate(run_cli, layout.write(tmp_path))
    assert code == 5
    assert checks["operations:plugin.yaml:py311"] == ("failed", (
        "cfy_common.cfy_common_plugin.tasks.stop: AttributeError: module"
        " 'cfy_common_plugin.tasks' has no attribute 'stop'"
    ))


@pytest.mark.parametrize("installer", ["uv", "pip"])
def test_the_clean_room_ignores_the_users_pip_and_uv_settings(
    hello_wagon: Path, run_cli: Run, tmp_path: Path, installer: str
) -> None:
    layout = read(hello_wagon)
    (pyyaml,) = [n for n in layout.wheels if n.startswith("pyyaml-")]
    rescue = tmp_path / "rescue"
    rescue.mkdir()
    (rescue / pyyaml).write_bytes(layout.wheels.pop(pyyaml))
    layout.metadata["wheels"].remove(pyyaml)
    del layout.metadata["plugin_packager"]["wheels"][pyyaml]
    config = tmp_path / "pip.conf"
    config.write_text(f"[global]\nfind-links = {rescue}\n")
    env = {"PIP_FIND_LINKS": str(rescue), "PIP_CONFIG_FILE": str(config),
           "UV_FIND_LINKS": str(rescue), "PIP_NO_INDEX": "0"}
    code, checks = validate(run_cli, "--installer", installer, layout.write(tmp_path), env=env)
    assert code == 5
    status, reason = checks["install:py311"]
    assert status == "failed"
    assert reason.startswith(f"{installer} could not install hello-plugin==1.0.0: ")
    assert "pyyaml" in reason.lower()
    # No import probe ran, so the operations were read statically: tasks.py imports yaml, gone.
    # The run-time checks say they did not run, as a foreign target's do (one path for both).
    assert {n: s for n, (s, _) in checks.items() if s != "passed"} == {
        "install:py311": "failed", "operations:plugin.yaml": "failed",
        "import:py311": "skipped", "operations:plugin.yaml:py311": "skipped",
    }
    assert checks["import:py311"][1] == "not run: the install failed"
    assert "hello_plugin/tasks.py imports yaml, which neither" in checks["operations:plugin.yaml"][1]


def test_without_qemu_a_foreign_target_is_installed_for_it_and_not_run(
    run_cli: Run, tmp_path: Path
) -> None:
    interpreter("3.11")
    run_cli("build", ROOT / "examples" / "hello-plugin", "--platform", "manylinux2014_aarch64",
            "-o", tmp_path)
    (wagon,) = tmp_path.glob("*.wgn")
    code, checks = validate(run_cli, wagon, env={"PATH": str(tmp_path / "no-qemu-here")})
    assert code == 6
    status, reason = checks["install:py311"]
    assert status == "passed"
    assert "into a target directory for manylinux2014_aarch64" in reason
    for name in ("import:py311", "operations:plugin.yaml:py311"):
        status, reason = checks[name]
        assert status == "skipped"
        assert "neither qemu-aarch64-static nor qemu-aarch64 is on PATH" in reason
        assert "apt-get install qemu-user-static" in reason
    assert checks["tags"] == ("passed", "every wheel's tags fit cp311-manylinux2014_aarch64")


def test_a_python_missing_here_is_skipped_by_name(
    hello_wagon: Path, run_cli: Run, tmp_path: Path
) -> None:
    env = {"PATH": str(tmp_path / "nothing"), "PYENV_ROOT": str(tmp_path / "no-pyenv")}
    code, checks = validate(run_cli, hello_wagon, env=env)
    assert code == 6
    status, reason = checks["install:py311"]
    assert status == "skipped"
    assert reason.startswith("no Python 3.11 here (no interpreter for Python 3.11")
    assert checks["operations:plugin.yaml"][0] == "passed"  # read statically instead


def test_build_validate_runs_the_clean_room_and_the_config_key_too(
    run_cli: Run, tmp_path: Path
) -> None:
    interpreter("3.11")
    project = ROOT / "examples" / "hello-plugin"
    proc = run_cli("build", project, "--validate", "-o", tmp_path / "a")
    assert f"warning  operations:plugin.yaml:py311: {HELLO_YAML_OP}: checked statically" in proc.stderr
    proc = run_cli("build", project, "-o", tmp_path / "b", env={"PLUGIN_PACKAGER_VALIDATE": "1"})
    assert "operations:plugin.yaml:py311" in proc.stderr
    # Without the clean room, a top-level def is all there is to find: the gate says nothing.
    proc = run_cli("build", project, "-o", tmp_path / "c")
    assert "operations:plugin.yaml" not in proc.stderr
    assert ":py311" not in proc.stderr


def test_build_refuses_a_yaml_whose_operation_has_no_function(run_cli: Run, tmp_path: Path) -> None:
    interpreter("3.11")
    project = copy_project(ROOT / "examples" / "hello-plugin", tmp_path / "hello")
    path = project / "plugin.yaml"
    path.write_text(path.read_text().replace("tasks.greet", "tasks.farewell"))
    out = tmp_path / "out"
    proc = run_cli("build", project, "-o", out, check=False)
    assert proc.returncode == 5
    assert proc.stderr.strip().splitlines()[-1] == (
        "plugin-packager: error: hello_plugin-1.0.0-manylinux-py311-none-manylinux2014_x86_64.wgn"
        " fails validation: operations:plugin.yaml: hello.hello_plugin.tasks.farewell:"
        " hello_plugin/tasks.py defines no farewell (hint: fix the project; plugin-packager"
        " validate --verbose WAGON shows every check)"
    )
    assert not out.exists()


@pytest.fixture(scope="module")
def real_wagons(tmp_path_factory: pytest.TempPathFactory, wagon_venv: WagonVenv) -> dict[str, Path]:
    """legacy-setup-py packed by real wagon 1.0.3, as zip and as tar.gz, with its plugin.yaml."""
    base = tmp_path_factory.mktemp("real")
    project = copy_project(PROJECTS / "legacy-setup-py", base / "legacy")
    made = {}
    for fmt in ("zip", "tar.gz"):
        out = base / fmt
        # `setup.py --name` runs in the working directory, which must not hold another project.
        wagon_venv.wagon("create", project, "-o", out, "-f", "-t", fmt,
                         "--add-file", project / "plugin.yaml", cwd=project)
        (made[fmt],) = out.glob("*.wgn")
    return made


@pytest.mark.parametrize("fmt", ["zip", "tar.gz"])
def test_a_wagon_made_by_wagon_1_0_3_validates_and_shows(
    real_wagons: dict[str, Path], run_cli: Run, fmt: str
) -> None:
    code, checks = validate(run_cli, real_wagons[fmt])
    assert code == 0
    assert {n: s for n, (s, _) in checks.items() if s != "passed"} == {"digests": "warning"}
    assert checks["install:py311"][0] == "passed"
    shown = json.loads(run_cli("show", "--json", real_wagons[fmt]).stdout)
    assert shown["container"] == fmt
    assert shown["created_by"] == "wagon 1.0.3"
    assert shown["targets"] == ["py311-any"]
    assert shown["wheels"][0]["file"] == "legacy_plugin-0.5.2-py3-none-any.whl"
    text = run_cli("show", real_wagons[fmt]).stdout
    assert text.startswith("legacy-plugin 0.5.2  (legacy_plugin-0.5.2-py311-none-any.wgn")


def test_a_wagon_0_3_archive_validates_with_warnings_and_skips_python_2(
    real_wagons: dict[str, Path], run_cli: Run, tmp_path: Path
) -> None:
    shown = json.loads(run_cli("show", "--json", real_wagons["zip"]).stdout)
    with zipfile.ZipFile(real_wagons["zip"]) as archive:
        wheels = {w["file"]: archive.read(f"legacy-plugin/wheels/{w['file']}")
                  for w in shown["wheels"]}
    layout = wagon_03(wheels, ["py27", "py311"], "any")
    wagon = layout.write(tmp_path, "tar.gz")
    code, checks = validate(run_cli, wagon)
    assert code == 6
    assert checks["install:py27"] == ("skipped", "py27: clean-room installs need CPython 3")
    assert checks["install:py311"][0] == "passed"
    assert not [n for n, (s, _) in checks.items() if s == "failed"]
    assert checks["metadata"][0] == "warning"
    shown = json.loads(run_cli("show", "--json", wagon).stdout)
    assert shown["targets"] == ["py311-any", "py27-any"]


def test_install_creates_the_venv_and_pins_the_plugin_version(
    hello_wagon: Path, run_cli: Run, tmp_path: Path
) -> None:
    venv = tmp_path / "venv"
    proc = run_cli("install", hello_wagon, "--venv", venv)
    assert proc.stdout.strip() == f"installed hello-plugin 1.0.0 into {venv} (Python 3.11)"
    got = subprocess.run(
        [venv / "bin" / "python", "-c",
         "import hello_plugin, importlib.metadata as m; print(m.version('hello-plugin'))"],
        capture_output=True, text=True, check=True,
    ).stdout
    assert got.strip() == "1.0.0"


def test_install_refuses_a_venv_of_another_python(
    hello_wagon: Path, run_cli: Run, tmp_path: Path
) -> None:
    subprocess.run([interpreter("3.13"), "-m", "venv", "--without-pip", tmp_path / "v313"],
                   check=True)
    proc = run_cli("install", hello_wagon, "--venv", tmp_path / "v313", check=False)
    assert proc.returncode == 2
    assert "hello-plugin 1.0.0 is for py311; the venv runs Python 3.13" in proc.stderr
    assert not list((tmp_path / "v313").glob("lib/python3.13/site-packages/hello_plugin*"))


def test_install_accepts_pep_600_platforms_that_wagon_1_0_3_rejects(
    hello_wagon: Path, run_cli: Run, tmp_path: Path, wagon_venv: WagonVenv
) -> None:
    layout = read(hello_wagon)
    layout.metadata["supported_platform"] = "manylinux_2_17_x86_64"
    wagon = layout.write(tmp_path, name="pep600.wgn")
    refused = wagon_venv.wagon("install", wagon, check=False)
    assert "Platform unsupported for wagon" in refused.stdout + refused.stderr
    run_cli("install", wagon, "--venv", tmp_path / "venv")
    layout.metadata["supported_platform"] = "manylinux_2_99_x86_64"
    proc = run_cli("install", layout.write(tmp_path, name="future.wgn"), "--venv",
                   tmp_path / "other", check=False)
    assert proc.returncode == 2
    assert "is built for manylinux_2_99_x86_64; this machine is x86_64 with glibc" in proc.stderr
    assert not (tmp_path / "other").exists()


@pytest.mark.parametrize("command", ["validate", "show", "install"])
def test_a_hostile_archive_writes_nothing_outside_the_temp_dir(
    hello_wagon: Path, run_cli: Run, tmp_path: Path, command: str
) -> None:
    layout = read(hello_wagon)
    layout.files["../../../../escaped.txt"] = b"pwned"
    wagon = layout.write(tmp_path)
    for name in ("temp", "cwd", "venv"):
        (tmp_path / name).mkdir()
    before = tree(tmp_path)
    env = {"TMPDIR": str(tmp_path / "temp")}
    args = ["--venv", str(tmp_path / "venv")] if command == "install" else []
    proc = run_cli(command, wagon, *args, check=False, env=env, cwd=tmp_path / "cwd")
    assert proc.returncode == 5
    assert "points outside the archive ('..')" in proc.stdout + proc.stderr
    assert tree(tmp_path) == before
    assert not Path(os.sep, "escaped.txt").exists()



NATIVE = "pp_native/native.cpython-311-x86_64-linux-gnu.so"
UNDEFINED_C = "extern int pp_nowhere(void);\nint PyInit_native(void) { return pp_nowhere(); }\n"


def native_wagon(tmp_path: Path, sources: dict[str, str]) -> Path:
    """hello's wagon with one more wheel, which nothing requires (no install loads it), holding
    each member compiled here from its source."""
    if shutil.which("gcc") is None:
        pytest.skip("no gcc on this machine")
    wheel = tmp_path / "pp_native-1.0-cp311-cp311-manylinux2014_x86_64.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("pp_native-1.0.dist-info/METADATA",
                         "Metadata-Version: 2.1\nName: pp-native\nVersion: 1.0\n")
        archive.writestr("pp_native-1.0.dist-info/WHEEL",
                         "Wheel-Version: 1.0\nRoot-Is-Purelib: false\n")
        archive.writestr("pp_native/__init__.py", "")
        for n, (member, source) in enumerate(sources.items()):
            (tmp_path / f"{n}.c").write_text(source)
            subprocess.run(["gcc", "-shared", "-fPIC", "-o", tmp_path / f"{n}.so",
                            tmp_path / f"{n}.c"], check=True, capture_output=True)
            archive.write(tmp_path / f"{n}.so", member)
    base = hello()
    layout = ours({**base.wheels, wheel.name: wheel.read_bytes()}, base.files)
    (tmp_path / "out").mkdir()
    return layout.write(tmp_path / "out")


@pytest.mark.parametrize(("source", "why"), [
    (UNDEFINED_C, "undefined symbol: pp_nowhere"),
    ("int PyInit_other(void) { return 0; }\n", "defines PyInit_other, not PyInit_native"),
    ("static int nothing;\n", "defines no symbol at all (an empty build)"),
])
def test_an_extension_module_that_cannot_load_fails_validate_and_the_build_gate(
    run_cli: Run, tmp_path: Path, source: str, why: str
) -> None:
    interpreter("3.11")
    wagon = native_wagon(tmp_path, {NATIVE: source})
    code, checks = validate(run_cli, wagon)
    assert code == 5
    status, reason = checks["extensions:py311"]
    assert status == "failed"
    assert reason.startswith(f"{NATIVE} (pp_native-1.0-cp311-cp311-manylinux2014_x86_64.whl): ")
    assert why in reason
    # build's gate, without a clean room, loads it too
    gate = validate_wagon(wagon, dict(os.environ), settings=Settings(clean_room=False))
    (loaded,) = [c for c in gate.checks if c.name == "extensions:py311"]
    assert (loaded.status.value, loaded.reason) == ("failed", reason)


def test_two_libraries_defining_the_same_symbols_fail_validate(run_cli: Run, tmp_path: Path) -> None:
    """pycryptodome 3.9.7's race: _raw_blowfish linked with _raw_eksblowfish's object (libraries
    for ctypes, without PyInit_, so only their symbols tell)."""
    interpreter("3.11")
    eks = "int EKSBlowfish_start_operation(void) { return 1; }\n"
    wagon = native_wagon(tmp_path, {
        "pp_native/_raw_blowfish.cpython-311-x86_64-linux-gnu.so": eks,
        "pp_native/_raw_eksblowfish.cpython-311-x86_64-linux-gnu.so": eks,
        "pp_native/_raw_aes.cpython-311-x86_64-linux-gnu.so": "int AES_start_operation(void) { return 2; }\n",
    })
    code, checks = validate(run_cli, wagon)
    assert code == 5
    assert checks["extensions:py311"] == ("failed", (
        "pp_native/_raw_blowfish.cpython-311-x86_64-linux-gnu.so and"
        " pp_native/_raw_eksblowfish.cpython-311-x86_64-linux-gnu.so"
        " (pp_native-1.0-cp311-cp311-manylinux2014_x86_64.whl) define the same symbols"
        " (EKSBlowfish_start_operation): one source compiled into both at once?"))
