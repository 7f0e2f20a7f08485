"""Issue 20 item 11: an output directory that cannot be written (a file on its path, a read-only
or full filesystem) is one line and exit 2 for build, index, merge and bundle, checked before the
work; a full disk while writing is one line too, and leaves nothing half-written. Root ignores
modes, so read-only and full filesystems are injected at the write helpers."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import pytest
from click.testing import CliRunner, Result

from packager.builder import pipeline, publish
from packager.cli import main
from packager.errors import ConfigError
from packager.release import merge
from packager.site import bundle, state
from packager.wagon import writer

from .test_build_publish import _build, _which_build
from .test_merge import cell
from .test_site_index import ENV, hello, write


def _failing(code: int) -> Callable[..., NoReturn]:
    def fail(*_args: Any, **_kwargs: Any) -> NoReturn:
        raise OSError(code, os.strerror(code))
    return fail


def _no_work(*_args: Any, **_kwargs: Any) -> NoReturn:
    raise AssertionError("the work started")


def _tree(root: Path) -> dict[str, bytes | None]:
    return {str(p.relative_to(root)): p.read_bytes() if p.is_file() else None
            for p in sorted(root.rglob("*"))}


@pytest.fixture
def inputs(tmp_path: Path) -> dict[str, Path]:
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text("[project]\nname = 'p'\nversion = '1'\n")
    return {"project": project, "wagon": write(hello("1.0.0"), tmp_path / "wagons"),
            "cell": cell(tmp_path / "cells", "cp311-a")}


def _commands(inputs: dict[str, Path], out: Path) -> dict[str, list[str]]:
    return {
        "build": ["build", str(inputs["project"]), "-o", str(out)],
        "index": ["index", str(inputs["wagon"]), "-o", str(out), "--relative"],
        "merge": ["merge", str(inputs["cell"]), "-o", str(out)],
        "bundle": ["bundle", str(inputs["wagon"]), "-o", str(out / "b.tgz")],
    }


def _one_line(result: Result, *words: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    (line,) = result.output.splitlines()
    assert line.startswith("plugin-packager: error: "), line
    assert "(hint: " in line, line
    for word in words:
        assert word in line, line


@pytest.mark.parametrize("command", ["build", "index", "merge", "bundle"])
def test_an_output_under_a_file_is_one_line_before_any_work(
    command: str, inputs: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "file").write_text("mine")
    out = tmp_path / "file" / "sub"
    monkeypatch.setattr(pipeline, "prepare", _no_work)
    before = _tree(tmp_path)
    _one_line(CliRunner(env=ENV).invoke(main, _commands(inputs, out)[command]),
              f"is under {tmp_path / 'file'}, which is a file, not a directory")
    assert _tree(tmp_path) == before


@pytest.mark.parametrize("code", [errno.EROFS, errno.ENOSPC])
@pytest.mark.parametrize("command", ["build", "index", "merge", "bundle"])
def test_a_read_only_or_full_filesystem_is_one_line_before_any_work(
    command: str, code: int, inputs: dict[str, Path], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "out"
    monkeypatch.setattr(pipeline, "prepare", _no_work)
    monkeypatch.setattr(merge, "load_report", _no_work)
    monkeypatch.setattr(bundle, "find_wagons", _no_work)
    monkeypatch.setattr("packager.site.index.find_wagons", _no_work)
    monkeypatch.setattr(tempfile, "mkstemp", _failing(code))  # the probe: no file can be made
    before = _tree(tmp_path)
    _one_line(CliRunner(env=ENV).invoke(main, _commands(inputs, out)[command]),
              "cannot write to ", os.strerror(code))
    assert _tree(tmp_path) == before


@pytest.mark.skipif(not Path("/sys/kernel").is_dir(), reason="no sysfs on this machine")
@pytest.mark.parametrize("command", ["build", "index", "merge", "bundle"])
def test_a_directory_not_even_root_can_write_is_one_line(
    command: str, inputs: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """sysfs refuses new files to root too: the probe meets a real refusal, not an injected one."""
    monkeypatch.setattr(pipeline, "prepare", _no_work)
    _one_line(CliRunner(env=ENV).invoke(main, _commands(inputs, Path("/sys/pp-out"))[command]),
              "cannot write to ", "/sys/pp-out")


def test_a_full_disk_while_a_build_publishes_keeps_the_old_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    pipeline._publish(*_build(tmp_path, "old"), out)
    real, calls = publish._stage, []

    def fills(*args: Any) -> None:
        calls.append(args)
        if len(calls) == 5:  # the second wagon's companions
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(*args)

    monkeypatch.setattr(publish, "_stage", fills)
    with pytest.raises(ConfigError, match=r"cannot write output .*: No space left on device"):
        pipeline._publish(*_build(tmp_path, "new"), out)
    assert ConfigError.exit_code == 2
    assert _which_build(out) == "old"
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == []


def test_a_full_disk_while_indexing_keeps_the_old_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    runner = CliRunner(env=ENV)
    assert runner.invoke(main, ["index", str(write(hello("1.0.0"), tmp_path / "a")),
                                "-o", str(site), "--relative"]).exit_code == 0
    before = _tree(site)
    monkeypatch.setattr(state, "write_all", _failing(errno.ENOSPC))
    _one_line(runner.invoke(main, ["index", str(write(hello("1.1.0"), tmp_path / "b")),
                                   "-o", str(site), "--relative"]), f"cannot write site {site}")
    assert _published(site) == _published(before)


def _published(site: Path | dict[str, bytes | None]) -> dict[str, bytes | None]:
    """The site's files but its trash of replaced files, which any run empties."""
    tree = site if isinstance(site, dict) else _tree(site)
    return {k: v for k, v in tree.items() if "trash" not in k}


def test_a_full_disk_while_merging_writes_no_release(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = cell(tmp_path / "cells", "cp311-a"), cell(tmp_path / "cells", "cp311-b")
    real = shutil.copyfile
    copied: list[Path] = []

    def fills(source: Path, dest: Path) -> Path:
        copied.append(dest)
        if len(copied) == 6:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(source, dest)

    monkeypatch.setattr(shutil, "copyfile", fills)
    _one_line(CliRunner().invoke(main, ["merge", str(a), str(b), "-o", str(tmp_path / "rel")]),
              "cannot write release", "No space left on device")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cells"]


def test_a_full_disk_while_bundling_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wagon = write(hello("1.0.0"), tmp_path / "a")
    real = writer.write_tar_gz

    def fills(out: Any, *args: Any) -> None:
        real(out, *args)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(bundle, "write_tar_gz", fills)
    _one_line(CliRunner(env=ENV).invoke(main, ["bundle", str(wagon), "-o",
                                               str(tmp_path / "out" / "b.tgz")]),
              "cannot write bundle", "No space left on device")
    assert list((tmp_path / "out").iterdir()) == []


def test_a_sidecar_and_report_name_the_staged_bytes(tmp_path: Path) -> None:
    out = tmp_path / "out"
    report, staged = _build(tmp_path, "new")
    pipeline._publish(report, staged, out)
    written = json.loads((out / "build-report.json").read_text())
    for wagon in written["wagons"]:
        data = (out / wagon["file"]).read_bytes()
        assert (out / f"{wagon['file']}.sha256").read_text() == hashlib.sha256(data).hexdigest() + "\n"
        assert (out / wagon["file"]).stat().st_mode & 0o777 == 0o644
