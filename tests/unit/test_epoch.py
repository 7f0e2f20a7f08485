"""One reading of SOURCE_DATE_EPOCH for build, bundle and merge: a value that is not a number of
seconds is refused with one line before anything is written (bundle once fell back to 1980 in
silence where build refused, and "²" passed str.isdigit to die in int())."""

from __future__ import annotations

from pathlib import Path

import pytest

from packager._epoch import source_date_epoch
from packager.builder.config import load_options
from packager.errors import ConfigError
from packager.site.bundle import collect, write_bundle
from packager.site.index import index_site

from .test_config import project
from .test_site_index import PREVIEW, hello, write


@pytest.mark.parametrize("value", ["yesterday", "", " ", "1.5", "-1", "²", "١٢"])
def test_anything_but_seconds_is_refused(value: str) -> None:
    with pytest.raises(ConfigError, match=r"SOURCE_DATE_EPOCH=.* is not a number of seconds"):
        source_date_epoch({"SOURCE_DATE_EPOCH": value})


def test_seconds_unset_or_given() -> None:
    assert source_date_epoch({}) is None
    assert source_date_epoch({"SOURCE_DATE_EPOCH": " 1700000000\n"}) == 1700000000
    assert source_date_epoch({"SOURCE_DATE_EPOCH": "0"}) == 0


def test_build_refuses_a_digit_int_cannot_read(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="SOURCE_DATE_EPOCH"):
        load_options(project(tmp_path), env={"SOURCE_DATE_EPOCH": "²"})


def test_bundle_refuses_what_build_refuses_and_writes_nothing(tmp_path: Path) -> None:
    site = tmp_path / "site"
    index_site([write(hello("1.0.0"), tmp_path / "a")], site, PREVIEW)
    out = tmp_path / "out" / "plugins.tgz"
    with pytest.raises(ConfigError, match="SOURCE_DATE_EPOCH='yesterday'"):
        write_bundle(collect([site], ()), out, {"SOURCE_DATE_EPOCH": "yesterday"})
    assert not out.parent.exists()
