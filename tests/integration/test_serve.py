"""`serve` on hostile requests: an answer, never a traceback, and it keeps serving (issue 20)."""

from __future__ import annotations

import re
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def serving(site: Path) -> Iterator[tuple[str, list[str]]]:
    """`plugin-packager serve SITE` on a free port: its URL, and its stderr once it stopped."""
    stderr: list[str] = []
    with subprocess.Popen([sys.executable, "-m", "packager", "serve", site, "--port", "0"],
                          stderr=subprocess.PIPE, text=True) as proc:
        try:
            assert proc.stderr is not None
            line = proc.stderr.readline()
            found = re.search(r"http://127\.0\.0\.1:\d+/", line)
            assert found, line
            yield found.group(0), stderr
        finally:
            proc.terminate()
            stderr.append(proc.communicate(timeout=10)[1])


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def test_a_nul_in_the_path_is_a_bad_request_and_the_server_keeps_serving(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<title>Plugins</title>")
    with serving(tmp_path) as (url, stderr):
        for path in ("%00", "a%00b/index.html", "index.html%00", "%ed%a0%80"):
            assert _status(url + path) == 400, path
        assert _status(url) == 200
    assert "Traceback" not in stderr[0], stderr
