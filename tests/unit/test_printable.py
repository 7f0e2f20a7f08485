"""Text from wagons, reports and sites reaches the terminal printable and the feed as XML."""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from packager import _json
from packager.cli import main, render
from packager.errors import ArchiveError
from packager.site.index import index_site
from packager.wagon.archive import load_meta, open_wagon

from .test_site_index import PREVIEW, hello, write


@pytest.mark.parametrize(("text", "shown"), [
    ("plain text, ünïcode ✓", "plain text, ünïcode ✓"),
    ("a\nb\rc\td", "a\\nb\\rc\\td"),
    ("\x1b[2J\x1b]0;title\x07", "\\x1b[2J\\x1b]0;title\\x07"),
    ("\x9b31m \u202egnp.exe \u2028", "\\x9b31m \\u202egnp.exe \\u2028"),
])
def test_printable_escapes_what_a_terminal_would_obey(text: str, shown: str) -> None:
    assert render.printable(text) == shown


def test_show_prints_a_wheel_name_escaped(tmp_path: Path) -> None:
    path = hello("1.0.0").write(tmp_path)
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("hello-plugin/wheels/x\x1b[2J\nforged line.whl", b"")
    result = CliRunner().invoke(main, ["show", str(path)])
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output
    assert "  x\\x1b[2J\\nforged line.whl  [not listed in package.json]" in result.output.splitlines()


def test_an_error_line_is_printable(tmp_path: Path) -> None:
    path = tmp_path / "x\x1b[2J.wgn"
    path.write_bytes(b"not a wagon")
    result = CliRunner().invoke(main, ["show", str(path)])
    assert result.exit_code == 5
    assert "x\\x1b[2J.wgn is neither a zip nor a tar.gz archive" in result.output


def test_a_control_character_in_a_description_leaves_the_feed_valid(tmp_path: Path) -> None:
    site = tmp_path / "site"
    index_site([write(hello("1.0.0", description="Says \x01hello\x0c."), tmp_path / "in")],
               site, PREVIEW)
    summaries = [e.text for e in ET.parse(site / "feed.xml").getroot().iter(
        "{http://www.w3.org/2005/Atom}summary")]
    assert summaries == ["Hello: Says \ufffdhello\ufffd."]


def test_half_a_surrogate_pair_is_not_text(tmp_path: Path) -> None:
    assert _json.loads('["\\ud83d\\ude00", "\\\\ud800"]') == ["\U0001f600", "\\ud800"]
    path = hello("1.0.0").write(tmp_path)
    with open_wagon(path) as ex:
        (ex.root / "package.json").write_text('{"description": "\\ud800"}')
        with pytest.raises(ArchiveError, match=r"'\\ud800' is half a surrogate pair, not text"):
            load_meta(ex)
