"""Hostile plugin YAMLs the tests write themselves: small files that cost a naive reader dearly."""

from __future__ import annotations

HEAD = """plugins:
  hello:
    executor: central_deployment_agent
    package_name: hello-plugin
    package_version: '1.0.0'
"""


def laughs(levels: int = 9, fanout: int = 10) -> str:
    """"Billion laughs": each level an anchored list of `fanout` aliases of the one below, so the
    last stands for fanout**levels strings in a file of a few hundred bytes."""
    lines = [HEAD, "data_types:\n  l0: &l0 [lol]\n"]
    for level in range(1, levels + 1):
        lines.append(f"  l{level}: &l{level} [{', '.join([f'*l{level - 1}'] * fanout)}]\n")
    return "".join(lines)


def nested(depth: int) -> str:
    """A value `depth` flow sequences deep: `[[[...]]]`."""
    return f"{HEAD}data_types: {'[' * depth}{']' * depth}\n"
