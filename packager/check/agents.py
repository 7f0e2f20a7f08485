"""What each Cloudify executor provides to a plugin's operations (resources/agents.toml)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from .._toml import resource

CENTRAL = "central_deployment_agent"  # the manager's mgmtworker; workflows always run there
HOST = "host_agent"
_WHERE = {CENTRAL: "the manager's mgmtworker", HOST: "the host agent"}


@cache
def _table() -> tuple[frozenset[str], dict[str, frozenset[str]]]:
    data = resource("agents.toml")
    every, executors = data.get("every"), data.get("executors")
    if (not isinstance(every, list) or not isinstance(executors, dict)
            or set(executors) != set(_WHERE)):
        raise ValueError(f"agents.toml: `every` and [executors] {', '.join(_WHERE)} are required")
    return frozenset(every), {name: frozenset(mods) for name, mods in executors.items()}


def provided(executors: Iterable[str], extra: Iterable[str] = ()) -> frozenset[str]:
    """Top-level modules any of the named executors has (none named: what all of them have), plus
    `extra` (`--agent-provides`); an executor the table does not know adds nothing."""
    every, by_executor = _table()
    return every | {m.split(".")[0] for m in extra} | frozenset().union(
        *(by_executor.get(e, frozenset()) for e in set(executors)))


def where(executors: Iterable[str]) -> str:
    """Who provides what `provided` lists, for messages."""
    named = sorted({_WHERE[e] for e in executors if e in _WHERE})
    return " or ".join(named) if named else "the agent"
