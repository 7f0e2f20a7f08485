"""Every subprocess the tool starts (build, uv, auditwheel, interpreters) goes through here."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ._tree import working_copy
from .errors import BuildError, ExitCode, PackagerError

# What uv and pip print when the index cannot be reached at all.
_NETWORK_WORDS = (
    "error sending request", "dns error", "failed to lookup address", "connection refused",
    "network is unreachable", "connection reset", "timed out", "temporary failure in name resolution",
    "newconnectionerror", "max retries exceeded",
)


class ToolFailure(PackagerError):
    """A tool exited non-zero; `output` holds what it said. Callers turn it into the error of
    what they were doing; one that reaches the CLI is still one line (exit status 4).

    A plain class: a frozen dataclass exception cannot take the `__traceback__` that
    `contextlib` sets on it (FrozenInstanceError on Python >= 3.11).
    """

    exit_code = ExitCode.BUILD

    def __init__(self, command: Sequence[str], output: str) -> None:
        self.command = tuple(command)
        self.output = output
        said = self.last_lines(2)
        super().__init__(f"{Path(command[0]).name} failed" + (f": {said}" if said else ""),
                         "run again with --debug to see where")

    def __reduce__(self) -> tuple[type[ToolFailure], tuple[tuple[str, ...], str]]:  # type: ignore[override]
        return type(self), (self.command, self.output)

    @property
    def network(self) -> bool:
        """The tool could not reach an index (as opposed to finding nothing there)."""
        lowered = self.output.lower()
        return any(word in lowered for word in _NETWORK_WORDS)

    @property
    def build_failed(self) -> bool:
        """uv had to build an sdist (for its metadata) and the build backend failed."""
        return "Failed to build" in self.output

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
    major, minor, _ = python_release(path, env)
    return major, minor


_RELEASES: dict[str, tuple[tuple[int, int, int], str]] = {}
_ASK = "import sys; print('%d.%d.%d' % sys.version_info[:3]); print(sys.executable)"


def _ask(path: Path, env: Mapping[str, str]) -> tuple[tuple[int, int, int], str]:
    if str(path) not in _RELEASES:
        release, _, executable = _run([path, "-c", _ASK], env).strip().partition("\n")
        major, minor, micro = release.split(".")
        answer = (int(major), int(minor), int(micro)), executable.strip()
        _RELEASES[str(path)] = answer
        if answer[1]:
            _RELEASES.setdefault(answer[1], answer)  # the binary answers the same
    return _RELEASES[str(path)]


def python_release(path: Path, env: Mapping[str, str]) -> tuple[int, int, int]:
    """The interpreter's exact (major, minor, micro), asked once per process and path."""
    return _ask(path, env)[0]


def python_executable(path: Path, env: Mapping[str, str]) -> Path:
    """The binary behind `path`: a pyenv shim is a script that runs pyenv (0.1 s) every time."""
    executable = _ask(path, env)[1]
    return Path(executable) if executable else path


def git_head(project: Path, env: Mapping[str, str]) -> str | None:
    """The commit checked out where `project` lies; None outside git (or without git)."""
    try:
        return _run(["git", "-C", project, "rev-parse", "--verify", "-q", "HEAD"], env).strip()
    except (ToolFailure, OSError):
        return None


def build_project_wheel(
    tree: Path, outdir: Path, env: Mapping[str, str], interpreter: Path | None = None,
    project: Path | None = None,
) -> Path:
    """The plugin's own wheel from `tree` (a copy of `project`, which errors name) through its
    PEP 517 backend (pypa/build, uv installs the backend); with `interpreter`, uv builds it with
    that Python, so a setup.py sees that Python."""
    cmd: list[str | Path] = [
        sys.executable, "-m", "build", "--wheel", "--installer", "uv", "--outdir", outdir, tree
    ]
    if interpreter is not None:
        cmd = [uv_bin(), "build", "--wheel", "--python", interpreter, "--out-dir", outdir, tree]
    try:
        _run(cmd, env)
    except ToolFailure as exc:
        raise BuildError(
            f"building the plugin's wheel in {project or tree} failed: {exc.last_lines()}",
            "run `python -m build --wheel` there to see the whole log",
        ) from exc
    return _one_wheel(outdir, cmd)


def run_project_code(command: Sequence[str], project: Path, env: Mapping[str, str]) -> None:
    """A command of the project's own (its pre-build hook), run in the project directory."""
    _run(command, env, cwd=project, timeout=1800)


