"""One test of "this runs under GitHub Actions" serves the log groups, the step summary and the
error annotation: only GITHUB_ACTIONS=true, as the runner sets it, counts."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from packager._ci import in_github_actions
from packager.cli import main
from packager.cli.render import ci_group


@pytest.mark.parametrize(("value", "expected"), [
    ("true", True), ("false", False), ("True", False), ("1", False), ("", False), (None, False),
])
def test_only_the_runners_own_value_counts(value: str | None, expected: bool) -> None:
    env = {} if value is None else {"GITHUB_ACTIONS": value}
    assert in_github_actions(env) is expected


@pytest.mark.parametrize(("value", "grouped"), [("true", True), ("1", False)])
def test_log_groups_and_error_annotations_follow_the_same_test(
    value: str, grouped: bool, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", value)
    with ci_group("title"):
        pass
    assert ("::group::title" in capsys.readouterr().err) is grouped
    (tmp_path / "not-a.wgn").write_bytes(b"not a wagon")
    result = CliRunner().invoke(main, ["show", str(tmp_path / "not-a.wgn")])
    assert result.exit_code != 0
    assert ("::error title=plugin-packager::" in result.stderr) is grouped
