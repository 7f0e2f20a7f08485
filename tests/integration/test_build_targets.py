"""hello-plugin and a cloudify-common plugin, built for cp39/cp311/cp313 on manylinux2014_x86_64,
judged by an independent tag oracle, auditwheel and real wagon 1.0.3 on each Python."""

from __future__ import annotations

import hashlib
import json
import tarfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import PROJECTS, ROOT, Run, WagonVenv, copy_project, interpreter, read_package_json
from .floors import auditwheel_policy, platform_glibc, runs_on

PYTHONS = ("3.9", "3.11", "3.13")
PLATFORM = "manylinux2014_x86_64"
CASES = {
    "hello-plugin": (ROOT / "examples" / "hello-plugin", "hello_plugin", {"pyyaml"}),
    "cloudify-common-plugin": (
        PROJECTS / "cloudify-common-plugin",
        "cfy_common_plugin",
        {"aiohttp", "markupsafe", "yarl", "frozenlist", "multidict"},
    ),
}


@pytest.fixture(scope="module", params=sorted(CASES))
def built(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, run_cli: Run
) -> tuple[str, Path]:
    name = request.param
    for version in PYTHONS:
        interpreter(version)
    project = copy_project(CASES[name][0], tmp_path_factory.mktemp(name) / name)
    args = [a for v in PYTHONS for a in ("--python", v)]
    run_cli("build", project, *args, "--platform", PLATFORM, "-o", project / "out")
    return name, project / "out"


def wagon_for(out: Path, version: str) -> Path:
    (path,) = out.glob(f"*-py{version.replace('.', '')}-none-*.wgn")
    return path


def test_one_wagon_per_python_with_sidecars(built: tuple[str, Path]) -> None:
    _, out = built
    wagons = sorted(out.glob("*.wgn"))
    assert len(wagons) == len(PYTHONS)
    for path in wagons:
        data = path.read_bytes()
        assert (out / f"{path.name}.md5").read_text().strip() == hashlib.md5(data).hexdigest()
        assert (out / f"{path.name}.sha256").read_text().strip() == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("version", PYTHONS)
def test_every_wheel_runs_on_manylinux_2_17(built: tuple[str, Path], version: str, tmp_path: Path) -> None:
    name, out = built
    py = (3, int(version.split(".")[1]))
    path = wagon_for(out, version)
    meta = read_package_json(path)
    assert meta["supported_platform"] == PLATFORM
    assert meta["supported_python_versions"] == [f"py3{py[1]}"]
    binaries = set()
    with zipfile.ZipFile(path) as archive:
        archive.extractall(tmp_path)
    for wheel in (tmp_path / meta["package_name"] / "wheels").iterdir():
        assert runs_on(wheel.name, py, (2, 17)), f"{wheel.name} does not run on cp3{py[1]} 2.17"
        if not wheel.name.endswith("-any.whl"):
            binaries.add(wheel.name.split("-")[0].lower())
            glibc = platform_glibc(auditwheel_policy(wheel))
            assert glibc is not None
            assert glibc <= (2, 17), wheel.name
    assert CASES[name][2] <= binaries


@pytest.mark.parametrize("version", PYTHONS)
def test_real_wagon_shows_validates_and_installs(
    built: tuple[str, Path], version: str, fresh_wagon_venv: Callable[[str], WagonVenv]
) -> None:
    name, out = built
    path = wagon_for(out, version)
    meta = read_package_json(path)
    venv = fresh_wagon_venv(version)
    shown = venv.wagon("show", path).stdout
    assert f'"package_version": "{meta["package_version"]}"' in shown
    validated = venv.wagon("validate", path)
    assert "Validation Passed!" in validated.stdout + validated.stderr
    venv.wagon("install", path)
    module = CASES[name][1]
    got = venv.run_python(
        f"import {module}, importlib.metadata as m, sys;"
        f" print(m.version({meta['package_name']!r}), sys.version_info[:2])"
    )
    assert got.split()[0] == meta["package_version"]
    assert f"(3, {version.split('.')[1]})" in got


def test_legacy_setup_py_project_builds_a_pure_wagon(
    tmp_path: Path, run_cli: Run, fresh_wagon_venv: Callable[[str], WagonVenv]
) -> None:
    interpreter("3.11")
    project = copy_project(PROJECTS / "legacy-setup-py", tmp_path / "legacy")
    proc = run_cli("build", project, "--python", "3.11", "--format", "tar.gz", "--json",
                   "-o", tmp_path / "out")
    (wagon,) = (tmp_path / "out").glob("*.wgn")
    report = json.loads(proc.stdout)
    assert report["wagons"][0]["file"] == wagon.name
    assert report["wagons"][0]["sha256"] == hashlib.sha256(wagon.read_bytes()).hexdigest()
    assert json.loads((tmp_path / "out" / "build-report.json").read_text()) == report
    # Every wheel is pure, so the wagon's platform is `any` (SPEC §2).
    assert wagon.name == "legacy_plugin-0.5.2-py311-none-any.wgn"
    with tarfile.open(wagon) as archive:
        names = archive.getnames()
    assert "legacy-plugin/wheels/legacy_plugin-0.5.2-py3-none-any.whl" in names
    assert any(n.startswith("legacy-plugin/wheels/six-") for n in names)
    assert "legacy-plugin/files/plugin.yaml" in names
    venv = fresh_wagon_venv("3.11")
    assert '"supported_platform": "any"' in venv.wagon("show", wagon).stdout
    validated = venv.wagon("validate", wagon)
    assert "Validation Passed!" in validated.stdout + validated.stderr


def test_each_wagon_has_a_valid_cyclonedx_sbom(built: tuple[str, Path]) -> None:
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    _, out = built
    for path in sorted(out.glob("*.wgn")):
        text = (out / f"{path.name}.cdx.json").read_text()
        assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
        sbom = json.loads(text)
        meta = read_package_json(path)
        digests = meta["plugin_packager"]["wheels"]
        components = {c["purl"].split("file_name=")[1]: c for c in sbom["components"]}
        assert set(components) | {sbom["metadata"]["component"]["purl"].split("file_name=")[1]} == set(digests)
        for name, component in components.items():
            assert component["hashes"] == [{"alg": "SHA-256", "content": digests[name]["sha256"]}]
            assert component["purl"].startswith(f"pkg:pypi/{component['name']}@{component['version']}")
        assert any("licenses" in c for c in components.values())
        source = meta["plugin_packager"]["source"]
        assert {p["name"]: p["value"] for p in sbom["metadata"]["properties"]} == {
            f"plugin-packager:source:{k}": v for k, v in source.items() if v is not None}
        assert len(source["tree"]) == 64
