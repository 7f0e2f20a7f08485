"""What a clean room's import probe answered (rooms.py makes the rooms and runs it), or a static
reading without one, makes of the plugin's imports and operation mappings."""

from __future__ import annotations

import ast
import sys
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..wagon.plugin_yaml import Operation, static_binding
from ..wheels import module_members, read_member
from . import agents
from .report import Check, Finding, Status, from_findings

PASSED, WARNING, FAILED = Status.PASSED, Status.WARNING, Status.FAILED
# Standard modules a newer host lacks and older targets have (distutils, imp, PEP 594).
_REMOVED_STDLIB = frozenset((
    "distutils", "imp", "asynchat", "asyncore", "smtpd", "aifc", "audioop", "cgi", "cgitb",
    "chunk", "crypt", "imghdr", "mailcap", "msilib", "nis", "nntplib", "ossaudiodev", "pipes",
    "sndhdr", "spwd", "sunau", "telnetlib", "uu", "xdrlib", "lib2to3", "binhex", "formatter",
    "parser", "symbol", "dummy_threading", "_dummy_thread",
))
_STDLIB = frozenset(getattr(sys, "stdlib_module_names", ())) | _REMOVED_STDLIB | {"__future__"}


class Shipped:
    """The modules a wagon's wheels install, and the executors', for telling 'provided' from
    'broken' (`agent_provides`: modules the user says every executor has)."""

    def __init__(self, wheels: Sequence[Path], agent_provides: Sequence[str] = ()) -> None:
        self.modules: dict[str, tuple[Path, str]] = {}
        for wheel in wheels:
            for module, member in module_members(wheel).items():
                self.modules.setdefault(module, (wheel, member))
        self.tops = {m.split(".")[0] for m in self.modules}
        self.agent_provides = tuple(agent_provides)

    def by_agent(self, module: str, executors: Iterable[str]) -> bool:
        return module.split(".")[0] in agents.provided(executors, self.agent_provides)

    def unprovided_imports(self, source: bytes, executor: str) -> list[str]:
        """Unconditional top-level imports that neither the wheels, the standard library (of
        the Python running this) nor the executor provide; empty when the stdlib is unknown."""
        if not hasattr(sys, "stdlib_module_names"):
            return []
        names: list[str] = []
        for node in ast.parse(source).body:
            if isinstance(node, ast.Import):
                names += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.append(node.module)
        provided = agents.provided([executor], self.agent_provides)
        return sorted({n for n in names if n.split(".")[0] not in self.tops | provided | _STDLIB})


@dataclass(frozen=True)
class Probe:
    """What the venv's Python said when it imported modules and looked functions up."""

    modules: dict[str, dict[str, Any]]
    functions: dict[str, dict[str, Any]]
    python: str  # "3.11": the interpreter the imports ran in

    def function(self, module: str, name: str) -> dict[str, Any]:
        return self.functions[f"{module}:{name}"]


def _static(op: Operation, shipped: Shipped, why: str | None) -> Finding:
    """The fallback when the module cannot be imported: read its source for a top-level name.
    `why` it could not be imported; None when no clean room ran: a binding found then passes."""
    def found(status: Status, text: str, kind: str = "") -> Finding:
        return Finding(status, f"{op.mapping}: {text}", "operation", kind)

    if op.module not in shipped.modules:
        return found(FAILED, f"no wheel in the wagon has a module {op.module}")
    wheel, member = shipped.modules[op.module]
    reason = why or "no clean-room import ran"
    if not member.endswith(".py"):
        return found(WARNING, f"{member} is compiled: not checked ({reason})",
                     "not checked (compiled)")
    try:
        with zipfile.ZipFile(wheel) as archive:
            source = read_member(archive, member)
        kind = static_binding(source, op.function)
        unprovided = shipped.unprovided_imports(source, op.executor)
    except (SyntaxError, ValueError, RecursionError) as exc:
        return found(FAILED, f"{member} does not parse: {exc}")
    if kind is None:
        return found(FAILED, f"{member} defines no {op.function}")
    if unprovided:
        return found(FAILED, f"{member} imports {', '.join(unprovided)}, which neither the"
                     f" wagon's wheels, the standard library nor {agents.where([op.executor])}"
                     " provides")
    if kind == "star import":
        return found(WARNING, f"{op.function} may come from a star import in {member};"
                     f" not checked ({reason})", "maybe from a star import")
    if why is None:
        return found(PASSED, f"{member} binds {op.function} by {kind}")
    return found(WARNING, f"checked statically: {member} binds {op.function} by {kind} ({why})",
                 "checked statically")


def _unshipped(result: Mapping[str, object], shipped: Shipped) -> str | None:
    """The module an import failed for, when no wheel of the wagon ships it."""
    missing = result.get("missing")
    if result.get("error") != "ModuleNotFoundError" or not isinstance(missing, str):
        return None
    return missing if missing.split(".")[0] not in shipped.tops else None


def _nowhere(module: str, missing: str, probe: Probe, executors: Iterable[str]) -> str:
    return (f"importing {module} needs {missing}, which neither the wagon's wheels,"
            f" Python {probe.python} nor {agents.where(executors)} provides")


def operations_check(
    name: str, ops: Sequence[Operation], shipped: Shipped, probe: Probe | None
) -> Check:
    """One finding per operation mapping: imported and looked up in the clean room's probe, or,
    without one, read statically."""
    results: list[Finding] = []
    for op in ops:
        if not op.module or not op.function:
            results.append(Finding(FAILED, f"{op.mapping}: names no <module>.<function>"))
        elif probe is None:
            results.append(_static(op, shipped, None))
        else:
            lookup = probe.function(op.module, op.function)
            missing = _unshipped(lookup, shipped)
            if lookup["ok"]:
                results.append(Finding(PASSED, op.mapping))
            elif (missing and not shipped.by_agent(missing, [op.executor])
                  and op.module in shipped.modules):
                results.append(Finding(
                    FAILED, f"{op.mapping}: {_nowhere(op.module, missing, probe, [op.executor])}"))
            elif missing:
                why = f"importing {op.module} needs {missing}, which no wheel in the wagon ships"
                results.append(_static(op, shipped, why))
            else:
                results.append(Finding(
                    FAILED, f"{op.mapping}: {lookup['error']}: {lookup['message']}"))
    how = ("imported and looked up as callables" if probe
           else "found statically (bound at the module's top level)")
    return from_findings(name, results, f"operation mappings {how}: {len(ops)}"
                         if ops else "no operation mappings")


def import_check(name: str, modules: Sequence[str], probe: Probe, shipped: Shipped,
                 executors: Iterable[str] = ()) -> Check:
    """One finding per top-level module of the plugin; `executors`: where its operations run."""
    runs_in = tuple(executors)
    results: list[Finding] = []
    for module in modules:
        found = probe.modules[module]
        missing = _unshipped(found, shipped)
        if found["ok"]:
            results.append(Finding(PASSED, module, "module"))
        elif missing and not shipped.by_agent(missing, runs_in):
            results.append(Finding(FAILED, _nowhere(module, missing, probe, runs_in), "module"))
        elif missing:
            results.append(Finding(WARNING, f"{module} imports {missing}, which no wheel in the"
                                   f" wagon ships ({agents.where(runs_in)} must provide it)",
                                   "module", "importing what the executor must provide"))
        else:
            results.append(Finding(FAILED, f"import {module}: {found['error']}: {found['message']}",
                                   "module"))
    return from_findings(name, results,
                         f"imported {', '.join(modules) or 'nothing (no modules)'}")
