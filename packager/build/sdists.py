"""Wheels for sdist-only dependencies: built by the target's interpreter, repaired to its floor."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping
from pathlib import Path

from .. import _tools
from ..errors import BuildError, ResolutionError
from ..targets import BuildTarget, Host
from ..wheels import inspect_wheel, sha256_of
from .cache import Cache, key_of
from .resolve import Candidate


def refuse_foreign(candidate: Candidate, target: BuildTarget) -> ResolutionError:
    return ResolutionError(
        f"{candidate.name} {candidate.version} has only an sdist for {target.id},"
        " which this machine cannot build for",
        f"provide a {target.id} wheel on an index or with --find-links,"
        " or build this target on a native runner",
    )


def too_new_symbols(wheel: Path, floor: tuple[int, int]) -> list[str]:
    """`name@GLIBC_x.y` for every libc symbol the wheel's libraries need above `floor`."""
    from elftools.common.exceptions import ELFError
    from elftools.elf.elffile import ELFFile
    from elftools.elf.gnuversions import GNUVerNeedSection, GNUVerSymSection
    from elftools.elf.sections import SymbolTableSection

    found: set[str] = set()
    with zipfile.ZipFile(wheel) as archive:
        for member in archive.namelist():
            if not re.search(r"\.so(\.|$)", member):
                continue
            try:
                elf = ELFFile(io.BytesIO(archive.read(member)))
            except ELFError:
                continue
            dynsym, versym = elf.get_section_by_name(".dynsym"), elf.get_section_by_name(".gnu.version")
            verneed = elf.get_section_by_name(".gnu.version_r")
            if not (
                isinstance(dynsym, SymbolTableSection)
                and isinstance(versym, GNUVerSymSection)
                and isinstance(verneed, GNUVerNeedSection)
            ):
                continue
            names = {aux["vna_other"]: aux.name for _, auxes in verneed.iter_versions() for aux in auxes}
            for index, symbol in enumerate(dynsym.iter_symbols()):
                version = names.get(versym.get_symbol(index)["ndx"], "")
                match = re.fullmatch(r"GLIBC_(\d+)\.(\d+)(?:\.\d+)?", version)
                if match and (int(match.group(1)), int(match.group(2))) > floor:
                    found.add(f"{symbol.name}@{version}")
    return sorted(found)


def build_sdist(
    candidate: Candidate,
    sdist: Path,
    target: BuildTarget,
    host: Host,
    workdir: Path,
    env: Mapping[str, str],
    cache: Cache,
) -> Path:
    """A wheel of `sdist` that runs on `target`'s floor, cached by sdist, target and tools."""
    if not target.is_native(host) or target.interpreter is None:
        raise refuse_foreign(candidate, target)
    tools = _tools.tool_versions()
    key = key_of(
        "sdist-build", sha256_of(sdist), target.id, tools.get("uv", ""), tools.get("auditwheel", ""),
        env.get("SOURCE_DATE_EPOCH", ""),
    )
    with cache.lock(key):
        cached = cache.get_keyed("built", key)
        if cached is not None:
            return cached
        wheel = _build(candidate, sdist, target, target.interpreter, workdir, env, cache)
        return cache.put_keyed("built", key, wheel)


def _build(
    candidate: Candidate,
    sdist: Path,
    target: BuildTarget,
    interpreter: Path,
    workdir: Path,
    env: Mapping[str, str],
    cache: Cache,
) -> Path:
    built_dir, repaired_dir = workdir / "built", workdir / "repaired"
    try:
        wheel = _tools.uv_build_sdist(sdist, interpreter, built_dir, env)
    except _tools.ToolFailure as exc:
        log = cache.keep_log(f"{candidate.name}-{candidate.version}-{target.id}", exc.output)
        raise BuildError(
            f"building {candidate.name} {candidate.version} from its sdist for {target.id} failed:"
            f" {exc.last_lines()}",
            f"the whole log is in {log}; install the compiler and headers it needs, or provide"
            " a wheel with --find-links",
        ) from exc
    info = inspect_wheel(wheel)
    if info.is_pure or target.platform.kind != "manylinux":
        return wheel
    floor = target.platform.glibc or (2, 17)
    policy = f"manylinux_{floor[0]}_{floor[1]}_{target.platform.arch}"
    try:
        return _tools.auditwheel_repair(wheel, policy, repaired_dir, env)
    except _tools.ToolFailure as exc:
        symbols = ", ".join(too_new_symbols(wheel, floor)) or exc.last_lines(1)
        raise BuildError(
            f"{candidate.name} {candidate.version} cannot be repaired to the {policy} floor"
            f" of {target.id}: it needs {symbols}",
            "build it on a system with an older glibc, pick a higher floor, or provide a wheel",
        ) from exc
