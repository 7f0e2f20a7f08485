"""`index` on wagons the tests write: catalogs, pages, refusals, recovery from a crash."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from packager._files import sha256_of
from packager.errors import ArchiveError
from packager.site import state
from packager.site.index import Where, index_site
from packager.site.state import STATE_DIR
from tests import sitecheck, wagons

ENV = {"SOURCE_DATE_EPOCH": "1700000000"}
PREVIEW = Where(relative=True)  # where the tests' sites point: relative URLs
XSS = '<script>alert(1)</script> "><img src=x onerror=alert(2)>'


def hello(version: str, *, build_tag: str = "manylinux", description: str = "Says hello.",
          platform: str = "manylinux2014_x86_64", name: str = "hello-plugin",
          title: str = "Hello") -> wagons.Layout:
    layout = wagons.hello()
    yaml = wagons.PLUGIN_YAML.replace("'1.0.0'", f"'{version}'").encode()
    made = wagons.ours(layout.wheels, {"plugin.yaml": yaml}, version=version,
                       build_tag=build_tag, platform=platform, name=name)
    made.metadata["plugin_packager"].update(title=title, description=description)
    return made


def write(layout: wagons.Layout, dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    return layout.write(dest)


def test_two_runs_keep_every_release_and_the_newest_leads(tmp_path: Path) -> None:
    site = tmp_path / "site"
    first = index_site([write(hello("1.0.0"), tmp_path / "a")], site, PREVIEW)
    assert len(first.added) == 1
    second = index_site([write(hello("1.1.0"), tmp_path / "b"),
                         write(hello("1.1.0", build_tag="centos-Core",
                                     platform="linux_x86_64"), tmp_path / "b")], site, PREVIEW)
    assert len(second.added) == 2
    data = sitecheck.check_site(site)
    (entry,) = data["plugins.json"]
    assert entry["version"] == "1.1.0"
    assert entry["title"] == "Hello"
    assert sorted(w["name"] for w in entry["wagons"]) == ["Centos Core", "manylinux"]
    assert [v["version"] for v in data["catalog.json"][0]["versions"]] == ["1.1.0", "1.0.0"]
    assert sitecheck.pick_wagon(data["plugins.json"], "hello-plugin", "centos", "core").endswith(
        "-centos-Core-py311-none-linux_x86_64.wgn")
    assert "manylinux-py311" in sitecheck.pick_wagon(data["plugins.json"], "hello-plugin",
                                                     "rhel", "9")
    page = (site / "hello-plugin" / "index.html").read_text()
    assert page.count('class="wagon"') == 3
    assert "cfy plugins upload 1.0.0/" not in page
    assert "cfy plugins upload ../hello-plugin/" in page
    feed = (site / "feed.xml").read_text()
    assert feed.count("<entry>") == 2


def test_the_same_file_again_writes_nothing(tmp_path: Path) -> None:
    site = tmp_path / "site"
    wagon = write(hello("1.0.0"), tmp_path / "in")
    index_site([wagon], site, PREVIEW)
    before = {p: p.stat().st_mtime_ns for p in site.rglob("*") if p.is_file()}
    again = index_site([wagon, wagon.parent], site, PREVIEW)
    assert again.added == ()
    assert again.unchanged == (wagon.name,)
    assert {p: p.stat().st_mtime_ns for p in site.rglob("*") if p.is_file()} == before


def test_a_different_file_under_a_served_name_is_refused_unless_replace(tmp_path: Path) -> None:
    site = tmp_path / "site"
    old = write(hello("1.0.0"), tmp_path / "old")
    index_site([old], site, PREVIEW)
    new = write(hello("1.0.0", description="Changed."), tmp_path / "new")
    catalogs = {n: (site / n).read_bytes() for n in sitecheck.CATALOGS}
    with pytest.raises(ArchiveError) as refused:
        index_site([new], site, PREVIEW)
    assert refused.value.exit_code == 5
    message = refused.value.one_line()
    assert sha256_of(old) in message
    assert sha256_of(new) in message
    assert {n: (site / n).read_bytes() for n in sitecheck.CATALOGS} == catalogs
    index_site([new], site, Where(relative=True, replace_=True))
    data = sitecheck.check_site(site)
    assert data["plugins.json"][0]["description"] == "Changed."
    assert index_site([new], site, PREVIEW).unchanged == (new.name,)
    names = (site / STATE_DIR / "names.tsv").read_text().splitlines()
    assert names == [f"{new.name}\t{sha256_of(new)}\thello-plugin/1.0.0/{new.name}"]


def test_recent_names_move_into_names_tsv_when_there_are_many(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(state, "RECENT_MAX", 2)
    site = tmp_path / "site"
    made = [write(hello(f"1.{n}.0"), tmp_path / str(n)) for n in range(4)]

    def lines(name: str) -> list[str]:
        return [line.split("\t")[0] for line in (site / STATE_DIR / name).read_text().splitlines()]

    index_site([made[0]], site, PREVIEW)  # a new site: names.tsv
    index_site([made[1]], site, PREVIEW)
    index_site([made[2]], site, PREVIEW)
    assert (lines("names.tsv"), lines("names-recent.tsv")) == ([made[0].name],
                                                                [made[1].name, made[2].name])
    for wagon in made[:3]:  # known wherever its line is: the same file again is a no-op
        assert index_site([wagon], site, PREVIEW).unchanged == (wagon.name,)
    with pytest.raises(ArchiveError):  # and another file under its name is refused
        index_site([write(hello("1.1.0", description="Changed."), tmp_path / "x")], site, PREVIEW)
    result = index_site([made[3]], site, PREVIEW)
    assert (lines("names.tsv"), lines("names-recent.tsv")) == ([w.name for w in made], [])
    assert result.wagons == 4


def test_base_url_makes_urls_absolute_and_a_new_one_rerenders(tmp_path: Path) -> None:
    site = tmp_path / "site"
    index_site([write(hello("1.0.0"), tmp_path / "a")], site, PREVIEW)
    base = "https://plugins.example.com/site/"
    index_site([write(hello("1.1.0"), tmp_path / "b")], site, Where(base))
    data = sitecheck.check_site(site, base)
    assert all(u.startswith(base) for u in sitecheck.urls_of(data["catalog.json"]))
    assert f"cfy plugins upload {base}hello-plugin/1.0.0/" in (
        site / "hello-plugin" / "index.html").read_text()


def test_plugin_text_reaches_pages_escaped(tmp_path: Path) -> None:
    site = tmp_path / "site"
    index_site([write(hello("1.0.0", description=XSS), tmp_path / "a")], site, PREVIEW)
    for page in (site / "index.html", site / "hello-plugin" / "index.html", site / "feed.xml"):
        text = page.read_text()
        assert "<script>alert" not in text, page
        assert "<img src=x" not in text, page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text, page
    assert json.loads((site / "plugins.json").read_text())[0]["description"] == XSS


def test_a_name_that_climbs_out_of_the_site_is_refused(tmp_path: Path) -> None:
    layout = hello("1.0.0")
    layout.metadata["package_name"] = "../../etc"
    with pytest.raises(ArchiveError, match="cannot name a directory"):
        index_site([write(layout, tmp_path / "in")], tmp_path / "site", PREVIEW)
    assert not (tmp_path / "etc").exists()


def test_a_sidecar_that_disagrees_is_refused(tmp_path: Path) -> None:
    wagon = write(hello("1.0.0"), tmp_path / "in")
    wagon.with_name(wagon.name + ".md5").write_text("0" * 32 + "\n")
    with pytest.raises(ArchiveError, match=r"\.md5 says 0{32}"):
        index_site([wagon], tmp_path / "site", PREVIEW)


def test_a_wagon_0_3_without_our_extension_takes_its_summary(tmp_path: Path) -> None:
    wheel = wagons.wheel_bytes("legacy-plugin", "0.5.2")
    layout = wagons.wagon_03({"legacy_plugin-0.5.2-py2.py3-none-any.whl": wheel}, ["py27"],
                             "any")
    wagon = layout.write(tmp_path, fmt="tar.gz")
    index_site([wagon], tmp_path / "site", PREVIEW)
    (entry,) = sitecheck.check_site(tmp_path / "site")["plugins.json"]
    assert (entry["name"], entry["title"], entry["link"]) == ("legacy-plugin", "legacy-plugin",
                                                              None)


def test_a_crash_before_commit_leaves_the_old_site_and_after_commit_is_finished(
    tmp_path: Path,
) -> None:
    site = tmp_path / "site"
    index_site([write(hello("1.0.0"), tmp_path / "a")], site, PREVIEW)
    old = (site / "plugins.json").read_bytes()
    txn = site / STATE_DIR / "txn"
    txn.mkdir()
    (txn / "0-half").write_bytes(b"[]")
    index_site([write(hello("1.0.0"), tmp_path / "a")], site, PREVIEW)
    assert not txn.exists()
    assert (site / "plugins.json").read_bytes() == old
    txn.mkdir()
    (txn / "0-done").write_bytes(b"[]\n")
    (txn / "manifest.json").write_text(json.dumps([["0-done", "plugins.json"]]))
    index_site([write(hello("1.0.0"), tmp_path / "a")], site, PREVIEW)
    assert (site / "plugins.json").read_bytes() == b"[]\n"


def test_replaced_files_wait_in_the_trash_until_the_next_run(tmp_path: Path) -> None:
    site = tmp_path / "site"
    trash = site / STATE_DIR / "trash"
    index_site([write(hello("1.0.0"), tmp_path / "a")], site, PREVIEW)
    first = (site / "catalog.json").read_bytes()
    index_site([write(hello("1.1.0"), tmp_path / "b")], site, PREVIEW)
    (generation,) = trash.iterdir()
    kept = {path.read_bytes() for path in generation.iterdir()}
    assert first in kept  # the old catalog, still linked: the rename freed nothing
    assert (site / "catalog.json").read_bytes() not in kept
    index_site([write(hello("1.2.0"), tmp_path / "c")], site, PREVIEW)
    assert not generation.exists()
    assert len(list(trash.iterdir())) == 1
    sitecheck.check_site(site)


def test_a_directory_that_is_no_site_is_left_alone(tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "notes.txt").write_text("mine")
    with pytest.raises(Exception, match="holds no plugin-packager site"):
        index_site([write(hello("1.0.0"), tmp_path / "a")], tmp_path / "site", PREVIEW)


def test_a_first_run_killed_after_copying_does_not_block_the_next(tmp_path: Path) -> None:
    site = tmp_path / "site"
    wagon = write(hello("1.0.0"), tmp_path / "a")
    (site / STATE_DIR).mkdir(parents=True)
    (site / "hello-plugin" / "1.0.0").mkdir(parents=True)
    (site / "hello-plugin" / "1.0.0" / wagon.name).write_bytes(b"half")
    index_site([wagon], site, PREVIEW)
    assert (site / "hello-plugin" / "1.0.0" / wagon.name).read_bytes() == wagon.read_bytes()
    sitecheck.check_site(site)


def test_a_root_catalog_edited_by_hand_is_rendered_again_in_full(tmp_path: Path) -> None:
    site = tmp_path / "site"
    index_site([write(hello("1.0.0"), tmp_path / "a"),
                write(hello("1.0.0", name="other-plugin"), tmp_path / "a")], site, PREVIEW)
    (site / "catalog.json").write_text(json.dumps(json.loads((site / "catalog.json").read_text())))
    index_site([write(hello("1.1.0"), tmp_path / "b")], site, PREVIEW)
    data = sitecheck.check_site(site)
    assert [(e["name"], e["version"]) for e in data["catalog.json"]] == [
        ("hello-plugin", "1.1.0"), ("other-plugin", "1.0.0")]
    assert (site / "catalog.json").read_text().count("\n") == 4


def test_an_icon_beside_the_wagon_is_served_and_linked(tmp_path: Path) -> None:
    wagon = write(hello("1.0.0"), tmp_path / "a")
    (wagon.parent / "icon.png").write_bytes(b"\x89PNG fake")
    index_site([wagon], tmp_path / "site", PREVIEW)
    data = sitecheck.check_site(tmp_path / "site")
    assert data["plugins.json"][0]["icon"] == "hello-plugin/1.0.0/icon.png"
    assert data["catalog.json"][0]["logo_url"] == "hello-plugin/1.0.0/icon.png"
    assert 'src="../hello-plugin/1.0.0/icon.png"' in (
        tmp_path / "site" / "hello-plugin" / "index.html").read_text()
