"""Names read from input the tool did not write become file names only when they are plain ones
(issue 20, items 3 and 5): a wagon's file name, a site's state, a catalog, a build tag."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from packager.cli import main
from packager.site.index import index_site
from tests.unit.test_site_index import ENV, PREVIEW, hello, write


@pytest.mark.parametrize("char", ["\t", "\n", "\r", "\x1b", "\u2028"])
def test_index_refuses_a_wagon_named_with_a_control_character_and_the_site_stays_indexable(
    tmp_path: Path, char: str
) -> None:
    site = tmp_path / "site"
    index_site([write(hello("1.0.0"), tmp_path / "a")], site, PREVIEW)
    made = write(hello("1.1.0"), tmp_path / "b")
    bad = made.rename(made.with_name(f"hello{char}1.1.0.wgn"))
    runner = CliRunner(env=ENV)
    for given in (bad, bad.parent):
        refused = runner.invoke(main, ["index", str(given), "-o", str(site), "--relative"])
        assert refused.exit_code == 5, refused.output
        (line,) = refused.output.splitlines()
        assert line.startswith(f"plugin-packager: error: {bad.parent}: wagon file"
                               f" {bad.name!r} is not a plain file name"), line
    later = index_site([write(hello("1.2.0"), tmp_path / "c")], site, PREVIEW)
    assert (later.plugins, later.wagons) == (1, 2)
    assert index_site([write(hello("1.3.0"), tmp_path / "d")], site, PREVIEW).wagons == 3


def _indexed(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    index_site([write(hello("1.0.0"), tmp_path / "a")], site, PREVIEW)
    return site


@pytest.mark.parametrize("key", ["file", "version", "yamls"])
def test_a_site_whose_state_names_a_path_is_refused(tmp_path: Path, key: str) -> None:
    """A hostile site's state names a file outside it: bundle would have packed that file."""
    site = _indexed(tmp_path)
    (tmp_path / "secret").write_text("not for the bundle")
    path = site / ".site-state/plugins/hello-plugin.json"
    data = json.loads(path.read_text())
    release = data["releases"][0]
    if key == "file":
        release["wagons"][0]["file"] = "../../../secret"
    elif key == "version":
        release["version"] = "../../secret/.."
    else:
        release["yamls"] = ["../../../secret"]
    path.write_text(json.dumps(data))
    out = tmp_path / "bundle.tgz"
    result = CliRunner(env=ENV).invoke(main, ["bundle", str(site), "-o", str(out)])
    assert result.exit_code == 5, result.output
    (line,) = result.output.splitlines()
    assert line.startswith(f"plugin-packager: error: {path}: "), line
    assert "is not a plain file name" in line
    assert not out.exists()


def test_a_site_whose_rows_name_a_path_is_refused(tmp_path: Path) -> None:
    site = _indexed(tmp_path)
    (tmp_path / "evil.json").write_text('{"name": "evil", "releases": [], "files": {}}')
    rows = site / ".site-state/rows.tsv"
    rows.write_text(rows.read_text() + "../../evil\t<li>evil</li>\n")
    result = CliRunner(env=ENV).invoke(main, ["index", str(tmp_path / "a"), "-o", str(site),
                                              "--title", "Restyled", "--relative"])
    assert result.exit_code == 5, result.output
    assert f"{rows}: plugin name '../../evil' is not a plain file name" in result.output


