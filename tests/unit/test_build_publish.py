"""Issue 20 item 2: a build's outputs reach the output directory as one unit. A build killed at any
rename (a forked child that dies with os._exit, as kill -9: no cleanup runs) leaves the old build
or a committed new one, and the next build finishes or drops what it left before any work."""

from __future__ import annotations

import hashlib
import json
import os
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from packager.builder import pipeline
from packager.builder.config import load_options
from packager.wagon.report import REPORT_NAME, SBOM_SUFFIX, BuildReport, WagonResult

NAMES = ("a_plugin-1.0-py311-none-linux_x86_64.wgn", "a_plugin-1.0-py312-none-linux_x86_64.wgn")


def _build(tmp: Path, label: str) -> tuple[BuildReport, dict[str, Path]]:
    """A build's report and staged files, as build_wagons hands them to _publish."""
    wagons, staged = [], {}
    for name in NAMES:
        path = tmp / label / name
        path.parent.mkdir(parents=True, exist_ok=True)
        data = f"{label} {name}".encode()
        path.write_bytes(data)
        path.with_name(name + SBOM_SUFFIX).write_text(f'{{"sbom of": "{label} {name}"}}')
        wagons.append(WagonResult(name, ["t"], "linux_x86_64", ["py311"],
                                  hashlib.sha256(data).hexdigest(), hashlib.md5(data).hexdigest(),
                                  len(data), []))
        staged[name] = path
    return BuildReport("a-plugin", "1.0", "out", 0, wagons, {"git": label}), staged


def _which_build(output: Path) -> str | None:
    """The one build `output` shows whole ("old" or "new"), else None."""
    report = json.loads((output / REPORT_NAME).read_text())
    label = report["source"]["git"]
    if sorted(w["file"] for w in report["wagons"]) != sorted(p.name for p in output.glob("*.wgn")):
        return None
    for wagon in report["wagons"]:
        data = (output / wagon["file"]).read_bytes()
        sidecars = [(output / f"{wagon['file']}.{a}").read_text().strip() for a in ("md5", "sha256")]
        sbom = json.loads((output / (wagon["file"] + SBOM_SUFFIX)).read_text())
        if (data != f"{label} {wagon['file']}".encode()
                or sidecars != [hashlib.md5(data).hexdigest(), hashlib.sha256(data).hexdigest()]
                or sbom != {"sbom of": f"{label} {wagon['file']}"}):
            return None
    return str(label)


Build = tuple[BuildReport, dict[str, Path]]


def _in_child(build: Build, output: Path, at_rename: int, fault: Callable[[], None]) -> int:
    """_publish `build` in a forked child whose `at_rename`th rename calls `fault` first; its
    exit status."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        count = 0
        real_replace, real_rename = os.replace, os.rename

        def counted(real: Callable[..., None]) -> Callable[..., None]:
            def rename(*args: Any, **kwargs: Any) -> None:
                nonlocal count
                count += 1
                if count == at_rename:
                    fault()
                real(*args, **kwargs)
            return rename

        os.replace, os.rename = counted(real_replace), counted(real_rename)
        try:
            pipeline._publish(*build, output)
        finally:
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def _next_build_starts(output: Path, tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A build into `output` up to where it would start resolving."""
    project = tmp / "project"
    project.mkdir(exist_ok=True)
    (project / "pyproject.toml").write_text("[project]\nname = 'a-plugin'\nversion = '1.0'\n")

    def resolving(*_args: Any, **_kwargs: Any) -> None:
        raise LookupError("resolving")

    monkeypatch.setattr(pipeline, "prepare", resolving)
    with pytest.raises(LookupError, match="resolving"):
        pipeline.build_wagons(load_options(project, {}, {"output": output}), {})


def _hidden(output: Path) -> list[str]:
    return sorted(p.name for p in output.iterdir() if p.name.startswith("."))


