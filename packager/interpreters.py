"""Find a CPython interpreter for a target: configured paths, then PATH, then pyenv."""

from __future__ import annotations

import re
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path

from . import _tools
from .errors import ConfigError, TargetError


def _pyenv_candidates(version: tuple[int, int], env: Mapping[str, str]) -> list[Path]:
    root = Path(env.get("PYENV_ROOT") or Path(env.get("HOME", "~")).expanduser() / ".pyenv")
    pattern = re.compile(rf"^{version[0]}\.{version[1]}\.(\d+)$")
    found: list[tuple[int, Path]] = []
    versions = root / "versions"
    if versions.is_dir():
        for entry in versions.iterdir():
            match = pattern.match(entry.name)
            exe = entry / "bin" / f"python{version[0]}.{version[1]}"
            if match and exe.is_file():
                found.append((int(match.group(1)), exe))
    return [exe for _, exe in sorted(found, reverse=True)]


def find_interpreter(
    version: tuple[int, int], configured: Sequence[str], env: Mapping[str, str]
) -> Path:
    """The first interpreter that reports `version`; TargetError naming where we looked."""
    for path in configured:
        exe = Path(path).expanduser()
        try:
            if _tools.probe_interpreter(exe, env) == version:
                return exe
        except (_tools.ToolFailure, OSError) as exc:
            raise ConfigError(
                f"interpreter {exe} does not run", "fix the --interpreter path or drop it"
            ) from exc
    name = f"python{version[0]}.{version[1]}"
    on_path = shutil.which(name, path=env.get("PATH"))
    candidates = ([Path(on_path)] if on_path else []) + _pyenv_candidates(version, env)
    for exe in candidates:
        try:
            if _tools.probe_interpreter(exe, env) == version:
                return _tools.python_executable(exe, env)
        except (_tools.ToolFailure, OSError):
            continue
    raise TargetError(
        f"no interpreter for Python {version[0]}.{version[1]}: no {name} on PATH or in pyenv",
        f"install it (pyenv install {version[0]}.{version[1]}) or pass --interpreter /path/to/{name}",
    )
