"""What the catalogs and pages say of a release: its build's date, pre-releases, where wagons are
served (--base-url, --wagon-url), one YAML per DSL version, titles, icons, Pythons in order."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from packager._files import file_digests
from packager.errors import ConfigError
from packager.site.index import Where, index_site
from tests import sitecheck, wagons
from tests.unit.test_site_index import PREVIEW, hello, write

BASE = "https://plugins.example.com/"
HOSTED = "https://github.com/acme/hello/releases/download/{tag}/{file}"
EPOCH_2023 = (1700000000, "2023-11-14T22:13:20Z")


def dated(version: str, epoch: int | None) -> wagons.Layout:
    layout = hello(version)
    if epoch is not None:
        layout.metadata["plugin_packager"]["source_date_epoch"] = epoch
    return layout


def test_dates_are_the_builds_whenever_the_site_is_indexed(tmp_path: Path) -> None:
    recorded = write(dated("1.0.0", EPOCH_2023[0]), tmp_path / "a")
    reported = write(dated("1.1.0", None), tmp_path / "b")
    (tmp_path / "b" / "build-report.json").write_text(json.dumps(
        {"source_date_epoch": 1600000000, "wagons": [{"file": reported.name}]}))
    unknown = write(dated("1.2.0", None), tmp_path / "c")
    for site in (tmp_path / "one", tmp_path / "two"):  # indexed at two moments: the same dates
        index_site([recorded, reported.parent, unknown], site, PREVIEW)
        versions = json.loads((site / "catalog.json").read_text())[0]["versions"]
        assert [(v["version"], v["published"]) for v in versions] == [
            ("1.2.0", None), ("1.1.0", "2020-09-13T12:26:40Z"), ("1.0.0", EPOCH_2023[1])]
        page = (site / "hello-plugin" / "index.html").read_text()
        assert f'built <time class="built">{EPOCH_2023[1]}</time>' in page
        assert 'built <time class="built">(date unknown)</time>' in page
        feed = (site / "feed.xml").read_text()
        assert f"<updated>{EPOCH_2023[1]}</updated>" in feed
    assert (tmp_path / "one" / "feed.xml").read_bytes() == (tmp_path / "two" / "feed.xml"
                                                           ).read_bytes()


def test_a_pre_release_is_listed_and_marked_but_not_advertised(tmp_path: Path) -> None:
    site = tmp_path / "site"
    index_site([write(hello("1.0.0"), tmp_path / "a"), write(hello("2.0.0rc1"), tmp_path / "b")],
               site, PREVIEW)
    data = sitecheck.check_site(site)
    assert [e["version"] for e in data["plugins.json"]] == ["1.0.0"]
    assert [e["version"] for e in data["catalog.json"]] == ["1.0.0"]
    assert "<td>1.0.0</td>" in (site / "index.html").read_text()
    page = (site / "hello-plugin" / "index.html").read_text()
    assert '<h2>2.0.0rc1 <span class="pre">pre-release</span></h2>' in page
    assert "<h2>1.0.0</h2>" in page
    assert "hello-plugin 2.0.0rc1 (pre-release)</title>" in (site / "feed.xml").read_text()

    only = tmp_path / "only"  # nothing final yet: the pre-release is the newest there is
    index_site([tmp_path / "b"], only, PREVIEW)
    assert json.loads((only / "plugins.json").read_text())[0]["version"] == "2.0.0rc1"
    assert '<td>2.0.0rc1 <span class="pre">pre-release</span></td>' in (
        only / "index.html").read_text()


def test_wagons_hosted_elsewhere_stay_there_and_the_site_keeps_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    wagon = write(hello("1.0.0"), tmp_path / "v1.0.0")
    index_site([wagon.parent], site, Where(BASE, wagon_url=HOSTED))
    assert not list(site.rglob("*.wgn"))
    served = site / "hello-plugin" / "1.0.0"
    assert sorted(p.name for p in served.iterdir()) == sorted(
        [f"{wagon.name}.md5", f"{wagon.name}.sha256", "plugin.yaml"])
    digests = file_digests(wagon, "sha256", "md5")
    assert (served / f"{wagon.name}.md5").read_text() == digests["md5"] + "\n"
    url = f"https://github.com/acme/hello/releases/download/v1.0.0/{wagon.name}"
    (entry,) = json.loads((site / "plugins.json").read_text())
    assert [w["url"] for w in entry["wagons"]] == [url]
    assert entry["wagons"][0]["md5url"] == f"{BASE}hello-plugin/1.0.0/{wagon.name}.md5"
    (catalog,) = json.loads((site / "catalog.json").read_text())
    assert [(w["url"], w["sha256"]) for w in catalog["wagon_urls"]] == [(url, digests["sha256"])]
    assert f'href="{url}"' in (site / "hello-plugin" / "index.html").read_text()
    assert f'href="{url}"' in (site / "index.html").read_text()

    # Kept for the next release, which needs no old wagon to be downloaded again; {tag} is the
    # directory a wagon is in, also when it is named relative to it.
    monkeypatch.chdir(write(hello("1.1.0"), tmp_path / "v1.1.0").parent)
    index_site([Path(next(Path().glob("*.wgn")).name)], site, Where())
    (entry,) = json.loads((site / "plugins.json").read_text())
    assert entry["wagons"][0]["url"].startswith(
        "https://github.com/acme/hello/releases/download/v1.1.0/hello_plugin-1.1.0-")
    assert not list(site.rglob("*.wgn"))


@pytest.mark.parametrize(("template", "why"), [
    ("https://example.com/{tag}/{name}", "unknown placeholder {name}"),
    ("https://example.com/{file!r}", "unknown placeholder {file!r}"),
    ("https://example.com/{file:>9}", "unknown placeholder {file:>9}"),
    ("https://example.com/{tag}/", "has no {file}"),
    ("ftp://example.com/{file}", "is not an absolute http(s) URL"),
    ("releases/{file}", "is not an absolute http(s) URL"),
    ("https://example.com/{file", "expected '}' before end of string"),
])
def test_a_wagon_url_template_is_checked_before_anything_is_written(
    tmp_path: Path, template: str, why: str
) -> None:
    wagon = write(hello("1.0.0"), tmp_path / "v1.0.0")
    with pytest.raises(ConfigError, match=f"--wagon-url {template!r}.*{why}".replace(
            "{", r"\{").replace("}", r"\}").replace("(", r"\(").replace(")", r"\)")) as caught:
        index_site([wagon], tmp_path / "site", Where(BASE, wagon_url=template))
    assert "{tag}, {version} and {file}" in str(caught.value.hint)
    assert not (tmp_path / "site").exists()


@pytest.mark.parametrize("where", [Where(), Where("plugins.example.com"), Where("file:///srv/p"),
                                   Where(BASE, relative=True)])
def test_catalogs_need_an_absolute_base_url_or_relative(tmp_path: Path, where: Where) -> None:
    with pytest.raises(ConfigError, match=r"absolute|contradict"):
        index_site([write(hello("1.0.0"), tmp_path / "a")], tmp_path / "site", where)
    assert not (tmp_path / "site").exists()


def test_a_preview_stays_a_preview_only_when_asked_again(tmp_path: Path) -> None:
    site = tmp_path / "site"
    index_site([write(hello("1.0.0"), tmp_path / "a")], site, PREVIEW)
    before = (site / "plugins.json").read_bytes()
    with pytest.raises(ConfigError, match="catalogs need absolute URLs"):
        index_site([write(hello("1.1.0"), tmp_path / "b")], site, Where())
    assert (site / "plugins.json").read_bytes() == before
    index_site([tmp_path / "b"], site, Where(BASE))  # published from now on
    assert json.loads((site / "plugins.json").read_text())[0]["link"].startswith(BASE)


def test_one_yaml_per_dsl_version_and_titles_and_icons_without_configuration(
    tmp_path: Path
) -> None:
    layout = hello("1.0.0")
    yaml = layout.files["plugin.yaml"]
    layout.files.update({"v2_plugin.yaml": yaml, "plugin_1_4.yaml": yaml})
    layout.metadata["plugin_packager"]["title"] = "hello-plugin"  # the default: not configured
    site = tmp_path / "site"
    index_site([write(layout, tmp_path / "a")], site, Where(BASE))
    (catalog,) = json.loads((site / "catalog.json").read_text())
    assert [(y["dsl_version"], y["url"].rsplit("/", 1)[1]) for y in catalog["yaml_urls"]] == [
        ("cloudify_dsl_1_3", "plugin.yaml"), ("cloudify_dsl_1_4", "plugin_1_4.yaml")]
    assert catalog["display_name"] == "hello"  # the plugin's name in its YAML
    assert catalog["logo_url"] == f"{BASE}icon.svg"
    assert (site / "icon.svg").read_bytes().startswith(b"<svg")
    (entry,) = json.loads((site / "v2_plugins.json").read_text())
    assert (entry["title"], entry["icon"]) == ("hello", f"{BASE}icon.svg")
    assert entry["yaml"] == f"{BASE}hello-plugin/1.0.0/v2_plugin.yaml"

    v2_only = hello("1.1.0")
    v2_only.files["v2_plugin.yaml"] = v2_only.files.pop("plugin.yaml")
    v2_only.files["icon.png"] = b"\x89PNG\r\n\x1a\n"
    index_site([write(v2_only, tmp_path / "b")], site, Where())
    (catalog,) = json.loads((site / "catalog.json").read_text())
    assert [y["dsl_version"] for y in catalog["yaml_urls"]] == ["cloudify_dsl_1_4"]
    assert catalog["logo_url"] == f"{BASE}hello-plugin/1.1.0/icon.png"
    assert catalog["display_name"] == "Hello"  # configured


def test_pythons_sort_as_numbers_and_the_filter_finds_3_12(tmp_path: Path) -> None:
    layouts = [wagons.ours(hello("1.0.0").wheels, {"plugin.yaml": wagons.PLUGIN_YAML.encode()},
                           pytags=(tag,)) for tag in ("py39", "py312", "py310")]
    index_site([layout.write(tmp_path) for layout in layouts], tmp_path / "site", PREVIEW)
    row = (tmp_path / "site" / "index.html").read_text()
    assert '<td>py39, py310, py312</td>' in row
    search = row.split('data-search="', 1)[1].split('"', 1)[0]
    assert {"py312", "3.12", "3.9"} <= set(search.split())
    page = (tmp_path / "site" / "hello-plugin" / "index.html").read_text()
    assert page.index("-py312-none-") < page.index("-py310-none-") < page.index("-py39-none-")
    # The index links each wagon of the newest release and its plugin.yaml directly.
    assert '<td class="dl"><a href="hello-plugin/1.0.0/plugin.yaml">plugin.yaml</a>' in row
    assert row.count('<a href="hello-plugin/1.0.0/hello_plugin-1.0.0-') == 3