def test_a_build_killed_at_any_rename_leaves_one_whole_build_and_the_next_cleans_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = tmp_path / "out"
    pipeline._publish(*_build(tmp_path, "old"), output)
    assert _which_build(output) == "old"
    shown = set()
    for at in range(1, 40):
        died = _in_child(_build(tmp_path, "new"), output, at, lambda: os._exit(9))
        if died == 0:
            break
        assert died == 9
        # Whole, or committed: the next build finishes it before anything else.
        left = _which_build(output)
        if left is None:
            assert (output / ".plugin-packager-publish" / "manifest.json").is_file(), at
        _next_build_starts(output, tmp_path, monkeypatch)
        left = _which_build(output)
        assert left in ("old", "new"), f"killed at rename {at}: a mix of two builds"
        assert _hidden(output) == [], f"killed at rename {at}: temporaries left"
        shown.add(left)
        pipeline._publish(*_build(tmp_path, "old"), output)
    else:
        pytest.fail("the publish never finished")
    assert shown == {"old", "new"}
    assert _which_build(output) == "new"


def test_sigterm_during_the_renames_waits_until_the_build_is_whole(tmp_path: Path) -> None:
    output = tmp_path / "out"
    pipeline._publish(*_build(tmp_path, "old"), output)
    for at in range(1, 40):
        ended = _in_child(_build(tmp_path, "new"), output, at,
                          lambda: os.kill(os.getpid(), signal.SIGTERM))
        assert _which_build(output) in ("old", "new"), f"SIGTERM at rename {at}: a mix"
        if ended == 0:
            break
        assert ended == -signal.SIGTERM
        pipeline._publish(*_build(tmp_path, "old"), output)
    assert _which_build(output) == "new"


def test_the_next_build_removes_only_temporaries_a_killed_build_of_ours_left(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = tmp_path / "out"
    pipeline._publish(*_build(tmp_path, "old"), output)
    ours = [f".{NAMES[0]}.k2_9xq0a.tmp", f".{NAMES[0]}.sha256.abcdefgh.tmp",
            f".{NAMES[1]}{SBOM_SUFFIX}.a1b2c3d4.tmp", f".{REPORT_NAME}.zz00zz00.tmp"]
    theirs = [".notes.abcdefgh.tmp", ".env", f".{NAMES[0]}.tmp", "notes.wgn.abcdefgh.tmp"]
    for name in ours + theirs:
        (output / name).write_text("x")
    (output / ".plugin-packager-publish").mkdir()
    (output / ".plugin-packager-publish" / NAMES[0]).write_text("half")
    _next_build_starts(output, tmp_path, monkeypatch)
    assert _hidden(output) == sorted(n for n in theirs if n.startswith("."))
    assert (output / "notes.wgn.abcdefgh.tmp").exists()
    assert _which_build(output) == "old"


@pytest.mark.parametrize("names", [["../x", NAMES[0]], ["manifest.json", NAMES[0]],
                                   [str(Path.cwd() / "x"), NAMES[0]], {"a": 1}, "deep"])
def test_a_manifest_naming_paths_renames_nothing_and_is_dropped(
    names: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = tmp_path / "out"
    pipeline._publish(*_build(tmp_path, "old"), output)
    (tmp_path / "x").write_text("mine")
    (output / "manifest.json").write_text("mine")
    stage = output / ".plugin-packager-publish"
    stage.mkdir()
    (stage / "x").write_text("theirs")
    # "deep": nested past any bound (json.loads of it was a RecursionError).
    deep = "[" * 100_000 + "]" * 100_000
    (stage / "manifest.json").write_text(deep if names == "deep" else json.dumps(names))
    (stage / NAMES[0]).write_text("theirs")
    _next_build_starts(output, tmp_path, monkeypatch)
    assert (tmp_path / "x").read_text() == (output / "manifest.json").read_text() == "mine"
    assert _which_build(output) == "old"
    assert _hidden(output) == []