@pytest.mark.parametrize(("manifest", "says"), [
    ([["1-y", "y"], ["0-x", "../outside"]], "'../outside', '..' is not a plain file name"),
    ([["1-y", "y"], ["0-x", "/abs/outside"]], "'/abs/outside', '' is not a plain file name"),
    ([["1-y", "y", "z"]], "unreadable site state"),
    ({"1-y": "y"}, "unreadable site state"),
])
def test_a_site_whose_manifest_names_a_path_outside_it_moves_nothing(
    tmp_path: Path, manifest: object, says: str
) -> None:
    """A crash leaves a manifest that the next run completes; a hostile one must not move a file
    out of the site."""
    site = _indexed(tmp_path)
    outside = tmp_path / "outside"
    outside.write_text("precious")
    txn = site / ".site-state/txn"
    txn.mkdir()
    (txn / "0-x").write_text("planted")
    (txn / "1-y").write_text("planted too")
    (txn / "manifest.json").write_text(json.dumps(manifest))
    result = CliRunner(env=ENV).invoke(main, ["index", str(tmp_path / "a"), "-o", str(site),
                                              "--relative"])
    assert result.exit_code == 5, result.output
    (line,) = result.output.splitlines()
    assert says in line, line
    assert outside.read_text() == "precious"
    assert not (site / "y").exists()


@pytest.mark.parametrize("tag", ["x/y", "a\nb", "..", "a\tb"])
@pytest.mark.parametrize("layer", ["flag", "env", "pyproject"])
def test_a_build_tag_that_is_no_plain_name_is_a_config_error_before_any_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tag: str, layer: str
) -> None:
    def build_wagons(*args: object, **kwargs: object) -> None:
        raise AssertionError("the build started")

    monkeypatch.setattr("packager.builder.pipeline.build_wagons", build_wagons)
    table = f"[tool.plugin-packager]\nbuild-tag = {json.dumps(tag)}\n" if layer == "pyproject" else ""
    (tmp_path / "pyproject.toml").write_text(f'[project]\nname = "p"\nversion = "1"\n{table}')
    env = {"PLUGIN_PACKAGER_BUILD_TAG": tag} if layer == "env" else {}
    flags = ["--build-tag", tag] if layer == "flag" else []
    result = CliRunner(env=env).invoke(main, ["build", str(tmp_path), *flags])
    assert result.exit_code == 2, result.output
    (line,) = result.output.splitlines()
    where = {"flag": "option --build-tag", "env": "environment variable PLUGIN_PACKAGER_BUILD_TAG",
             "pyproject": "[tool.plugin-packager]"}[layer]
    assert where in line
    assert f"build-tag {tag!r} is not a plain file name" in line


@pytest.mark.parametrize("field", ["name", "version", "url"])
@pytest.mark.parametrize("bad", ["..", 5, "v" * 300, "a\nb"])
def test_diff_refuses_a_site_catalog_naming_no_plain_file(tmp_path: Path, field: str,
                                                          bad: object) -> None:
    from packager.errors import ArchiveError
    from packager.release.diff import diff_releases

    site = tmp_path / "site"
    site.mkdir()
    entry: dict[str, object] = {"name": "p", "version": "1", "wagon_urls": [{"url": "p.wgn"}]}
    if field == "url":
        entry["wagon_urls"] = [{"url": f"p/1/{bad}" if isinstance(bad, str) else bad}]
    else:
        entry[field] = bad
    (site / "catalog.json").write_text(json.dumps([entry]))
    with pytest.raises(ArchiveError, match=r"catalog\.json"):  # not a TypeError or ENAMETOOLONG
        diff_releases(site, site)


@pytest.mark.parametrize("bad", ["--target=/tmp/x", "-e .", "/abs/x.whl", "../x.whl",
                                 "x @ file:///home/user/project", "x @ https://example.org/x.whl"])
def test_a_requirement_in_package_json_is_one_by_name_or_refused(bad: str) -> None:
    from packager.errors import ArchiveError
    from packager.wagon.metadata import parse_metadata
    from tests import wagons

    layout = wagons.hello()
    good = ["six==1.16.0", "pyyaml>=6; python_version >= '3.8'", "requests[socks]"]
    layout.metadata["plugin_packager"]["requirements"] = {"py311": good, "py312": [*good, bad]}
    meta = parse_metadata(layout.metadata, "w.wgn")
    assert meta.requirements("py311") == good
    assert meta.pinned == "hello-plugin==1.0.0"
    with pytest.raises(ArchiveError, match=f"lists {re.escape(repr(bad))}, not a requirement by"):
        meta.requirements("py312")


