"""Every subprocess the tool starts (build, uv, auditwheel, interpreters) goes through here."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from functools import lru_cache
from importlib import metadata, resources
from pathlib import Path
from typing import Any

from .errors import BuildError

# What uv and pip print when the index cannot be reached at all.
_NETWORK_WORDS = (
    "error sending request", "dns error", "failed to lookup address", "connection refused",
    "network is unreachable", "connection reset", "timed out", "temporary failure in name resolution",
    "newconnectionerror", "max retries exceeded",
)


class ToolFailure(Exception):
    """A tool exited non-zero; `output` holds what it said.

    A plain class: a frozen dataclass exception cannot take the `__traceback__` that
    `contextlib` sets on it (FrozenInstanceError on Python >= 3.11).
    """

    def __init__(self, command: Sequence[str], output: str) -> None:
        super().__init__(f"{Path(command[0]).name} failed")
        self.command = tuple(command)
        self.output = output

    @property
    def network(self) -> bool:
        """The tool could not reach an index (as opposed to finding nothing there)."""
        lowered = self.output.lower()
        return any(word in lowered for word in _NETWORK_WORDS)

    def last_lines(self, count: int = 6) -> str:
        """The last meaningful lines of the output, where a build says why it failed."""
        lines = [line.strip() for line in self.output.strip().splitlines()]
        meaningful = [line for line in lines if line and not set(line) <= set("-=*#^~ ")
                      and not line.startswith(("[stdout]", "[stderr]", "hint:"))]
        return " | ".join(meaningful[-count:])


def _one_wheel(outdir: Path, argv: Sequence[str | Path]) -> Path:
    """The wheel a tool wrote; anything but exactly one is a failure naming the command."""
    wheels = sorted(outdir.glob("*.whl"))
    if len(wheels) != 1:
        command = " ".join(str(a) for a in argv)
        raise BuildError(
            f"`{command}` produced {len(wheels)} wheels in {outdir}, expected one",
            "run that command by hand to see what it built",
        )
    return wheels[0]


def _run(
    cmd: Sequence[str | Path],
    env: Mapping[str, str],
    cwd: Path | None = None,
    timeout: float | None = None,
) -> str:
    argv = tuple(str(c) for c in cmd)
    bindir = str(Path(sys.executable).parent)
    full_env = {**env, "PATH": bindir + os.pathsep + env.get("PATH", os.defpath)}
    # A fixed umask keeps file modes inside built wheels independent of the caller's.
    try:
        proc = subprocess.run(
            argv, env=full_env, cwd=cwd, capture_output=True, text=True, check=False,
            umask=0o022, timeout=timeout,
        )
    except subprocess.TimeoutExpired as exc:
        raise ToolFailure(argv, f"no answer after {timeout:.0f} s") from exc
    if proc.returncode != 0:
        raise ToolFailure(argv, proc.stdout + proc.stderr)
    return proc.stdout


@lru_cache(maxsize=1)
def uv_bin() -> str:
    # find_uv_bin reads sysconfig, whose first use is not thread-safe; cached, it runs once.
    from uv import find_uv_bin

    return str(find_uv_bin())


def probe_interpreter(path: Path, env: Mapping[str, str]) -> tuple[int, int]:
    out = _run([path, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"], env)
    major, minor = out.strip().split(".")
    return int(major), int(minor)


def build_project_wheel(project: Path, outdir: Path, env: Mapping[str, str]) -> Path:
    """The plugin's own wheel through its PEP 517 backend (pypa/build, uv installs the backend)."""
    cmd: list[str | Path] = [
        sys.executable, "-m", "build", "--wheel", "--installer", "uv", "--outdir", outdir, project
    ]
    try:
        _run(cmd, env)
    except ToolFailure as exc:
        raise BuildError(
            f"building the plugin's wheel in {project} failed: {exc.last_lines()}",
            "run `python -m build --wheel` there to see the whole log",
        ) from exc
    return _one_wheel(outdir, cmd)


def build_dists(project: Path, outdir: Path, env: Mapping[str, str]) -> list[Path]:
    """The project's sdist, and its wheel built from that sdist (pypa/build's default)."""
    cmd: list[str | Path] = [sys.executable, "-m", "build", "--installer", "uv", "--outdir",
                             outdir, project]
    try:
        _run(cmd, env)
    except ToolFailure as exc:
        raise BuildError(
            f"building the sdist and wheel of {project} failed: {exc.last_lines()}",
            "run `python -m build` there to see the whole log",
        ) from exc
    return sorted(outdir.iterdir())


