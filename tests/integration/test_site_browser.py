"""The download site in real headless Chromium (Debian's, driven by Playwright; never a
downloaded browser), served by `plugin-packager serve`, after an `index` killed halfway."""

from __future__ import annotations

import hashlib
import json
import os
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from packager.site.index import index_site
from tests import sitecheck, wagons
from tests.unit.test_site_index import PREVIEW, XSS, hello, write

from .test_serve import serving
from .test_site import fake_wagons, index_and_kill

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.is_file(),
    reason="needs Debian's chromium at /usr/bin/chromium: `apt-get install -y chromium` "
           "(.ci/run installs it)",
)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """hello-plugin 1.0.0 and 1.1.0 (three wagons), two more plugins, one with hostile text;
    then an `index` of fake plugins killed after its first copy."""
    site = tmp_path / "site"
    other = hello("1.0.0", name="other-plugin", title="Other", description="Does other things.")
    for pytag, platform in (("py39", "manylinux2014_x86_64"), ("py312", "manylinux2014_x86_64"),
                            ("py312", "manylinux2014_aarch64")):
        cell = wagons.ours(other.wheels, other.files, name="other-plugin", pytags=(pytag,),
                           platform=platform)
        cell.metadata["plugin_packager"] = other.metadata["plugin_packager"]
        cell.write(ensure(tmp_path / "a"))
    write(hello("1.0.0"), tmp_path / "a")
    index_site([tmp_path / "a"], site, PREVIEW)
    index_site([write(hello("1.1.0"), tmp_path / "b"),
                write(hello("1.1.0", build_tag="centos-Core", platform="linux_x86_64"),
                      tmp_path / "b"),
                write(hello("0.1.0", name="evil-plugin", title=XSS, description=XSS),
                      tmp_path / "b")], site, PREVIEW)
    fake_wagons(tmp_path / "fakes", 150, 100_000)
    index_and_kill(site, tmp_path / "fakes")
    return site


def ensure(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def served(site: Path) -> Iterator[str]:
    with serving(site) as (url, _):
        yield url


def test_the_site_lists_filters_links_and_shows_hostile_text_as_text(
    site: Path, served: str, tmp_path: Path
) -> None:
    from playwright.sync_api import ConsoleMessage, Dialog, sync_playwright

    catalog = {e["name"]: e for e in sitecheck.check_site(site)["catalog.json"]}
    assert sorted(catalog) == ["evil-plugin", "hello-plugin", "other-plugin"]
    dialogs: list[str] = []
    errors: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    with sync_playwright() as driver:
        browser = driver.chromium.launch(
            executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox", "--disable-gpu"])
        page = browser.new_context(accept_downloads=True).new_page()
        page.on("dialog", on_dialog)
        page.on("console", on_console)
        page.on("pageerror", lambda e: errors.append(str(e)))

        page.goto(served)
        rows = page.locator("#plugins tbody tr")
        assert rows.count() == 3
        page.fill("#filter", "hello")
        assert page.locator("#plugins tbody tr:visible").count() == 1
        assert page.locator("#plugins tbody tr:visible td a").first.inner_text() == "hello-plugin"
        page.fill("#filter", "3.12")  # as a reader writes a Python
        assert page.locator("#plugins tbody tr:visible td a").first.inner_text() == "other-plugin"
        page.fill("#filter", "centos")  # platforms and Pythons are searchable too
        assert page.locator("#plugins tbody tr:visible").count() == 0
        page.fill("#filter", "linux_x86_64")
        assert page.locator("#plugins tbody tr:visible").count() == 1
        assert page.locator("td.dl a", has_text="(Centos Core)").count() == 1
        page.screenshot(path=str(tmp_path / "index.png"), full_page=True)

        page.click("text=hello-plugin")
        assert page.locator("tr.wagon").count() == 3
        shown = page.locator("tr.wagon td.digest").all_inner_texts()
        wanted = {w["sha256"] for v in catalog["hello-plugin"]["versions"]
                  for w in v["wagon_urls"]}
        assert set(shown) == wanted
        command = page.locator("pre.cfy code").first.inner_text()
        assert command.startswith(f"cfy plugins upload {served}hello-plugin/1.1.0/")
        assert command.endswith(f" -y {served}hello-plugin/1.1.0/plugin.yaml")
        link = page.locator("a.download").first
        with page.expect_download() as download:
            link.click()
        body = Path(download.value.path()).read_bytes()
        assert hashlib.sha256(body).hexdigest() == shown[0]
        assert download.value.suggested_filename == link.inner_text()
        page.screenshot(path=str(tmp_path / "plugin.png"), full_page=True)

        page.goto(served + "evil-plugin/index.html")
        assert page.locator("#description").inner_text() == XSS
        assert page.locator("h1").inner_text() == XSS
        assert page.locator("img[src=x]").count() == 0
        page.goto(served)
        page.fill("#filter", "script")
        assert page.locator("#plugins tbody tr:visible td a").first.inner_text() == "evil-plugin"
        page.screenshot(path=str(tmp_path / "hostile.png"), full_page=True)
        browser.close()
    assert dialogs == []
    assert errors == []
    assert json.loads((site / "plugins.json").read_text())[0]["name"] == "evil-plugin"


def artifacts(tmp_path: Path) -> Path:
    """Where screenshots go: $TEST_ARTIFACTS_DIR (for CI to keep; not PLUGIN_PACKAGER_*, a
    prefix `build` refuses unknown names of), else the test's tmp."""
    root = os.environ.get("TEST_ARTIFACTS_DIR")
    return ensure(Path(root) / "site-screenshots" if root else tmp_path / "screenshots")


@pytest.mark.parametrize(("device", "width"), [("desktop", 1280), ("phone", 390)])
def test_screenshots_of_the_index_and_a_plugin_page_and_no_overflow_on_a_phone(
    site: Path, served: str, tmp_path: Path, device: str, width: int
) -> None:
    from playwright.sync_api import sync_playwright

    shots = artifacts(tmp_path)
    with sync_playwright() as driver:
        browser = driver.chromium.launch(
            executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": width, "height": 844})
        for name, path in (("index", ""), ("plugin", "other-plugin/index.html")):
            page.goto(served + path)
            overflow = page.evaluate("document.documentElement.scrollWidth")
            assert overflow <= width, f"{name} is {overflow} px wide on a {width} px screen"
            shot = shots / f"{name}-{device}.png"
            page.screenshot(path=str(shot), full_page=True)
            print(f"screenshot: {shot}")
        # The index links each wagon and the YAML of the newest release directly.
        page.goto(served)
        row = page.locator("#plugins tbody tr", has_text="other-plugin")
        assert row.locator("td.dl a").all_inner_texts() == [
            "plugin.yaml", "x86_64 py312", "x86_64 py39", "aarch64 py312"]
        assert row.locator("td.dl a").first.get_attribute("href") == \
            "other-plugin/1.0.0/plugin.yaml"
        browser.close()
    with pytest.raises(urllib.error.HTTPError) as hidden:
        urllib.request.urlopen(served + ".site-state/site.json", timeout=10)
    hidden.value.close()
    assert hidden.value.code == 404
    with urllib.request.urlopen(served + "plugins.json", timeout=10) as shown:
        assert shown.status == 200
