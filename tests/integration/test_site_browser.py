"""The download site in real headless Chromium (Debian's, driven by Playwright; never a
downloaded browser), served by `plugin-packager serve`, after an `index` killed halfway."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from packager.site.index import index_site
from tests import sitecheck
from tests.unit.test_site_index import PREVIEW, XSS, hello, write

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
    index_site([write(hello("1.0.0"), tmp_path / "a"),
                write(hello("1.0.0", name="other-plugin", title="Other",
                            description="Does other things."), tmp_path / "a")], site, PREVIEW)
    index_site([write(hello("1.1.0"), tmp_path / "b"),
                write(hello("1.1.0", build_tag="centos-Core", platform="linux_x86_64"),
                      tmp_path / "b"),
                write(hello("0.1.0", name="evil-plugin", title=XSS, description=XSS),
                      tmp_path / "b")], site, PREVIEW)
    fake_wagons(tmp_path / "fakes", 150, 100_000)
    index_and_kill(site, tmp_path / "fakes")
    return site


@pytest.fixture
def served(site: Path) -> Iterator[str]:
    with subprocess.Popen([sys.executable, "-m", "packager", "serve", site, "--port", "0"],
                          stderr=subprocess.PIPE, text=True) as proc:
        try:
            assert proc.stderr is not None
            line = proc.stderr.readline()
            found = re.search(r"http://127\.0\.0\.1:\d+/", line)
            assert found, line
            yield found.group(0)
        finally:
            proc.terminate()


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
        assert page.locator("#plugins tbody tr:visible a").inner_text() == "hello-plugin"
        page.fill("#filter", "centos")  # platforms and Pythons are searchable too
        assert page.locator("#plugins tbody tr:visible").count() == 0
        page.fill("#filter", "linux_x86_64")
        assert page.locator("#plugins tbody tr:visible").count() == 1
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
        assert page.locator("#plugins tbody tr:visible a").inner_text() == "evil-plugin"
        page.screenshot(path=str(tmp_path / "hostile.png"), full_page=True)
        browser.close()
    assert dialogs == []
    assert errors == []
    assert json.loads((site / "plugins.json").read_text())[0]["name"] == "evil-plugin"
