"""`show` and `install`: read a wagon safely; install it offline, pinned, into a venv whose
platform and Python it was made for."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .. import _installers, _tools
from .._installers import Wanted
from ..errors import ConfigError, InstallError, TargetError
from ..interpreters import find_interpreter
from ..targets import Host, admits, platform_of_wagon, read_pytags
from ..wagon.archive import load_meta, open_wagon
from ..wagon.metadata import WHEELS_DIR, WagonMeta


@dataclass(frozen=True)
class Installed:
    name: str
    version: str
    venv: Path
    python: tuple[int, int]


def check_platform(meta: WagonMeta, host: Host) -> None:
    """PEP 600 and legacy manylinux names, linux_<arch> and any, judged against this machine."""
    platform = platform_of_wagon(meta.platform)
    if platform is not None and platform.runs_on(host):
        return
    raise TargetError(
        f"{meta.name} {meta.version} is built for {meta.platform}; this machine is"
        f" {host.describe()}",
        "use the wagon built for this machine's platform, or --target-dir DIR to install it"
        " for its own platform into a directory",
    )


def check_python(meta: WagonMeta, python: tuple[int, int]) -> None:
    versions, unparsed = read_pytags(meta.pythons)
    shown = f"{python[0]}.{python[1]}"
    if (versions and python not in versions) or (unparsed and not versions):
        raise TargetError(
            f"{meta.name} {meta.version} is for {', '.join(meta.pythons)}; the venv runs Python"
            f" {shown}",
            "install into a venv of a Python the wagon lists, or use the wagon built for this one",
        )
    if admits(meta.python_requires, python) is False:
        raise TargetError(
            f"{meta.name} {meta.version} requires Python {meta.python_requires}; the venv runs"
            f" Python {shown}",
            "install into a venv of a Python the wagon admits",
        )


@dataclass(frozen=True)
class VenvSettings:
    """How `install` fills a venv: the installer (uv or pip), and the interpreters (paths or
    names) a venv it makes may use."""

    installer: str = "uv"
    interpreters: Sequence[str] = ()


def _venv_python(venv: Path, meta: WagonMeta, env: Mapping[str, str], how: VenvSettings) -> Path:
    """The venv's python; a missing venv is made with the newest listed Python found here."""
    python = venv / "bin" / "python"
    if venv.exists():
        if not python.exists():
            raise ConfigError(f"{venv} is not a virtual environment (no bin/python)",
                              "pass the venv's root directory, or a new path to create one")
        return python
    versions, _ = read_pytags(meta.pythons)
    for version in sorted(versions, reverse=True):
        try:
            interpreter = find_interpreter(version, how.interpreters, env)
        except TargetError:
            continue
        return _installers.make_venv(interpreter, venv, env, how.installer)
    raise TargetError(
        f"no Python of {', '.join(meta.pythons)} on this machine to create {venv} with",
        "install one (pyenv install 3.X) or pass --interpreter",
    )


def install_wagon(
    path: Path, venv: Path, env: Mapping[str, str], *, host: Host | None = None,
    how: VenvSettings = VenvSettings(),
) -> Installed:
    """Install exactly the wagon's plugin version from its wheels alone, after the checks that
    wagon 1.0.3 gets wrong or skips: PEP 600 platforms, the venv's Python."""
    with open_wagon(path) as ex:
        meta = load_meta(ex)
        check_platform(meta, host or Host.detect())
        python = _venv_python(venv, meta, env, how)
        try:
            version = _tools.probe_interpreter(python, _installers.clean_env(env))
        except (_tools.ToolFailure, OSError) as exc:
            raise ConfigError(f"{python} does not run", "pass a working venv") from exc
        check_python(meta, version)
        wanted = Wanted(ex.root / WHEELS_DIR, meta.pinned,
                        meta.requirements(f"py{version[0]}{version[1]}"), meta.excluded)
        try:
            _installers.install_offline(python, wanted, env, how.installer)
        except _tools.ToolFailure as exc:
            raise InstallError(f"installing {meta.pinned} into {venv} failed: {exc.last_lines()}",
                               "plugin-packager validate WAGON tells what is wrong with it") from exc
    return Installed(meta.name, meta.version, venv, version)


def install_for_platform(path: Path, dest: Path, env: Mapping[str, str],
                         host: Host | None = None) -> Installed:
    """The wagon's plugin and requirements from its wheels alone into directory `dest`, for the
    wagon's own platform and newest listed Python (a Windows or aarch64 agent's site-packages,
    prepared here): tags and markers of the target, nothing executed."""
    with open_wagon(path) as ex:
        meta = load_meta(ex)
        platform = platform_of_wagon(meta.platform)
        versions, _ = read_pytags(meta.pythons)
        if platform is None or not versions:
            raise TargetError(
                f"{meta.name} {meta.version} names platform {meta.platform!r} and Pythons"
                f" {', '.join(meta.pythons) or 'none'}: no single target to install for",
                "install it into a venv with --venv instead",
            )
        target = meta.target(max(versions), platform)
        wanted = Wanted(ex.root / WHEELS_DIR, meta.pinned, meta.requirements(target.pytag),
                        meta.excluded)
        try:
            _installers.install_for_platform(
                wanted, dest, env, python_version=target.installer_python_version,
                python_platform=target.uv_platform(host or Host.detect()))
        except _tools.ToolFailure as exc:
            raise InstallError(f"installing {meta.pinned} into {dest} for {target.id} failed:"
                               f" {exc.last_lines()}",
                               "plugin-packager validate WAGON tells what is wrong with it") from exc
    return Installed(meta.name, meta.version, dest, target.python)