def build_dists(project: Path, outdir: Path, env: Mapping[str, str]) -> list[Path]:
    """The project's sdist, and its wheel built from that sdist (pypa/build's default), built
    in a copy of the project, as `build` builds the plugin's wheel: setuptools leaves the
    `*.egg-info` it writes in the copy, not in the project."""
    with tempfile.TemporaryDirectory(prefix="plugin-packager-source-") as tmp:
        copy = working_copy(project, Path(tmp) / (project.resolve().name or "project"))
        try:
            _run([sys.executable, "-m", "build", "--installer", "uv", "--outdir", outdir, copy],
                 env)
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


@dataclass(frozen=True)
class UvCompile:
    """A resolution for one target (markers, Requires-Python, tags) into a PEP 751 lock file
    `output`: `python_version` is the full version resolved for, `python_platform` uv's name of
    the platform, `interpreter` (when known) the one asked for what it alone can tell.
    `excludes` names packages left out of the resolution, dependencies and all. `config` is the
    only uv.toml uv reads: none found around the caller's directory changes the result.
    `fresh`: uv reads nothing from its cache, where it keeps the metadata a local sdist gave
    one Python for every other."""

    requirements: Path
    output: Path
    python_version: str
    python_platform: str
    interpreter: Path | None
    index_args: tuple[str, ...]
    config: Path
    constraints: Path | None = None
    excludes: Path | None = None
    fresh: bool = False

    def args(self) -> list[str | Path]:
        """uv's arguments, after the program."""
        args: list[str | Path] = [
            "pip", "compile", self.requirements, "--quiet", "--format", "pylock.toml",
            "-o", self.output, "--python-version", self.python_version,
            "--python-platform", self.python_platform, "--no-header", "--no-annotate",
            "--config-file", self.config, *self.index_args,
        ]
        if self.constraints is not None:
            args += ["--constraints", self.constraints]
        if self.excludes is not None:
            args += ["--excludes", self.excludes]
        if self.interpreter is not None:
            args += ["--python", self.interpreter]
        if self.fresh:
            args.append("--no-cache")
        return args


def uv_compile(job: UvCompile, env: Mapping[str, str]) -> None:
    _run([uv_bin(), *job.args()], env)


def uv_build_sdist(source: Path, interpreter: Path, outdir: Path, env: Mapping[str, str],
                   settings: Sequence[str] = ()) -> Path:
    """A wheel from an sdist (or its unpacked directory), built by the target's own interpreter;
    `settings` (KEY=VALUE) go to its build backend."""
    cmd: list[str | Path] = [
        uv_bin(), "build", "--wheel", "--python", interpreter, "--out-dir", outdir, source,
        *(f"--config-setting={setting}" for setting in settings),
    ]
    _run(cmd, env)
    return _one_wheel(outdir, cmd)


def git_checkout(url: str, commit: str, dest: Path, env: Mapping[str, str]) -> None:
    """`url` cloned into `dest` at exactly `commit`."""
    _run(["git", "clone", "--quiet", "--no-checkout", url, dest], env, timeout=900)
    _run(["git", "-C", dest, "checkout", "--quiet", "--detach", commit], env, timeout=300)


def uv_build_source_sdist(tree: Path, outdir: Path, env: Mapping[str, str]) -> Path:
    """An sdist of a source tree (a direct reference's checkout or directory)."""
    cmd: list[str | Path] = [uv_bin(), "build", "--sdist", "--out-dir", outdir, tree]
    _run(cmd, env)
    sdists = sorted(outdir.glob("*.tar.gz"))
    if len(sdists) != 1:
        raise BuildError(f"`uv build --sdist {tree}` wrote {len(sdists)} sdists, expected one",
                         "run that command by hand to see what it built")
    return sdists[0]


def auditwheel_repair(wheel: Path, plat: str, outdir: Path, env: Mapping[str, str]) -> Path:
    cmd: list[str | Path] = [
        sys.executable, "-m", "auditwheel", "repair", "--plat", plat, "-w", outdir, wheel
    ]
    _run(cmd, env)
    return _one_wheel(outdir, cmd)


@lru_cache(maxsize=1)
def tool_versions() -> dict[str, str]:
    """The versions of the tools whose output goes into cached artefacts, asked once."""
    from importlib import metadata  # a tenth of a second: only builds need it

    names = ("plugin-packager", "build", "uv", "auditwheel", "packaging", "cyclonedx-python-lib")
    found: dict[str, str] = {}
    for name in names:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found
