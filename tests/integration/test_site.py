"""`index` on real wagons: two builds of examples/hello-plugin and one made by wagon 1.0.3, in two
runs; a refusal; a `kill -9` in the middle of a run."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests import sitecheck, wagons

from .conftest import PROJECTS, ROOT, Run, copy_project, interpreter, make_wagon_venv

HELLO = ROOT / "examples" / "hello-plugin"
SUMMARY = "A small Cloudify plugin: one operation that greets and records the greeting."


def hello_version(base: Path, version: str) -> Path:
    """examples/hello-plugin at `version`: pyproject.toml and plugin.yaml both bumped."""
    project = copy_project(HELLO, base / f"hello-{version}")
    for name, old, new in (("pyproject.toml", 'version = "1.0.0"', f'version = "{version}"'),
                           ("plugin.yaml", "package_version: '1.0.0'",
                            f"package_version: '{version}'")):
        text = (project / name).read_text()
        assert old in text
        (project / name).write_text(text.replace(old, new))
    return project


BUILT = ("1700000000", "2023-11-14T22:13:20Z")


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory, run_cli: Run) -> dict[str, Path]:
    """Build output directories of hello-plugin 1.0.0 and 1.1.0, and a wagon 1.0.3 wagon."""
    interpreter("3.11")
    base = tmp_path_factory.mktemp("site-inputs")
    made = {}
    for version, epoch in (("1.0.0", {}), ("1.1.0", {"SOURCE_DATE_EPOCH": BUILT[0]})):
        made[version] = base / f"dist-{version}"
        run_cli("build", hello_version(base, version), "-o", made[version], env=epoch)
    venv = make_wagon_venv("3.11", base / "wagon-venv")
    legacy = copy_project(PROJECTS / "legacy-setup-py", base / "legacy")
    venv.wagon("create", legacy, "-o", base / "legacy-out", "-f", "--add-file",
               legacy / "plugin.yaml", cwd=legacy)
    (made["legacy"],) = (base / "legacy-out").glob("*.wgn")
    return made


def test_two_runs_index_builds_and_a_wagon_1_0_3_wagon(
    inputs: dict[str, Path], run_cli: Run, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    first = run_cli("index", inputs["1.0.0"], inputs["legacy"], "-o", site, "--relative")
    assert first.stdout.strip().endswith("2 added, 0 unchanged; 2 plugins, 2 wagons")
    before = sitecheck.check_site(site)
    assert {e["name"]: e["version"] for e in before["plugins.json"]} == {
        "hello-plugin": "1.0.0", "legacy-plugin": "0.5.2"}

    run_cli("index", inputs["1.1.0"], "-o", site, "--relative")
    data = sitecheck.check_site(site)
    plugins = {e["name"]: e for e in data["plugins.json"]}
    hello = plugins["hello-plugin"]
    assert (hello["version"], hello["description"]) == ("1.1.0", SUMMARY)
    assert hello["link"] == "hello-plugin/1.1.0/plugin.yaml"
    catalog = {e["name"]: e for e in data["catalog.json"]}
    # Dated by its build's SOURCE_DATE_EPOCH (none for 1.0.0), never by the index run.
    assert [(v["version"], v["published"]) for v in catalog["hello-plugin"]["versions"]] == [
        ("1.1.0", BUILT[1]), ("1.0.0", None)]
    # A pure wagon serves every profile whose Python it holds, whatever the arch.
    assert [(w["release"], w["arch"]) for w in catalog["legacy-plugin"]["wagon_urls"]] == [
        ("manylinux", "any"), ("Centos AltArch", "any")]
    assert plugins["legacy-plugin"]["link"] == "legacy-plugin/0.5.2/plugin.yaml"
    (v2,) = [e for e in data["v2_plugins.json"] if e["name"] == "hello-plugin"]
    assert v2["yaml"] == hello["yaml"]  # no v2_plugin.yaml: the 1_3 file serves both

    # A Cloudify UI on a manager without a matching distribution label takes manylinux.
    url = sitecheck.pick_wagon(data["plugins.json"], "hello-plugin", "rhel", "9")
    (wagon,) = inputs["1.1.0"].glob("*.wgn")
    alone = tmp_path / "alone" / wagon.name  # no build report beside it: the wagon says it
    alone.parent.mkdir()
    shutil.copyfile(wagon, alone)
    run_cli("index", alone, "-o", tmp_path / "other", "--relative")
    (entry,) = sitecheck.check_site(tmp_path / "other")["catalog.json"]
    assert entry["versions"][0]["published"] == BUILT[1]
    assert sitecheck.local(site, url).read_bytes() == wagon.read_bytes()
    assert (site / "hello-plugin" / "1.1.0" / f"{wagon.name}.cdx.json").is_file()
    page = (site / "hello-plugin" / "index.html").read_text()
    assert page.count('class="wagon"') == 2
    assert "SBOM</a>" in page
    assert (site / "feed.xml").read_text().count("<entry>") == 3


def test_a_rebuilt_release_under_the_same_name_is_refused_in_one_line(
    inputs: dict[str, Path], run_cli: Run, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    run_cli("index", inputs["1.1.0"], "-o", site, "--relative")
    project = hello_version(tmp_path, "1.1.0")
    run_cli("build", project, "-o", tmp_path / "again",
            env={"PLUGIN_PACKAGER_DESCRIPTION": "Greets, now better."})
    refused = run_cli("index", tmp_path / "again", "-o", site, "--relative", check=False)
    assert refused.returncode == 5
    (line,) = refused.stderr.strip().splitlines()[-1:]
    assert len(re.findall(r"sha256 [0-9a-f]{64}", line)) == 2, line
    assert "--replace" in line
    run_cli("index", tmp_path / "again", "-o", site, "--relative", "--replace")
    (hello,) = sitecheck.check_site(site)["plugins.json"]
    assert hello["description"] == "Greets, now better."


def fake_wagons(dest: Path, plugins: int, padding: int) -> list[Path]:
    """Small wagons of fake plugins, each padded with `padding` random bytes."""
    dest.mkdir()
    made = []
    for number in range(plugins):
        name = f"fake-{number:03d}"
        wheel = wagons.wheel_bytes(name, "1.0.0", {"pad.txt": os.urandom(padding).hex()})
        layout = wagons.ours({f"{name.replace('-', '_')}-1.0.0-py3-none-any.whl": wheel}, {},
                             name=name)
        made.append(layout.write(dest))
    return made


# `plugin-packager` that ends at once (os._exit: as kill -9, nothing cleans up) right after
# `index` has staged its first new wagon: the point a kill while copying leaves behind, every
# time (polling for the file raced the copy once wagons came to be hard-linked).
DIES_STAGING = """
import os, runpy
from packager.site import state
real = state.Transaction._write
def write(self, staged, data):
    real(self, staged, data)
    if staged.startswith("new/fake-") and staged.endswith(".wgn"):
        os._exit(9)
