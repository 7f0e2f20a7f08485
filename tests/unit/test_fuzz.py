"""A generated corpus of malformed wagons, build reports, site states and plugin YAMLs, fed to
show, validate, index, merge and diff: each answers with an exit code of the README's table and
at most one error line, never a traceback, and writes nothing outside the folders it was given.

The corpus is seeded, so a failure names a case that fails again the same way."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import random
import tarfile
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from packager.cli import main
from packager.errors import ExitCode
from packager.wagon.metadata import METADATA_FILE

from .. import wagons

SEED = 20261206
CODES = {int(code) for code in ExitCode}
# Values a hostile package.json, report or state puts where a name, number or list belongs.
JUNK: list[Any] = [
    None, 0, -1, 10**30, 1.5, True, "", "x" * 5000, [], {}, [[["deep"]]], {"a": {"b": None}},
    "../../outside", "/etc/passwd", "a\tb", "a\nb", "\x1b[31mred", "\x00", "a/../../b", "..",
    "C:\\windows", "é" * 300, ["../../x.whl"], ["/abs.whl"], [None], [1, 2],
    {"file": "../../x"}, "{{ 7*7 }}",
]
BILLION_LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join('*' + chr(97 + i) for _ in range(9))}]\n"
    for i in range(9)
)


def nested_json(depth: int) -> str:
    return "[" * depth + "]" * depth


# --- wagons -------------------------------------------------------------------------------------

def _zip_members(members: list[tuple[str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for name, data in members:
            archive.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data)
    return buf.getvalue()


def _tar_members(members: list[tuple[str, bytes]], extra: Callable[[tarfile.TarFile], None]
                 | None = None) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz", format=tarfile.PAX_FORMAT) as archive:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        if extra:
            extra(archive)
    return buf.getvalue()


def _members(layout: wagons.Layout) -> list[tuple[str, bytes]]:
    top = layout.top
    members = [(f"{top}/{METADATA_FILE}",
                json.dumps(layout.metadata, indent=4, sort_keys=True).encode())]
    members += [(f"{top}/wheels/{n}", b) for n, b in layout.wheels.items()]
    members += [(f"{top}/files/{n}", b) for n, b in layout.files.items()]
    return members


def _pack(layout: wagons.Layout, rng: random.Random) -> bytes:
    members = _members(layout)
    return _zip_members(members) if rng.random() < 0.6 else _tar_members(members)


def _set_key(rng: random.Random) -> bytes:
    layout = wagons.hello()
    key = rng.choice(sorted(layout.metadata))
    layout.metadata[key] = rng.choice(JUNK)
    return _pack(layout, rng)


def _drop_key(rng: random.Random) -> bytes:
    layout = wagons.hello()
    del layout.metadata[rng.choice(sorted(layout.metadata))]
    return _pack(layout, rng)


def _set_ours(rng: random.Random) -> bytes:
    layout = wagons.hello()
    ours = layout.metadata["plugin_packager"]
    ours[rng.choice(sorted(ours))] = rng.choice(JUNK)
    return _pack(layout, rng)


def _hostile_member(rng: random.Random) -> bytes:
    layout = wagons.hello()
    name = rng.choice([
        "../../outside", "/abs/path", f"{layout.top}/../../x", f"{layout.top}/files/a\nb",
        f"{layout.top}/files/\x1b[2J", f"{layout.top}/files/" + "n" * 300,
        f"{layout.top}/" + "d/" * 2000 + "f", f"{layout.top}/wheels/../../y.whl",
        f"{layout.top}\\..\\z", f"{layout.top}/files/\x00x",
    ])
    return _zip_members([*_members(layout), (name, b"x")]) if rng.random() < 0.5 else (
        _tar_members([*_members(layout), (name, b"x")]))


def _links(rng: random.Random) -> bytes:
    layout = wagons.hello()

    def add(archive: tarfile.TarFile) -> None:
        link = tarfile.TarInfo(f"{layout.top}/files/link")
        link.type = rng.choice([tarfile.SYMTYPE, tarfile.LNKTYPE])
        link.linkname = rng.choice(["/etc/passwd", "../../../outside", f"{layout.top}/files"])
        archive.addfile(link)
        if rng.random() < 0.5:
            device = tarfile.TarInfo(f"{layout.top}/files/dev")
            device.type = tarfile.CHRTYPE
            archive.addfile(device)

    return _tar_members(_members(layout), add)


def _metadata_bytes(rng: random.Random) -> bytes:
    layout = wagons.hello()
    members = _members(layout)
    members[0] = (members[0][0], rng.choice([
        b"", b"not json", b"\xff\xfe\x00", b"[]", b"null", b'"text"', b"{" * 50,
        nested_json(100_000).encode(), b'{"package_name": ' + nested_json(5000).encode() + b"}",
        json.dumps({k: None for k in layout.metadata}).encode(),
    ]))
    return _zip_members(members)


def _yaml(rng: random.Random) -> bytes:
    layout = wagons.hello()
    layout.files["plugin.yaml"] = rng.choice([
        BILLION_LAUGHS, "[" * 20_000 + "]" * 20_000, "plugins: [", "- a\n- b\n",
        "x: !!python/object:os.system {}",
        "plugins:\n  hello:\n    package_name: *undefined\n", "\t\x01", "plugins: 5",
        "plugins:\n  hello:\n    executor: central_deployment_agent\n    package_name: ../../x\n",
    ]).encode()
    return _pack(layout, rng)


def _wheels(rng: random.Random) -> bytes:
    layout = wagons.hello()
    name = rng.choice(sorted(layout.wheels))
    data = layout.wheels.pop(name)
    choice = rng.randrange(4)
    if choice == 0:
        layout.wheels[name] = data[: rng.randrange(len(data))]
    elif choice == 1:
        layout.wheels["not-a-wheel.whl"] = data
    elif choice == 2:
        layout.wheels[name] = _zip_members([("../../evil.py", b"x"), ("a/" * 500 + "b", b"")])
    else:
        layout.wheels[name.replace("1.0.0", "9.9.9")] = data
    return _pack(layout, rng)


def _damage(rng: random.Random) -> bytes:
    data = bytearray(_pack(wagons.hello(), rng))
    if rng.random() < 0.5:
        return bytes(data[: rng.randrange(len(data))])
    for _ in range(rng.randrange(1, 20)):
        data[rng.randrange(len(data))] = rng.randrange(256)
    return bytes(data)


def _not_an_archive(rng: random.Random) -> bytes:
    return rng.choice([
        b"", b"PK\x03\x04", b"\x1f\x8b", gzip.compress(b"not a tar" * 100),
        gzip.compress(b"\0" * 10_000_000), bytes(rng.randrange(256) for _ in range(2000)),
        _zip_members([]), _tar_members([]),
    ])


WAGON_MAKERS = [_set_key, _drop_key, _set_ours, _hostile_member, _links, _metadata_bytes, _yaml,
                _wheels, _damage, _not_an_archive]


def wagon_corpus(count: int) -> Iterator[tuple[str, bytes]]:
    rng = random.Random(SEED)
    for number in range(count):
        make = WAGON_MAKERS[number % len(WAGON_MAKERS)]
        yield f"{number:03d}-{make.__name__.strip('_')}", make(rng)


# --- build reports ------------------------------------------------------------------------------

def good_report(out: Path, rng: random.Random) -> dict[str, Any]:
    """A cell as `build --only` leaves it, with one real wagon; returns its report."""
    layout = wagons.hello()
    path = layout.write(out)
    data = path.read_bytes()
    md5, sha = hashlib.md5(data).hexdigest(), hashlib.sha256(data).hexdigest()
    for suffix, text in ((".md5", md5), (".sha256", sha), (".cdx.json", "{}")):
        (out / (path.name + suffix)).write_text(text + "\n")
    return {"package_name": "hello-plugin", "package_version": "1.0.0", "output": str(out),
            "source_date_epoch": 0, "source": {"git": None, "tree": "ab" * 32},
            "wagons": [{"file": path.name, "targets": ["cp311-manylinux2014_x86_64"],
                        "platform": "manylinux2014_x86_64", "python_versions": ["py311"],
                        "sha256": sha, "md5": md5, "size": len(data), "wheels": []}]}


def mutate_report(report: dict[str, Any], rng: random.Random) -> str:
    choice = rng.randrange(6)
    if choice == 0:
        report[rng.choice(sorted(report))] = rng.choice(JUNK)
    elif choice == 1:
        wagon = report["wagons"][0]
        wagon[rng.choice(sorted(wagon))] = rng.choice(JUNK)
    elif choice == 2:
        report["wagons"][0]["file"] = rng.choice(JUNK[12:])
    elif choice == 3:
        del report[rng.choice(sorted(report))]
    elif choice == 4:
        return rng.choice([nested_json(100_000), "{", "", "\xff", "[]", "null"])
    else:
        report["wagons"] = rng.choice(JUNK)
    return json.dumps(report)


# --- the runs -----------------------------------------------------------------------------------

@pytest.fixture
def runner(tmp_path: Path) -> CliRunner:
    # No interpreter and no QEMU: validate checks in process and skips its clean rooms.
    empty = tmp_path / "empty-path"
    empty.mkdir()
    return CliRunner(env={"PATH": str(empty), "HOME": str(tmp_path / "home"),
                          "PYENV_ROOT": str(tmp_path / "no-pyenv"), "SOURCE_DATE_EPOCH": "0",
                          "PLUGIN_PACKAGER_CACHE": str(tmp_path / "cache"), "GITHUB_ACTIONS": ""})


def tree(root: Path) -> dict[str, int]:
    return {str(p.relative_to(root)): p.lstat().st_size for p in root.rglob("*")}


def assert_handled(result: Any, case: str) -> None:
    """An exit code of the table, no traceback, and an error in one line."""
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{case}: {type(result.exception).__name__}: {result.exception}")
    assert result.exit_code in CODES, f"{case}: exit {result.exit_code}"
    assert "Traceback" not in result.output, case
    errors = [line for line in result.output.splitlines() if "error:" in line]
    assert len(errors) <= 1, f"{case}: {errors}"


def test_malformed_wagons(tmp_path: Path, runner: CliRunner) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep").write_text("kept")
    cases = 0
    for case, data in wagon_corpus(200):
        work = tmp_path / case
        work.mkdir()
        wagon = work / "hello_plugin-1.0.0-manylinux-py311-none-manylinux2014_x86_64.wgn"
        wagon.write_bytes(data)
        before = tree(tmp_path)
        for args in (["show", str(wagon)], ["show", "--json", str(wagon)],
                     ["validate", str(wagon)], ["diff", str(work), str(work)],
                     ["index", str(wagon), "-o", str(work / "site"), "--relative"]):
            result = runner.invoke(main, args)
            assert_handled(result, f"{case} {args[0]}")
        after = tree(tmp_path)
        new = {p for p in set(after) - set(before)
               if not p.startswith((f"{case}/site", "cache", "home"))}
        assert not new, f"{case} wrote outside its folders: {sorted(new)[:5]}"
        assert (outside / "keep").read_text() == "kept"
        cases += 1
    assert cases == 200


def test_malformed_reports_for_merge_and_diff(tmp_path: Path, runner: CliRunner) -> None:
    rng = random.Random(SEED)
    for number in range(200):
        case = tmp_path / f"r{number:03d}"
        cell = case / "cell"
        cell.mkdir(parents=True)
        report = good_report(cell, rng)
        (cell / "build-report.json").write_text(mutate_report(report, rng))
        before = tree(tmp_path)
        release = case / "release"
        for args in (["merge", str(cell), "-o", str(release)], ["diff", str(cell), str(cell)]):
            result = runner.invoke(main, args)
            assert_handled(result, f"r{number:03d} {args[0]}")
        new = {p for p in set(tree(tmp_path)) - set(before)
               if not p.startswith((f"r{number:03d}/release", "cache", "home"))}
        assert not new, f"r{number:03d} wrote outside RELEASE: {sorted(new)[:5]}"


def test_damaged_site_states(tmp_path: Path, runner: CliRunner) -> None:
    rng = random.Random(SEED)
    source = tmp_path / "wagons"
    source.mkdir()
    wagon = wagons.hello().write(source)
    for number in range(60):
        site = tmp_path / f"s{number:02d}"
        first = runner.invoke(main, ["index", str(wagon), "-o", str(site), "--relative"])
        assert first.exit_code == 0, first.output
        files = sorted(p for p in (site / ".site-state").rglob("*") if p.is_file())
        target = rng.choice(files)
        target.write_bytes(rng.choice([
            b"", b"\xff\xfe", nested_json(100_000).encode(), b"a\tb\tc\n" * 3,
            b"../../x\t1\t2\n", target.read_bytes()[: rng.randrange(1, 64)],
            json.dumps(rng.choice(JUNK)).encode(),
        ]))
        before = tree(tmp_path)
        for args in (["index", str(wagon), "-o", str(site), "--relative"],
                     ["diff", str(site), str(source)]):
            result = runner.invoke(main, args)
            assert_handled(result, f"s{number:02d} {target.name} {args[0]}")
        new = {p for p in set(tree(tmp_path)) - set(before) if not p.startswith(
            (f"s{number:02d}", "cache", "home"))}
        assert not new, f"s{number:02d} wrote outside the site: {sorted(new)[:5]}"
