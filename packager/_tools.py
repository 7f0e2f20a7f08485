"""Every subprocess the tool starts (build, uv, auditwheel, interpreters) goes through here."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from .errors import BuildError


@dataclass(frozen=True)
class ToolFailure(Exception):
    """A tool exited non-zero; `output` holds what it said."""

    command: tuple[str, ...]
    output: str

    def last_lines(self, count: int = 6) -> str:
        lines = [line.strip() for line in self.output.strip().splitlines() if line.strip()]
        return " | ".join(lines[-count:])


def _run(cmd: Sequence[str | Path], env: Mapping[str, str], cwd: Path | None = None) -> str:
    argv = tuple(str(c) for c in cmd)
    bindir = str(Path(sys.executable).parent)
    full_env = {**env, "PATH": bindir + os.pathsep + env.get("PATH", os.defpath)}
    # A fixed umask keeps file modes inside built wheels independent of the caller's.
    proc = subprocess.run(
        argv, env=full_env, cwd=cwd, capture_output=True, text=True, check=False, umask=0o022
    )
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
    (wheel,) = outdir.glob("*.whl")
    return wheel


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
    _run([uv_bin(), "build", "--wheel", "--python", interpreter, "--out-dir", outdir, sdist], env)
    (wheel,) = outdir.glob("*.whl")
    return wheel


def auditwheel_repair(wheel: Path, plat: str, outdir: Path, env: Mapping[str, str]) -> Path:
    _run([sys.executable, "-m", "auditwheel", "repair", "--plat", plat, "-w", outdir, wheel], env)
    (repaired,) = outdir.glob("*.whl")
    return repaired


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