state.Transaction._write = write
runpy.run_module("packager", run_name="__main__")
"""


def index_and_kill(site: Path, fakes: Path) -> None:
    """`index` of `fakes` into `site`, ended as by kill -9 once its first new wagon is staged."""
    proc = subprocess.run([sys.executable, "-c", DIES_STAGING, "index", str(fakes), "-o",
                           str(site), "--relative"], capture_output=True, text=True,
                          timeout=600, check=False)
    assert proc.returncode == 9, proc.stderr
    assert any((site / ".site-state" / "txn" / "new").glob("fake-*/1.0.0/*.wgn"))


def test_kill_9_while_copying_leaves_the_old_site_and_the_next_run_succeeds(
    inputs: dict[str, Path], run_cli: Run, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    run_cli("index", inputs["1.0.0"], "-o", site, "--relative")
    old = {p: p.read_bytes() for p in site.rglob("*") if p.is_file() and ".site-state" not in
           p.parts}
    fake_wagons(tmp_path / "fakes", 150, 100_000)
    index_and_kill(site, tmp_path / "fakes")
    for path, body in old.items():
        assert path.read_bytes() == body, path
    assert [e["name"] for e in sitecheck.check_site(site)["plugins.json"]] == ["hello-plugin"]

    run_cli("index", tmp_path / "fakes", "-o", site, "--relative")
    data = sitecheck.check_site(site)
    assert len(data["plugins.json"]) == 151
    assert not (site / ".site-state" / "txn").exists()


def test_kill_9_while_worker_processes_read_leaves_no_process_holding_the_site(
    inputs: dict[str, Path], run_cli: Run, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    run_cli("index", inputs["1.0.0"], "-o", site, "--relative")
    fake_wagons(tmp_path / "fakes", 600, 20_000)  # past POOL_FROM * 2: read in a pool
    index_and_kill(site, tmp_path / "fakes")
    start = time.monotonic()
    run_cli("index", tmp_path / "fakes", "-o", site, "--relative")
    assert time.monotonic() - start < 60  # the killed run's workers did not keep the lock
    assert len(sitecheck.check_site(site)["plugins.json"]) == 601
