"""Hostile input against the real CLI, each run bounded by the test itself (1 GiB of address
space, seconds of time): archive bombs, nested JSON, names too long for the filesystem and
control characters all end in one line and the README's exit code, never a traceback."""

from __future__ import annotations

import gzip
import io
import os
import resource
import subprocess
import sys
import tarfile
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from packager.errors import ExitCode

from .. import wagons

MEMORY = 1 << 30
SECONDS = 10
DEEP_JSON = b"[" * 100_000 + b"]" * 100_000
BASE_URL = "https://plugins.example.org/"
# The commands that read a wagon, each given the wagon and a fresh output path under `tmp`.
READERS = {
    "show": lambda w, tmp: ["show", w],
    "validate": lambda w, tmp: ["validate", w],
    "install": lambda w, tmp: ["install", w, "--target-dir", tmp / "target"],
    "diff": lambda w, tmp: ["diff", w, w],
    "index": lambda w, tmp: ["index", w, "-o", tmp / "site", "--base-url", BASE_URL],
}


def _bounded() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def bounded(*args: str | Path, cwd: Path | None = None,
            seconds: float = SECONDS) -> subprocess.CompletedProcess[str]:
    """plugin-packager in a process of at most 1 GiB that must end within `seconds`."""
    return subprocess.run([sys.executable, "-m", "packager", *map(str, args)], cwd=cwd, check=False,
                          capture_output=True, text=True, timeout=seconds, preexec_fn=_bounded,
                          env={**os.environ, "PLUGIN_PACKAGER_CACHE": str(cwd or Path.cwd())})


def refused(proc: subprocess.CompletedProcess[str], code: ExitCode, *words: str) -> None:
    output = proc.stdout + proc.stderr
    assert "Traceback" not in output, output[-3000:]
    assert proc.returncode == code, output[-3000:]
    line = next((ln for ln in output.splitlines() if all(w in ln for w in words)), None)
    assert line is not None, f"no line says {words}:\n{output[-3000:]}"
    assert len(line) < 600


def retar(zip_wagon: Path, dest: Path, pax: dict[str, dict[str, str]]) -> Path:
    """The zip wagon's members as a pax tar.gz, with extra pax headers on the members named."""
    raw = io.BytesIO()
    with zipfile.ZipFile(zip_wagon) as source, \
            tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for member in source.infolist():
            info = tarfile.TarInfo(member.filename)
            info.size, info.pax_headers = member.file_size, pax.get(member.filename, {})
            archive.addfile(info, io.BytesIO(source.read(member)))
    dest.write_bytes(gzip.compress(raw.getvalue(), 9, mtime=0))
    return dest


