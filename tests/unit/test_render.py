from __future__ import annotations

import io
import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from rich.console import Console

from packager.cli.render import progress_renderer
from packager.events import Event


def test_terminal_gets_one_bar_per_target() -> None:
    out = io.StringIO()
    with progress_renderer(Console(file=out, force_terminal=True, width=120)) as show:
        show(Event("building the plugin's wheel"))
        for target in ("cp39-manylinux2014_x86_64", "cp311-manylinux2014_x86_64"):
            show(Event("resolving", target, "resolve"))
            show(Event("p-1-py311-none-any.wgn (3 wheels)", target, "done"))
    text = out.getvalue()
    assert "cp39-manylinux2014_x86_64" in text
    assert "cp311-manylinux2014_x86_64" in text
    assert "(3 wheels)" in text


def test_pipes_get_plain_lines(capsys: pytest.CaptureFixture[str]) -> None:
    with progress_renderer(Console(file=io.StringIO(), force_terminal=False)) as show:
        show(Event("resolving 1 requirements", "cp311-manylinux2014_x86_64", "resolve"))
        show(Event("no target"))
    assert capsys.readouterr().err.splitlines() == [
        "cp311-manylinux2014_x86_64: resolving 1 requirements",
        "no target",
    ]


def test_plain_lines_from_many_threads_stay_whole(capfd: pytest.CaptureFixture[str]) -> None:
    with progress_renderer(Console(file=io.StringIO(), force_terminal=False)) as show:

        def downloads(thread: int) -> None:
            for n in range(300):
                show(Event(f"downloaded file-{thread}-{n}.whl", "cp311-x", "fetch"))

        with ThreadPoolExecutor(8) as pool:
            list(pool.map(downloads, range(8)))
    lines = capfd.readouterr().err.splitlines()
    assert len(lines) == 8 * 300
    assert all(re.fullmatch(r"cp311-x: downloaded file-\d-\d+\.whl", line) for line in lines)

