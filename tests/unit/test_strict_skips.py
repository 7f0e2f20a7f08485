"""STRICT_SKIPS: a skip the allow-list does not name fails the run (issue 23: skips for
missing Pythons or tools hid coverage in CI)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]
CONFTEST = Path(__file__).parents[1] / "conftest.py"
TESTS = """
import pytest

def test_runs():
    pass

@pytest.mark.skip(reason="no QEMU here")
def test_needs_qemu():
    pass
"""


@pytest.mark.parametrize(("allowed", "outcome"), [
    ("", pytest.ExitCode.TESTS_FAILED),
    ('"test_x.py::test_needs_qemu" = "QEMU is not in this image"', pytest.ExitCode.OK),
])
def test_a_skip_outside_the_allow_list_fails_the_run(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, allowed: str,
    outcome: pytest.ExitCode,
) -> None:
    pytester.makeconftest(CONFTEST.read_text(encoding="utf-8"))
    pytester.makepyfile(test_x=TESTS)
    listing = pytester.path / "allowed.toml"
    listing.write_text(f"[allowed]\n{allowed}\n", encoding="utf-8")
    monkeypatch.setenv("STRICT_SKIPS", str(listing))
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, skipped=1)
    assert result.ret == outcome
    if outcome != pytest.ExitCode.OK:
        result.stdout.fnmatch_lines(["*skips not in the allow-list*",
                                     "test_x.py::test_needs_qemu: *no QEMU here"])


def test_without_strict_skips_a_skip_is_a_skip(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch,
) -> None:
    pytester.makeconftest(CONFTEST.read_text(encoding="utf-8"))
    pytester.makepyfile(test_x=TESTS)
    monkeypatch.delenv("STRICT_SKIPS", raising=False)
    assert pytester.runpytest_inprocess("-p", "no:cacheprovider").ret == pytest.ExitCode.OK
