"""A lock records the constraints and exclusions it answers, so changing them makes it stale."""

from __future__ import annotations

from pathlib import Path

import pytest

from packager.builder.inputs import TargetInputs
from packager.builder.lock import read_lock, write_lock
from packager.errors import ResolutionError
from packager.targets import BuildTarget, Host, parse_platform


def test_changed_constraints_make_a_lock_stale(tmp_path: Path, host: Host) -> None:
    target = BuildTarget((3, 11), parse_platform("manylinux2014_x86_64", host))
    (tmp_path / "uv.toml").write_text('lock-version = "1.0"\n')
    locked = ["six", *TargetInputs(constraints=("six==1.16.0",)).record()]
    write_lock(tmp_path / "uv.toml", tmp_path / "pylock.toml", target, locked)
    assert read_lock(tmp_path / "pylock.toml", target, locked) == []
    changed = ["six", *TargetInputs(constraints=("six==1.17.0",)).record()]
    with pytest.raises(ResolutionError, match="is stale"):
        read_lock(tmp_path / "pylock.toml", target, changed)
