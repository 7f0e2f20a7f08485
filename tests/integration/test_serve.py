"""`serve` on hostile requests: an answer, never a traceback, and it keeps serving (issue 20)."""

from __future__ import annotations

import re
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def test_a_nul_in_the_path_is_a_bad_request_and_the_server_keeps_serving(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<title>Plugins</title>")
    with subprocess.Popen([sys.executable, "-m", "packager", "serve", tmp_path, "--port", "0"],
                          stderr=subprocess.PIPE, text=True) as proc:
        try:
            assert proc.stderr is not None
            line = proc.stderr.readline()
            found = re.search(r"http://127\.0\.0\.1:\d+/", line)
            assert found, line
            for path in ("%00", "a%00b/index.html", "index.html%00", "%ed%a0%80"):
                assert _status(found.group(0) + path) in (400, 404), path
            assert _status(found.group(0)) == 200
        finally:
            proc.terminate()
            _, stderr = proc.communicate(timeout=10)
    assert "Traceback" not in stderr, stderr
