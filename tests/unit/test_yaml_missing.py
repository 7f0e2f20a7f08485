"""A plugin without plugin.yaml but with other YAMLs: `build` and `index` warn. `bundle` leaves out
wagons without any YAML and refuses a bundle left empty (one line, exit 2, nothing written)."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path

from click.testing import CliRunner

from packager.cli import main
from packager.wagon.plugin_yaml import missing_yaml_warning
from tests.unit.test_site_catalogs import HOSTED
from tests.unit.test_site_index import ENV, hello, write

BASE = "https://plugins.example.com/"


def test_build_warns_when_only_other_yamls_name_the_plugin(tmp_path: Path) -> None:
    yamls = [tmp_path / "v2_plugin.yaml", tmp_path / "plugin_1_5.yaml"]
    warning = missing_yaml_warning(tmp_path, yamls, yamls, "hello-plugin")
    assert warning == (f"no plugin.yaml in {tmp_path} (only v2_plugin.yaml, plugin_1_5.yaml): the"
                       " catalogs' `link` is null and managers before DSL 1_4 cannot use the"
                       " plugin; generate it with `plugin-packager yaml`")
    assert missing_yaml_warning(tmp_path, [tmp_path / "plugin.yaml", *yamls],
                                [tmp_path / "plugin.yaml", *yamls], "hello-plugin") is None


def test_index_warns_and_bundle_takes_the_other_yaml(tmp_path: Path) -> None:
    layout = hello("1.0.0")
    layout.files["v2_plugin.yaml"] = layout.files.pop("plugin.yaml")
    wagon = write(layout, tmp_path / "a")
    site = tmp_path / "site"
    runner = CliRunner(env=ENV)
    done = runner.invoke(main, ["index", str(wagon), "-o", str(site), "--base-url", BASE])
    assert done.exit_code == 0, done.output
    assert (f"warning: {wagon.name} has no plugin.yaml (only v2_plugin.yaml): plugins.json's "
            "link is null") in done.output.splitlines()
    for source in (site, wagon.parent):
        out = tmp_path / f"{source.name}.tgz"
        bundled = runner.invoke(main, ["bundle", str(source), "-o", str(out)])
        assert bundled.output.splitlines() == [f"{out}: 1 wagons"]
        with tarfile.open(out) as archive:
            metadata = archive.extractfile(f"{source.name}/METADATA")
            assert metadata is not None
            assert json.loads(metadata.read()) == {
                f"hello-plugin/1.0.0/{wagon.name}": "hello-plugin/1.0.0/v2_plugin.yaml"}


def test_bundle_leaves_out_wagons_without_a_yaml_and_refuses_an_empty_bundle(
    tmp_path: Path
) -> None:
    bare = hello("1.0.0", name="bare-plugin")
    bare.files.clear()
    inputs = [write(hello("1.0.0"), tmp_path / "a"), write(bare, tmp_path / "a")]
    runner = CliRunner(env=ENV)
    done = runner.invoke(main, ["bundle", str(tmp_path / "a"), "-o", str(tmp_path / "b.tgz")])
    assert done.exit_code == 0, done.output
    assert done.output.splitlines() == [
        f"warning: bare-plugin 1.0.0: {inputs[1].name} has no plugin YAML, left out of the bundle",
        f"{tmp_path / 'b.tgz'}: 1 wagons"]

    site = tmp_path / "site"
    runner.invoke(main, ["index", str(inputs[1]), "-o", str(site), "--base-url", BASE])
    for source in (inputs[1], site):
        refused = runner.invoke(main, ["bundle", str(source), "-o", str(tmp_path / "e.tgz")])
        assert refused.exit_code == 2
        assert refused.output.splitlines()[-1] == (
            "plugin-packager: error: nothing to bundle: none of the 1 wagons has a plugin YAML"
            " (hint: build the wagons with plugin.yaml (plugin-packager yaml writes it))")
        assert not (tmp_path / "e.tgz").exists()


def test_a_site_whose_wagons_are_hosted_elsewhere_is_not_bundled(tmp_path: Path) -> None:
    site = tmp_path / "site"
    runner = CliRunner(env=ENV)
    wagon = write(hello("1.0.0"), tmp_path / "v1.0.0")
    runner.invoke(main, ["index", str(wagon), "-o", str(site), "--base-url", BASE,
                         "--wagon-url", HOSTED])
    refused = runner.invoke(main, ["bundle", str(site), "-o", str(tmp_path / "b.tgz")])
    assert refused.exit_code == 2
    assert refused.output.splitlines()[-1].endswith(
        "from https://github.com/acme/hello/releases/download/v1.0.0/"
        f"{wagon.name}, not from the site (hint: bundle the release's build output directories"
        " instead)")
