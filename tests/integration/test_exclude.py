"""--exclude: a dependency left out on purpose, and install and validate knowing it."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import Run, interpreter, read_package_json, write_plugin


def test_excluded_dependency_is_absent_by_design(tmp_path: Path, run_cli: Run) -> None:
    interpreter("3.11")
    project = write_plugin(tmp_path, "lean-plugin", ["six", "requests"])
    out = tmp_path / "out"
    run_cli("build", project, "--python", "3.11", "--exclude", "Requests", "--validate", "-o", out)
    (wagon,) = out.glob("*.wgn")
    meta = read_package_json(wagon)
    assert meta["plugin_packager"]["exclude"] == ["requests"]
    names = {w.split("-")[0].lower() for w in meta["wheels"]}
    # requests and what only it needs are left out; six stays.
    assert names == {"lean_plugin", "six"}

    for installer in ("uv", "pip"):
        report = json.loads(run_cli("validate", wagon, "--installer", installer, "--json").stdout)
        checks = {c["name"]: c for c in report["wagons"][0]["checks"]}
        assert checks["pip-check:py311"]["status"] == "passed", checks["pip-check:py311"]
        assert "requests, left out by design" in checks["pip-check:py311"]["reason"]
        venv = tmp_path / f"venv-{installer}"
        run_cli("install", wagon, "--venv", venv, "--installer", installer)
        assert list((venv / "lib").glob("python3.11/site-packages/six.py"))


def test_a_foreign_wagon_installs_without_what_it_left_out(tmp_path: Path, run_cli: Run) -> None:
    """validate's foreign room and `install --target-dir` install as a venv does: the packed
    `-r` requirements and --exclude honoured (uv's foreign install once asked for the plugin
    alone, so a left-out requests failed the install of a Windows wagon)."""
    interpreter("3.11")
    project = write_plugin(tmp_path, "lean-plugin", ["pyyaml", "requests"])
    out = tmp_path / "out"
    run_cli("build", project, "--python", "3.11", "--platform", "win_amd64", "--exclude",
            "requests", "-o", out)
    (wagon,) = out.glob("*.wgn")
    report = json.loads(run_cli("validate", wagon, "--json", check=False).stdout)
    checks = {c["name"]: c for c in report["wagons"][0]["checks"]}
    assert checks["install:py311"]["status"] == "passed", checks["install:py311"]
    assert "for win_amd64" in checks["install:py311"]["reason"]
    run_cli("install", wagon, "--target-dir", tmp_path / "site")
    assert (tmp_path / "site" / "yaml").is_dir()
    assert not (tmp_path / "site" / "requests").exists()
