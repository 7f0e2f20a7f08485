"""The catalogs as Cloudify's consumers read them (tests/consumer.py): each default agent profile's
manager gets its wagon, on a site of 2 Pythons x 2 arches and a pre-release."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from packager.cli import main
from tests import consumer, wagons

BASE = "https://plugins.example.com/"
CELLS = [(py, f"manylinux2014_{arch}") for arch in ("aarch64", "x86_64") for py in ("py36", "py311")]
# A manager's "<distribution> <release>" → the wagon it must get (profiles.toml's defaults).
MANAGERS = {
    "rhel 9": ("py311", "x86_64"),  # no label of its own: the first manylinux entry
    "centos AltArch": ("py311", "aarch64"),
    "centos Core": ("py36", "x86_64"),
    "redhat Maipo": ("py36", "x86_64"),
}


def release(dest: Path, version: str) -> Path:
    dest.mkdir(parents=True)
    layout = wagons.hello()
    yaml = wagons.PLUGIN_YAML.replace("'1.0.0'", f"'{version}'").encode()
    for pytag, platform in CELLS:
        wagons.ours(layout.wheels, {"plugin.yaml": yaml}, version=version, pytags=(pytag,),
                    platform=platform).write(dest)
    return dest


def test_each_default_profile_gets_its_wagon_from_both_catalogs(tmp_path: Path) -> None:
    site = tmp_path / "site"
    inputs = [release(tmp_path / "v1.1.0rc1", "1.1.0rc1"), release(tmp_path / "v1.0.0", "1.0.0")]
    done = CliRunner().invoke(main, ["index", *map(str, inputs), "-o", str(site),
                                     "--base-url", BASE])
    assert done.exit_code == 0, done.output
    plugins = json.loads((site / "plugins.json").read_text())
    catalog = json.loads((site / "catalog.json").read_text())
    assert plugins[0]["version"] == catalog[0]["version"] == "1.0.0"  # not the pre-release
    for manager, (pytag, arch) in MANAGERS.items():
        wanted = f"{BASE}hello-plugin/1.0.0/hello_plugin-1.0.0-manylinux-{pytag}-none-" \
                 f"manylinux2014_{arch}.wgn"
        assert consumer.from_plugins_json(plugins, "hello-plugin", manager) == wanted, manager
        assert consumer.from_catalog(catalog, "hello-plugin", manager) == wanted, manager
        assert consumer.from_catalog(catalog, "hello-plugin", manager, "1.1.0rc1") == \
            wanted.replace("1.0.0", "1.1.0rc1"), manager
    rows = catalog[0]["wagon_urls"]
    assert [(r["release"], r["arch"], r["python"]) for r in rows[:4]] == [
        ("manylinux", "x86_64", "3.11"), ("Centos AltArch", "aarch64", "3.11"),
        ("Centos Core", "x86_64", "3.6"), ("Redhat Maipo", "x86_64", "3.6")]
    # Then every wagon not yet under its own label (all four listed), x86_64 first.
    assert [(r["release"], r["arch"], r["python"]) for r in rows[4:]] == [
        ("manylinux", "x86_64", "3.6"), ("manylinux", "aarch64", "3.11"),
        ("manylinux", "aarch64", "3.6")]
    assert [v["prerelease"] for v in catalog[0]["versions"]] == [True, False]


def test_profiles_given_to_index_replace_the_defaults_and_are_kept(tmp_path: Path) -> None:
    site = tmp_path / "site"
    runner = CliRunner()
    first = release(tmp_path / "v1.0.0", "1.0.0")
    done = runner.invoke(main, ["index", str(first), "-o", str(site), "--base-url", BASE,
                                "--profile", "manylinux=aarch64:3.6"])
    assert done.exit_code == 0, done.output
    runner.invoke(main, ["index", str(release(tmp_path / "v1.1.0", "1.1.0")), "-o", str(site)])
    plugins = json.loads((site / "plugins.json").read_text())
    assert [w["name"] for w in plugins[0]["wagons"]][:1] == ["manylinux"]
    assert str(consumer.from_plugins_json(plugins, "hello-plugin", "rhel 9")).endswith(
        "-1.1.0-manylinux-py36-none-manylinux2014_aarch64.wgn")
    bad = runner.invoke(main, ["index", str(first), "-o", str(site), "--profile", "x86_64"])
    assert bad.exit_code == 2
    assert bad.output.splitlines() == [(
        "plugin-packager: error: agent profile 'x86_64' is not LABEL=ARCH:PYTHON (hint: pass"
        ' --profile "LABEL=ARCH:PYTHON", e.g. "Centos AltArch=aarch64:3.11")')]
