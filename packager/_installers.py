"""The clean room's tools: venvs, installs from a wagon's wheels alone, `pip check`, and the
probes that import, load or compile code in a target interpreter. Commands run through `_tools`,
with the caller's pip, uv and Python settings dropped."""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Mapping, Sequence
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


def make_venv(interpreter: Path, dest: Path, env: Mapping[str, str], installer: str) -> Path:
    """A fresh venv (with pip only when pip will install into it); returns its python."""
    if installer == "pip":
        _run([interpreter, "-m", "venv", dest], clean_env(env))
    else:
        _run([uv_bin(), "venv", "--quiet", "--no-config", "--python", interpreter, dest],
             clean_env(env))
    return dest / "bin" / "python"


def install_offline(
    python: Path, wheels: Path, requirement: str, env: Mapping[str, str], installer: str,
    extra: Sequence[str] = (), excluded: Sequence[str] = (),
) -> None:
    """`requirement` (and `extra` requirements) from `wheels` alone: no index, no user
    configuration, no cache; `excluded` packages are absent from `wheels` by design."""
    if installer == "pip":
        cmd: list[str | Path] = [
            python, "-m", "pip", "install", "--isolated", "--no-input", "--no-cache-dir",
            "--disable-pip-version-check", "--no-index", "--find-links", wheels, requirement,
        ]
        if excluded:
            # pip cannot drop a requirement: every distribution the wagon ships, without deps.
            names = sorted({parse_wheel_filename(w.name)[0] for w in wheels.glob("*.whl")})
            cmd += ["--no-deps", *names]
    else:
        cmd = [uv_bin(), "pip", "install", "--no-config", "--python", python, "--offline",
               "--no-index", "--find-links", wheels, "--no-cache", requirement]
    cmd += extra
    with tempfile.TemporaryDirectory(prefix="plugin-packager-") as tmp:
        if excluded and installer != "pip":
            excludes = Path(tmp) / "excludes.txt"
            excludes.write_text("\n".join(excluded) + "\n", encoding="utf-8")
            cmd += ["--excludes", excludes]
        _run(cmd, clean_env(env), timeout=900)


def install_for_platform(
    wheels: Path, requirement: str, dest: Path, python_version: str, python_platform: str,
    env: Mapping[str, str],
) -> None:
    """`requirement` from `wheels` alone into directory `dest`, as installed on another platform
    (uv's foreign-platform mode: tags and markers of the target, nothing executed)."""
    _run([uv_bin(), "pip", "install", "--no-config", "--target", dest, "--python-version",
          python_version, "--python-platform", python_platform, "--offline", "--no-index",
          "--find-links", wheels, "--no-cache", requirement], clean_env(env), timeout=900)


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
    python: Path, request: Mapping[str, Any], workdir: Path, env: Mapping[str, str],
    runner: Sequence[str | Path] = (), site: Path | None = None,
) -> dict[str, Any]:
    """Import modules and look functions up inside a venv (or, with `site`, from that directory
    first; `runner` prefixes the command, e.g. an emulator); results come back through a file,
    since imported plugin code may print anything."""
    ask, answer = workdir / "probe-request.json", workdir / "probe-answer.json"
    ask.write_text(json.dumps(request), encoding="utf-8")
    code = _PROBE.read_text(encoding="utf-8")
    if site is not None:
        code = f"import sys; sys.path.insert(0, {str(site)!r})\n{code}"
    _run([*runner, python, "-I", "-c", code, ask, answer], clean_env(env), cwd=workdir,
         timeout=600)
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