def twine(args: Sequence[str | Path], env: Mapping[str, str]) -> str:
    """`twine check` or `twine upload`; it reads credentials from TWINE_* or keyring itself."""
    return _run([sys.executable, "-m", "twine", *args], env, timeout=900)


def metadata_version(project: Path, env: Mapping[str, str]) -> str:
    """The version a PEP 517 backend reports for `project` (dynamic or setup.py versions)."""
    code = "import sys, build.util; print(build.util.project_wheel_metadata(sys.argv[1])['Version'])"
    return _run([sys.executable, "-c", code, project], env).strip()


def uv_compile(
    requirements: Path,
    output: Path,
    python_version: str,
    python_platform: str,
    interpreter: Path | None,
    index_args: Sequence[str],
    env: Mapping[str, str],
) -> None:
    """Resolve for the target (markers, Requires-Python, tags) into a PEP 751 lock file."""
    cmd: list[str | Path] = [
        uv_bin(), "pip", "compile", requirements, "--quiet", "--format", "pylock.toml",
        "-o", output, "--python-version", python_version, "--python-platform", python_platform,
        "--no-header", "--no-annotate", *index_args,
    ]
    if interpreter is not None:
        cmd += ["--python", interpreter]
    _run(cmd, env)


def uv_build_sdist(sdist: Path, interpreter: Path, outdir: Path, env: Mapping[str, str]) -> Path:
    """A wheel from an sdist, built by the target's own interpreter."""
    cmd: list[str | Path] = [
        uv_bin(), "build", "--wheel", "--python", interpreter, "--out-dir", outdir, sdist
    ]
    _run(cmd, env)
    return _one_wheel(outdir, cmd)


def auditwheel_repair(wheel: Path, plat: str, outdir: Path, env: Mapping[str, str]) -> Path:
    cmd: list[str | Path] = [
        sys.executable, "-m", "auditwheel", "repair", "--plat", plat, "-w", outdir, wheel
    ]
    _run(cmd, env)
    return _one_wheel(outdir, cmd)


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
    python: Path, wheels: Path, requirement: str, env: Mapping[str, str], installer: str
) -> None:
    """`requirement` from `wheels` alone: no index, no user configuration, no cache."""
    if installer == "pip":
        cmd: list[str | Path] = [
            python, "-m", "pip", "install", "--isolated", "--no-input", "--no-cache-dir",
            "--disable-pip-version-check", "--no-index", "--find-links", wheels, requirement,
        ]
    else:
        cmd = [uv_bin(), "pip", "install", "--no-config", "--python", python, "--offline",
               "--no-index", "--find-links", wheels, "--no-cache", requirement]
    _run(cmd, clean_env(env), timeout=900)


def check_requirements(python: Path, env: Mapping[str, str], installer: str) -> None:
    """`pip check`: every installed distribution's requirements are installed too."""
    if installer == "pip":
        cmd: list[str | Path] = [python, "-m", "pip", "check", "--isolated",
                                 "--disable-pip-version-check"]
    else:
        cmd = [uv_bin(), "pip", "check", "--no-config", "--python", python]
    _run(cmd, clean_env(env), timeout=300)


def run_probe(
    python: Path, request: Mapping[str, Any], workdir: Path, env: Mapping[str, str]
) -> dict[str, Any]:
    """Import modules and look functions up inside a venv; results come back through a file,
    since imported plugin code may print anything."""
    ask, answer = workdir / "probe-request.json", workdir / "probe-answer.json"
    ask.write_text(json.dumps(request), encoding="utf-8")
    _run([python, "-I", "-c", _PROBE.read_text(encoding="utf-8"), ask, answer],
         clean_env(env), cwd=workdir, timeout=600)
    result: dict[str, Any] = json.loads(answer.read_text(encoding="utf-8"))
    return result


@lru_cache(maxsize=1)
def tool_versions() -> dict[str, str]:
    names = ("plugin-packager", "build", "uv", "auditwheel", "packaging")
    found: dict[str, str] = {}
    for name in names:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found
