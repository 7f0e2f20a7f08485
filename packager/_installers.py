"""The clean room's tools: venvs, installs from a wagon's wheels alone, `pip check`, and the
probes that import, load or compile code in a target interpreter. Commands run through `_tools`,
with the caller's pip, uv and Python settings dropped."""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name, parse_wheel_filename

from . import _json
from ._tools import ToolFailure, _run, uv_bin

INSTALLERS = ("uv", "pip")
_PROBE = resources.files("packager").joinpath("resources/import_probe.py")


def clean_env(env: Mapping[str, str]) -> dict[str, str]:
    """The caller's environment less anything that steers pip, uv or Python."""
    dropped = ("PIP_", "UV_", "PYTHON", "VIRTUAL_ENV", "CONDA_", "__PYVENV")
    kept = {k: v for k, v in env.items() if not k.startswith(dropped)}
    return {**kept, "PIP_CONFIG_FILE": os.devnull}


@dataclass(frozen=True)
class Wanted:
    """What an install takes from the wheels in `wheels` alone: `requirement` and the `extra`
    requirements (a target's pins); `excluded` packages are absent from `wheels` by design."""

    wheels: Path
    requirement: str
    extra: Sequence[str] = ()
    excluded: Sequence[str] = ()

    def shown(self) -> str:
        return " ".join([self.requirement, *self.extra])


@dataclass(frozen=True)
class Runtime:
    """A Python to run a probe in: `python`, started by `runner` (an emulator) when given, with
    the directory `site` first on its path when given; `where` says so in messages."""

    python: Path
    runner: Sequence[str | Path] = ()
    site: Path | None = None
    where: str = ""


def make_venv(interpreter: Path, dest: Path, env: Mapping[str, str], installer: str) -> Path:
    """A fresh venv (with pip only when pip will install into it); returns its python."""
    if installer == "pip":
        _run([interpreter, "-m", "venv", dest], clean_env(env))
    else:
        _run([uv_bin(), "venv", "--quiet", "--no-config", "--python", interpreter, dest],
             clean_env(env))
    return dest / "bin" / "python"


def install_offline(python: Path, wanted: Wanted, env: Mapping[str, str], installer: str) -> None:
    """What `wanted` names into the venv of `python`, from its wheels alone: no index, no user
    configuration, no cache."""
    if installer != "pip":
        _uv_install(wanted, ["--python", python], env)
        return
    cmd: list[str | Path] = [
        python, "-m", "pip", "install", "--isolated", "--no-input", "--no-cache-dir",
        "--disable-pip-version-check", "--no-index", "--find-links", wanted.wheels,
        wanted.requirement,
    ]
    if wanted.excluded:
        # pip cannot drop a requirement: every distribution the wagon ships, without deps.
        names = sorted({parse_wheel_filename(w.name)[0] for w in wanted.wheels.glob("*.whl")})
        cmd += ["--no-deps", *names]
    _run([*cmd, *wanted.extra], clean_env(env), timeout=900)


def install_for_platform(
    wanted: Wanted, dest: Path, env: Mapping[str, str], *, python_version: str, python_platform: str,
) -> None:
    """What `wanted` names into directory `dest`, as installed on another platform (uv's
    foreign-platform mode: tags and markers of the target, nothing executed)."""
    _uv_install(wanted, ["--target", dest, "--python-version", python_version,
                         "--python-platform", python_platform], env)


def _uv_install(wanted: Wanted, into: Sequence[str | Path], env: Mapping[str, str]) -> None:
    """uv's install of `wanted` from its wheels alone, `into` a venv or a directory: the same
    pins and the same packages left out, wherever it goes."""
    cmd: list[str | Path] = [uv_bin(), "pip", "install", "--no-config", *into, "--offline",
                             "--no-index", "--find-links", wanted.wheels, "--no-cache",
                             wanted.requirement, *wanted.extra]
    with tempfile.TemporaryDirectory(prefix="plugin-packager-") as tmp:
        if wanted.excluded:
            excludes = Path(tmp) / "excludes.txt"
            excludes.write_text("\n".join(wanted.excluded) + "\n", encoding="utf-8")
            cmd += ["--excludes", excludes]
        _run(cmd, clean_env(env), timeout=900)


# What `uv pip check` and `pip check` say of a requirement that is not installed at all.
_NOT_INSTALLED = re.compile(
    r"requires `(?P<uv>[^`]+)`, but it's not installed|requires (?P<pip>[^,\s]+), which is not"
)


def missing_requirements(output: str) -> list[str | None]:
    """For each problem line of a check's output, the distribution it misses (None: another kind
    of problem, such as a wrong version)."""
    found: list[str | None] = []
    for line in output.splitlines():
        if "requires" not in line and "has requirement" not in line:
            continue
        match = _NOT_INSTALLED.search(line)
        text = (match.group("uv") or match.group("pip")) if match else None
        found.append(canonicalize_name(re.split(r"[\s\[<>=!~;(]", text, maxsplit=1)[0])
                     if text else None)
    return found


def check_requirements(
    python: Path, env: Mapping[str, str], installer: str, excluded: Sequence[str] = ()
) -> None:
    """`pip check`: every installed distribution's requirements are installed too, save the
    `excluded` ones, absent by design."""
    if installer == "pip":
        cmd: list[str | Path] = [python, "-m", "pip", "check", "--isolated",
                                 "--disable-pip-version-check"]
    else:
        cmd = [uv_bin(), "pip", "check", "--no-config", "--python", python]
    try:
        _run(cmd, clean_env(env), timeout=300)
    except ToolFailure as exc:
        missing = missing_requirements(exc.output)
        allowed = {canonicalize_name(name) for name in excluded}
        if not missing or not all(name in allowed for name in missing):
            raise


def run_probe(
    runtime: Runtime, request: Mapping[str, Any], workdir: Path, env: Mapping[str, str]
) -> dict[str, Any]:
    """Import modules and look functions up in `runtime`'s Python (a venv's, or one that finds
    an installed directory first); results come back through a file, since imported plugin
    code may print anything."""
    ask, answer = workdir / "probe-request.json", workdir / "probe-answer.json"
    ask.write_text(json.dumps(request), encoding="utf-8")
    code = _PROBE.read_text(encoding="utf-8")
    if runtime.site is not None:
        code = f"import sys; sys.path.insert(0, {str(runtime.site)!r})\n{code}"
    _run([*runtime.runner, runtime.python, "-I", "-c", code, ask, answer], clean_env(env),
         cwd=workdir, timeout=600)
    # The wagon's code can write this file: bounded like any JSON we did not write.
    result: dict[str, Any] = _json.load(answer)
    return result


_COMPILE_PROBE = resources.files("packager").joinpath("resources/compile_probe.py")


def compile_errors(python: Path, wheel: Path, env: Mapping[str, str]) -> list[str]:
    """`file:line: Error: message` for each module of `wheel` that `python` cannot compile."""
    out = _run([python, "-I", "-c", _COMPILE_PROBE.read_text(encoding="utf-8"), wheel],
               clean_env(env), timeout=300)
    found = [json.loads(line) for line in out.splitlines() if line.strip()]
    return [f"{f['file']}:{f['line']}: {f['error']}: {f['message']}" for f in found]
