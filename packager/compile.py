"""Wheels for sdist-only dependencies: built by the target's interpreter, repaired to its floor."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from . import _tools
from .errors import BuildError, ResolutionError
from .resolve import Candidate
from .targets import BuildTarget, Host
from .wheels import inspect_wheel


def refuse_foreign(candidate: Candidate, target: BuildTarget) -> ResolutionError:
    return ResolutionError(
        f"{candidate.name} {candidate.version} has only an sdist for {target.id},"
        " which this machine cannot build for",
        f"provide a {target.id} wheel on an index or with --find-links,"
        " or build this target on a native runner",
    )


def _symbols(output: str) -> str:
    found = re.findall(r"\b([A-Za-z_][\w@.]*@\w*GLIBC[\w.]*)", output)
    return ", ".join(sorted(set(found))[:8]) or "see `auditwheel show` on the wheel"


def build_sdist(
    candidate: Candidate,
    sdist: Path,
    target: BuildTarget,
    host: Host,
    workdir: Path,
    env: Mapping[str, str],
) -> Path:
    """A wheel of `sdist` that runs on `target`'s floor, or an error naming package and floor."""
    if not target.is_native(host) or target.interpreter is None:
        raise refuse_foreign(candidate, target)
    built_dir, repaired_dir = workdir / "built", workdir / "repaired"
    try:
        wheel = _tools.uv_build_sdist(sdist, target.interpreter, built_dir, env)
    except _tools.ToolFailure as exc:
        raise BuildError(
            f"building {candidate.name} {candidate.version} from its sdist for {target.id} failed:"
            f" {exc.last_lines()}",
            "install the compiler and headers it needs, or provide a wheel with --find-links",
        ) from exc
    info = inspect_wheel(wheel)
    if info.is_pure or target.platform.kind != "manylinux":
        return wheel
    policy = f"manylinux_{target.platform.glibc[0]}_{target.platform.glibc[1]}_{target.platform.arch}"  # type: ignore[index]
    try:
        return _tools.auditwheel_repair(wheel, policy, repaired_dir, env)
    except _tools.ToolFailure as exc:
        raise BuildError(
            f"{candidate.name} {candidate.version} cannot be repaired to {policy}: it needs"
            f" {_symbols(exc.output)}; auditwheel says: {exc.last_lines(2)}",
            "build it on a system with an older glibc, pick a higher floor, or provide a wheel",
        ) from exc
