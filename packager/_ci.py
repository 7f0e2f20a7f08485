"""Whether a command runs as a step of a GitHub Actions job, read from the environment given."""

from __future__ import annotations

from collections.abc import Mapping


def in_github_actions(env: Mapping[str, str]) -> bool:
    """GitHub Actions sets GITHUB_ACTIONS=true in every step; any other value is not a runner."""
    return env.get("GITHUB_ACTIONS") == "true"
