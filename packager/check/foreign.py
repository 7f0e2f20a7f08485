"""The clean room of a wagon for a platform this machine cannot run: its wheels installed for that
platform into a target directory (uv's foreign-platform mode, nothing executed), then, for Linux
on another architecture with a user-mode QEMU here, the import probe run by a CPython of the
target's architecture under emulation. Run-time checks that cannot happen are skipped, by name."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from .. import _installers, _tools
from ..errors import PackagerError
from ..targets import BuildTarget, Host, platform_data
from .cleanroom import Probe, run_probe
from .emulation import emulator_for
from .native import Compiled
from .report import Check, Status


def install_and_probe(
    *,
    target: BuildTarget,
    host: Host,
    wheels: Path,
    requirement: str,
    workdir: Path,
    modules: Sequence[str],
    functions: Sequence[tuple[str, str]],
    labels: Sequence[str],
    env: Mapping[str, str],
    python_root: Path | None,
    cache_dir: Path | None,
    compiled: Compiled | None = None,
) -> tuple[list[Check], Probe | None]:
    """Check `install:<pytag>`, and the probe (and the load of the `compiled` wheels' extension
    modules) when it ran under emulation; else those run-time checks (`import:<pytag>`,
    `operations:<yaml>:<pytag>`, `extensions:<pytag>`) skipped, each saying why."""
    checks, probe, why = _install_and_probe(target, host, wheels, requirement, workdir, modules,
                                            functions, env, python_root, cache_dir, compiled)
    if probe is None:
        done = {c.name for c in checks}
        names = [f"import:{target.pytag}", *(f"operations:{x}:{target.pytag}" for x in labels),
                 *([f"extensions:{target.pytag}"] if compiled else [])]
        checks += [Check(n, Status.SKIPPED, f"not run: {why}") for n in names if n not in done]
    return checks, probe


def _install_and_probe(
    target: BuildTarget,
    host: Host,
    wheels: Path,
    requirement: str,
    workdir: Path,
    modules: Sequence[str],
    functions: Sequence[tuple[str, str]],
    env: Mapping[str, str],
    python_root: Path | None,
    cache_dir: Path | None,
    compiled: Compiled | None,
) -> tuple[list[Check], Probe | None, str]:
    pytag, plat = target.pytag, target.platform
    arch = plat.arch or ""
    if plat.kind == "manylinux" and arch not in platform_data()["uv"]["arches"]:
        why = f"uv cannot install for {plat.name}"
        return [Check(f"install:{pytag}", Status.SKIPPED, why)], None, why
    site = workdir / "site"
    python_platform = target.uv_platform(host)
    try:
        _installers.install_for_platform(wheels, requirement, site, target.installer_python_version,
                                    python_platform, env)
    except _tools.ToolFailure as exc:
        return [Check(f"install:{pytag}", Status.FAILED,
                      f"uv could not install {requirement} for {plat.name}:"
                      f" {exc.last_lines(4)}")], None, "the install failed"
    installed = (f"{requirement} and every requirement installed offline from wheels/ alone into"
                 f" a target directory for {plat.name} (uv --python-platform {python_platform})")
    if plat.kind == "windows":
        return ([Check(f"install:{pytag}", Status.PASSED, f"{installed}; nothing executed")],
                None, f"{plat.name} code cannot run on this machine ({host.describe()})")
    try:
        emulator = emulator_for(target, host, env, python_root, cache_dir)
    except PackagerError as exc:
        return ([Check(f"install:{pytag}", Status.PASSED, f"{installed}; nothing executed")],
                None, exc.one_line())
    checks = [Check(f"install:{pytag}", Status.PASSED,
                    f"{installed}; run by {emulator.describe()}")]
    probe, died = run_probe(pytag, emulator.python, modules, functions, workdir, env,
                            emulator.runner(), site, " under emulation")
    if died:
        return [*checks, died], None, "the import probe died"
    if compiled:
        checks.append(compiled.check(emulator.python, workdir / "native", env, emulator.runner(),
                                     " under emulation"))
    return checks, probe, ""
