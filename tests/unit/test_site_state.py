"""The site state an add reads without parsing the rest of the site: rows.tsv, site.json, and
the root catalogs spliced as bytes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from packager.cli import main
from packager.site.index import index_site
from packager.site.state import ROWS_FILE, SITE_FILE
from tests import sitecheck
from tests.unit.test_site_index import ENV, PREVIEW, hello, write


def test_a_line_break_in_a_description_keeps_one_row_per_line(tmp_path: Path) -> None:
    site = tmp_path / "site"
    index_site([write(hello("1.0.0", description="two\nlines\r\nhere"), tmp_path / "a")],
               site, PREVIEW)
    index_site([write(hello("1.0.0", name="other-plugin"), tmp_path / "b")], site, PREVIEW)
    rows = (site / ROWS_FILE).read_text().split("\n")
    assert [row.split("\t")[0] for row in rows] == ["hello-plugin", "other-plugin", ""]
    page = (site / "index.html").read_text()
    assert "two&#10;lines&#13;&#10;here" in page
    plugins = sitecheck.check_site(site)["plugins.json"]
    assert [p["description"] for p in plugins] == ["two\nlines\r\nhere", "Says hello."]


def test_an_add_splices_the_catalogs_as_a_full_render_writes_them(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    index_site([write(hello("1.0.0", name=n), tmp_path / n) for n in ("a-plugin", "c-plugin")],
               first, PREVIEW)
    index_site([write(hello("1.0.0", name="b-plugin"), tmp_path / "b-plugin"),
                write(hello("2.0.0", name="c-plugin"), tmp_path / "c2")], first, PREVIEW)
    index_site([tmp_path / n for n in ("a-plugin", "b-plugin", "c-plugin", "c2")], second, PREVIEW)
    for name in sitecheck.CATALOGS:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    assert [p["version"] for p in sitecheck.check_site(first)["plugins.json"]] == [
        "1.0.0", "1.0.0", "2.0.0"]


def test_a_format_1_state_is_read_and_written_anew(tmp_path: Path) -> None:
    site = tmp_path / "site"
    index_site([write(hello("1.0.0"), tmp_path / "a")], site, PREVIEW)
    state = json.loads((site / SITE_FILE).read_text())
    row = (site / ROWS_FILE).read_text().split("\t", 1)[1]
    state["format"] = 1
    state["plugins"] = {"hello-plugin": {"row": row, "feed": state.pop("feed")}}
    del state["wagons"]
    (site / SITE_FILE).write_text(json.dumps(state))
    (site / ROWS_FILE).unlink()
    result = index_site([write(hello("1.0.0", name="other-plugin"), tmp_path / "b")], site, PREVIEW)
    assert (result.plugins, result.wagons) == (2, 2)
    assert json.loads((site / SITE_FILE).read_text())["format"] == 2
    assert (site / ROWS_FILE).read_text().count("\n") == 2
    assert len(sitecheck.check_site(site)["plugins.json"]) == 2


@pytest.mark.parametrize("broken", [None, [], 5, "x", {"feed": [], "base_url": 5, "title": "T"},
                                    {"feed": {}, "base_url": None, "title": "T"},
                                    {"feed": [], "base_url": None, "title": "T", "profiles": [5]},
                                    {"feed": [], "base_url": None, "title": "T", "wagon_url": 7}])
def test_a_site_file_of_another_shape_is_unreadable_site_state(tmp_path: Path,
                                                                broken: object) -> None:
    """site.json of another shape was an AttributeError traceback in every later `index` (a
    profile of another type too); a wagon_url of another type was dropped without a word."""
    wagon = write(hello("1.0.0"), tmp_path / "a")
    site = tmp_path / "site"
    runner = CliRunner(env=ENV)
    index = ["index", str(wagon), "-o", str(site), "--relative"]
    assert runner.invoke(main, index).exit_code == 0
    (site / SITE_FILE).write_text(json.dumps(broken))
    result = runner.invoke(main, index)
    assert result.exit_code == 5, result.output
    (line,) = result.output.splitlines()
    assert f"{site / '.site-state'}: unreadable site state" in line
