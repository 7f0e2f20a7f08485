"""`index` and `bundle` from the command line: what they print, their exit codes."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path

from click.testing import CliRunner

from packager.cli import main
from tests.unit.test_site_index import ENV, hello, write


def test_index_then_bundle_and_a_refusal_in_one_line(tmp_path: Path) -> None:
    runner = CliRunner(env=ENV)
    wagon = write(hello("1.0.0"), tmp_path / "a")
    site = tmp_path / "site"
    bare = runner.invoke(main, ["index", str(wagon.parent), "-o", str(site)])
    assert bare.exit_code == 2
    assert bare.output == ("plugin-packager: error: catalogs need absolute URLs: consumers fetch"
                           " them from elsewhere (hint: pass --base-url URL (where the site is"
                           " served), or --relative for a local preview)\n")
    assert not site.exists()
    base = "https://plugins.example.com/"
    done = runner.invoke(main, ["index", str(wagon.parent), "-o", str(site), "--title", "Acme",
                                "--base-url", base])
    assert done.exit_code == 0, done.output
    assert json.loads((site / "plugins.json").read_text())[0]["link"].startswith(base)
    assert done.output.endswith(f"{site}: 1 added, 0 unchanged; 1 plugins, 1 wagons\n")
    assert "<title>Acme</title>" in (site / "index.html").read_text()

    other = write(hello("1.0.0", description="Other."), tmp_path / "b")
    refused = runner.invoke(main, ["index", str(other), "-o", str(site)])  # its --base-url kept
    assert refused.exit_code == 5
    (line,) = refused.output.splitlines()[-1:]
    assert line.startswith(f"plugin-packager: error: hello-plugin/1.0.0/{wagon.name} is already")
    assert line.endswith("(hint: publish it under a new version, or pass --replace to overwrite it)")

    bundled = runner.invoke(main, ["bundle", str(site), "-o", str(tmp_path / "b.tgz"),
                                   "--only", "hello-plugin"])
    assert bundled.exit_code == 0, bundled.output
    with tarfile.open(tmp_path / "b.tgz") as archive:
        assert "b/METADATA" in archive.getnames()


def test_serve_refuses_a_directory_without_a_site(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["serve", str(tmp_path), "--port", "0"])
    assert result.exit_code == 2
    assert "holds no index.html (hint: run plugin-packager index first)" in result.output
