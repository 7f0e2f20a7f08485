"""`index` hard-links what it can into the site, copies what it cannot, and reads many wagons in
worker processes: the site is the same either way."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

import pytest

from packager._files import file_digests, sha256_of
from packager.errors import ArchiveError, ConfigError
from packager.site import index, state
from packager.site.index import Where, index_site
from tests import sitecheck
from tests.unit.test_site_index import PREVIEW, hello, write

SHM = Path("/dev/shm")


def served(site: Path, wagon: Path, version: str = "1.0.0") -> Path:
    return site / "hello-plugin" / version / wagon.name


def with_sidecars(wagon: Path) -> Path:
    for algorithm in ("md5", "sha256"):
        digest = file_digests(wagon, algorithm)[algorithm]
        wagon.with_name(f"{wagon.name}.{algorithm}").write_text(f"{digest}\n")
    return wagon


def test_wagons_and_exact_sidecars_are_linked_and_a_replace_leaves_the_input_alone(
    tmp_path: Path,
) -> None:
    site = tmp_path / "site"
    old = with_sidecars(write(hello("1.0.0"), tmp_path / "old"))
    old.chmod(0o644)
    body = old.read_bytes()
    index_site([old], site, PREVIEW)
    for suffix in ("", ".md5", ".sha256"):
        mine = old.with_name(old.name + suffix)
        assert mine.samefile(served(site, mine)), suffix
    sitecheck.check_site(site)

    new = write(hello("1.0.0", description="Changed."), tmp_path / "new")
    index_site([new], site, Where(relative=True, replace_=True))
    assert old.read_bytes() == body  # the site's file was replaced by a rename, not rewritten
    assert served(site, old).read_bytes() == new.read_bytes()
    assert sitecheck.check_site(site)["plugins.json"][0]["description"] == "Changed."


def test_a_sidecar_in_another_format_is_written_again_not_linked(tmp_path: Path) -> None:
    site = tmp_path / "site"
    wagon = write(hello("1.0.0"), tmp_path / "in")
    digest = file_digests(wagon, "md5")["md5"]
    wagon.with_name(f"{wagon.name}.md5").write_text(f"{digest}  {wagon.name}\n")
    index_site([wagon], site, PREVIEW)
    assert served(site, wagon).with_suffix(".wgn.md5").read_text() == f"{digest}\n"


def test_a_linked_site_still_refuses_a_different_file_under_a_served_name(
    tmp_path: Path,
) -> None:
    site = tmp_path / "site"
    old = write(hello("1.0.0"), tmp_path / "old")
    old.chmod(0o644)
    index_site([old], site, PREVIEW)
    assert old.samefile(served(site, old))
    new = write(hello("1.0.0", description="Changed."), tmp_path / "new")
    with pytest.raises(ArchiveError) as refused:
        index_site([new], site, PREVIEW)
    assert refused.value.exit_code == 5
    assert sha256_of(old) in refused.value.one_line()
    assert sha256_of(new) in refused.value.one_line()


def test_a_wagon_whose_mode_a_link_would_change_is_copied(tmp_path: Path) -> None:
    site = tmp_path / "site"
    wagon = write(hello("1.0.0"), tmp_path / "in")
    wagon.chmod(0o600)
    index_site([wagon], site, PREVIEW)
    assert not wagon.samefile(served(site, wagon))
    assert wagon.stat().st_mode & 0o777 == 0o600
    assert served(site, wagon).stat().st_mode & 0o777 == 0o644
    assert served(site, wagon).read_bytes() == wagon.read_bytes()


@pytest.mark.skipif(not SHM.is_dir(), reason="needs /dev/shm (tmpfs) for a second filesystem")
def test_a_wagon_on_another_filesystem_is_copied(tmp_path: Path) -> None:
    if SHM.stat().st_dev == tmp_path.stat().st_dev:
        pytest.skip("the temporary directory is on /dev/shm's filesystem: set TMPDIR elsewhere")
    site = tmp_path / "site"
    (SHM / f"plugin-packager-{os.getpid()}").mkdir()
    try:
        wagon = write(hello("1.0.0"), SHM / f"plugin-packager-{os.getpid()}")
        wagon.chmod(0o644)
        index_site([wagon], site, PREVIEW)
        assert not wagon.samefile(served(site, wagon))
        assert served(site, wagon).read_bytes() == wagon.read_bytes()
    finally:
        for leftover in (SHM / f"plugin-packager-{os.getpid()}").iterdir():
            leftover.unlink()
        (SHM / f"plugin-packager-{os.getpid()}").rmdir()
    sitecheck.check_site(site)


def test_wagons_read_in_worker_processes_make_the_same_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = [write(hello(f"1.{n}.0"), tmp_path / "in") for n in range(4)]
    index_site([tmp_path / "in"], tmp_path / "alone", PREVIEW)
    monkeypatch.setattr(index, "POOL_FROM", 2)
    index_site([tmp_path / "in"], tmp_path / "pool", PREVIEW)
    for path in (tmp_path / "alone").rglob("*"):
        if path.is_file() and path.name != "lock":
            assert path.read_bytes() == (tmp_path / "pool" / path.relative_to(
                tmp_path / "alone")).read_bytes(), path
    assert len(sitecheck.check_site(tmp_path / "pool")["catalog.json"][0]["versions"]) == 4

    made[2].write_bytes(made[2].read_bytes()[:100])
    with pytest.raises(ArchiveError) as damaged:
        index_site([tmp_path / "in"], tmp_path / "damaged", PREVIEW)
    assert made[2].name in damaged.value.message
    assert damaged.value.hint  # the hint survives the trip from the worker process


def test_a_site_locked_by_another_index_is_refused_after_the_wait(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    wagon = write(hello("1.0.0"), tmp_path / "in")
    index_site([wagon], site, PREVIEW)
    monkeypatch.setattr(state, "LOCK_WAIT", 0.2)
    with (site / state.STATE_DIR / "lock").open("a") as other:
        fcntl.flock(other, fcntl.LOCK_EX)
        with pytest.raises(ConfigError, match="stayed locked by another index"):
            index_site([write(hello("2.0.0"), tmp_path / "in2")], site, PREVIEW)
    assert index_site([tmp_path / "in2"], site, PREVIEW).added