@pytest.mark.parametrize("key", ["package_name", "exclude"])
@pytest.mark.parametrize("bad", ["--target=/tmp/x", "six\nrequests", "-six", "a b", "x/y"])
def test_a_name_in_package_json_that_reaches_the_installer_is_a_project_name(
    key: str, bad: str
) -> None:
    from packager.errors import ArchiveError
    from packager.wagon.metadata import parse_metadata
    from tests import wagons

    layout = wagons.hello()
    layout.metadata["plugin_packager"]["exclude"] = ["requests", "zope.interface"]
    assert parse_metadata(layout.metadata, "w.wgn").excluded == ["requests", "zope.interface"]
    if key == "exclude":
        layout.metadata["plugin_packager"]["exclude"] = ["requests", bad]
    else:
        layout.metadata["package_name"] = bad
    meta = parse_metadata(layout.metadata, "w.wgn")
    with pytest.raises(ArchiveError, match=f"{key} {re.escape(repr(bad))} is not a project name"):
        meta.excluded if key == "exclude" else meta.pinned  # noqa: B018


@pytest.mark.parametrize("broken", [{}, {"name": "hello-plugin", "releases": [{"x": 1}],
                                         "files": {}}, {"name": "hello-plugin", "releases": 5}])
def test_a_plugin_state_of_another_shape_is_unreadable_site_state(tmp_path: Path,
                                                                   broken: object) -> None:
    site = _indexed(tmp_path)
    path = site / ".site-state/plugins/hello-plugin.json"
    path.write_text(json.dumps(broken))
    result = CliRunner(env=ENV).invoke(main, ["bundle", str(site), "-o", str(tmp_path / "b.tgz")])
    assert result.exit_code == 5, result.output
    (line,) = result.output.splitlines()
    assert f"{path}: unreadable site state" in line


def test_every_name_the_checker_passes_is_one_entry_and_one_field() -> None:
    """Over 5,000 seeded random names from an alphabet rich in separators, dots and control
    characters: a name that passes is one entry of the directory it is joined to, and one field of
    one line of the site's tab-separated state; the others are refused with a reason."""
    import random

    from packager._names import MAX_BYTES, name_fault

    alphabet = ["a", "Z", "0", ".", "-", "_", " ", "/", "\\", "\x00", "\t", "\n", "\r", "\x0b",
                "\x1b", "\x7f", "\x85", "\u2028", "\u2029", "\u202e", "\ufeff", "é", "\udcff"]
    rng = random.Random(20)
    names = ["".join(rng.choices(alphabet, k=rng.randint(0, 12))) for _ in range(5000)]
    names += ["é" * 127, "é" * 128, "a" * MAX_BYTES, "a" * (MAX_BYTES + 1)]
    root = Path("/site/plugin")
    passed = 0
    for name in names:
        fault = name_fault(name)
        if fault is None:
            passed += 1
            assert ((root / name).parent, (root / name).name) == (root, name), repr(name)
            (line,) = f"{name}\tsha\trel\n".splitlines()
            assert line.split("\t") == [name, "sha", "rel"], repr(name)
            assert len(name.encode("utf-8")) <= MAX_BYTES
        else:
            assert fault.startswith("it "), fault
    assert 100 < passed < len(names) - 100  # the corpus holds both kinds


@pytest.mark.parametrize("fields", [b"sha\trel\textra", b"sha", b"\xff\tsha\trel"])
def test_a_names_line_of_another_shape_is_unreadable_site_state(tmp_path: Path,
                                                                fields: bytes) -> None:
    site = _indexed(tmp_path)
    (wagon,) = (tmp_path / "a").glob("*.wgn")
    names = site / ".site-state/names.tsv"
    names.write_bytes(wagon.name.encode() + b"\t" + fields + b"\n")
    result = CliRunner(env=ENV).invoke(main, ["index", str(wagon), "-o", str(site),
                                              "--relative"])
    assert result.exit_code == 5, result.output
    (line,) = result.output.splitlines()
    assert f"{names}: unreadable site state" in line, line