def rezip(zip_wagon: Path, dest: Path, changes: dict[str, bytes]) -> Path:
    """The zip wagon with members replaced or added."""
    with zipfile.ZipFile(zip_wagon) as source, zipfile.ZipFile(dest, "w") as out:
        for member in source.infolist():
            if member.filename not in changes:
                out.writestr(member, source.read(member))
        for name, data in changes.items():
            out.writestr(name, data)
    return dest


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The hostile wagons, each written once."""
    root = tmp_path_factory.mktemp("hostile")
    (root / "good").mkdir()
    good = wagons.hello().write(root / "good")
    deep = io.BytesIO()
    with tarfile.open(fileobj=deep, mode="w", format=tarfile.PAX_FORMAT) as archive:
        info = tarfile.TarInfo("hello-plugin/" + "a/" * 1_000_000 + "f")
        info.size = 1
        archive.addfile(info, io.BytesIO(b"x"))
    (root / "deep.wgn").write_bytes(gzip.compress(deep.getvalue(), 9, mtime=0))
    bomb = {"hello-plugin/package.json": {"comment": "x" * (200 << 20)}}
    return {
        "deep": root / "deep.wgn",
        "pax-bomb": retar(good, root / "pax-bomb.wgn", bomb),
        "deep-json": rezip(good, root / "deep-json.wgn", {"hello-plugin/package.json": DEEP_JSON}),
        "long-name": rezip(good, root / "long-name.wgn", {f"hello-plugin/files/{'n' * 300}": b""}),
    }


def test_the_hostile_wagons_are_small(hostile: dict[str, Path]) -> None:
    assert hostile["deep"].stat().st_size < 2500
    assert hostile["pax-bomb"].stat().st_size < 250_000


@pytest.mark.parametrize("command", sorted(READERS))
@pytest.mark.parametrize(("wagon", "words"), [
    ("deep", ("refused deep.wgn: an extended tar header of 2000",)),
    ("pax-bomb", ("refused pax-bomb.wgn: an extended tar header of 209715",)),
    ("deep-json", ("package.json is not valid JSON: nested more than 64 levels deep",)),
    ("long-name", ("has a name longer than 255 bytes",)),
])
def test_a_hostile_wagon_is_one_line_within_bounds(
    hostile: dict[str, Path], tmp_path: Path, command: str, wagon: str, words: tuple[str, ...]
) -> None:
    proc = bounded(*READERS[command](hostile[wagon], tmp_path), cwd=tmp_path)
    refused(proc, ExitCode.CHECK_FAILED, *words)
    assert not (tmp_path / "target").exists()
    assert not (tmp_path / "site" / "hello-plugin").exists()


def test_a_deep_build_report_is_one_line(tmp_path: Path) -> None:
    cells = [tmp_path / "a", tmp_path / "b"]
    for cell in cells:
        cell.mkdir()
        (cell / "build-report.json").write_bytes(DEEP_JSON)
    proc = bounded("merge", *cells, "-o", tmp_path / "release", cwd=tmp_path)
    refused(proc, ExitCode.CHECK_FAILED, "is not a build report: nested more than 64 levels")
    assert not (tmp_path / "release").exists()


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "in").mkdir()
    wagon = wagons.hello().write(tmp_path / "in")
    bounded("index", wagon, "-o", tmp_path / "site", "--base-url", BASE_URL, cwd=tmp_path)
    assert (tmp_path / "site" / "catalog.json").is_file()
    return tmp_path / "site"


def test_a_deep_catalog_is_one_line(site: Path, tmp_path: Path) -> None:
    (site / "catalog.json").write_bytes(DEEP_JSON)
    proc = bounded("diff", site, site, cwd=tmp_path)
    refused(proc, ExitCode.CHECK_FAILED, "is not a site catalog: nested more than 64 levels")


def test_a_deep_site_state_is_one_line(site: Path, tmp_path: Path) -> None:
    (site / ".site-state" / "site.json").write_bytes(DEEP_JSON)
    layout = wagons.hello()
    layout.metadata["package_version"] = "1.0.1"
    (tmp_path / "more").mkdir()
    proc = bounded("index", layout.write(tmp_path / "more"), "-o", site, "--base-url", BASE_URL,
                   cwd=tmp_path)
    refused(proc, ExitCode.CHECK_FAILED, "unreadable site state: nested more than 64 levels")


def test_a_control_character_in_a_description_leaves_the_feed_valid(tmp_path: Path) -> None:
    layout = wagons.hello()
    layout.metadata["plugin_packager"]["description"] = "Says \x01hello\x1b[2J."
    (tmp_path / "in").mkdir()
    proc = bounded("index", layout.write(tmp_path / "in"), "-o", tmp_path / "site",
                   "--base-url", BASE_URL, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    feed = ET.parse(tmp_path / "site" / "feed.xml").getroot()
    summaries = [e.text for e in feed.iter("{http://www.w3.org/2005/Atom}summary")]
    # The title is the plugin YAML's plugin name when none is configured.
    assert summaries == ["hello: Says \ufffdhello\ufffd[2J."]


def test_validate_prints_a_member_name_escaped_on_one_line(tmp_path: Path) -> None:
    good = wagons.hello().write(tmp_path)
    name = "hello-plugin/evil\n  passed   forged: all good\x1b[2J"
    wagon = rezip(good, tmp_path / "forged.wgn", {name: b"x"})
    proc = bounded("validate", wagon, "--interpreter", tmp_path / "no-python", cwd=tmp_path,
                   seconds=120)
    assert "\x1b" not in proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert not [line for line in lines if line.startswith("  passed   forged")]
    (line,) = [line for line in lines if "evil" in line]
    assert line == ("  failed   files: outside package.json, wheels/ and files/:"
                    " evil\\n  passed   forged: all good\\x1b[2J")
    assert proc.returncode == ExitCode.CHECK_FAILED
