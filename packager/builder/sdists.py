"""Wheels for sdist-only dependencies: built by the target's interpreter, repaired to its floor;
for a foreign target, built on the host and kept only when provably pure."""

from __future__ import annotations

import io
import json
import re
import tarfile
import time
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.requirements import Requirement
from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename
from packaging.version import InvalidVersion, Version

from .. import _tools
from .._files import sha256_of
from ..cache import key_of
from ..errors import BuildError, ResolutionError
from ..events import Event
from ..targets import BuildTarget
from ..wheels import WheelInfo, compiled_members, inspect_wheel
from .cores import backend_settings, compiler_jobs
from .explain import index_files
from .failures import build_cause, for_another_python
from .indexes import Indexes
from .resolution import Candidate
from .sdist_archive import open_sdist

if TYPE_CHECKING:
    from .context import BuildContext


class NoWheelForTarget(Exception):
    """One dependency a foreign target cannot have, and why; the pipeline names them all at once."""

    def __init__(self, candidate: Candidate, why: str) -> None:
        super().__init__(f"{candidate.name} {candidate.version}: {why}")
        self.candidate, self.why = candidate, why


class SdistFailure(BuildError):
    """An sdist that did not build; `other_python` when its code is not for the building Python
    (a SyntaxError), so the release is no candidate for the target (the scheduler excludes it)."""

    def __init__(self, message: str, hint: str, cause: str, other_python: bool) -> None:
        super().__init__(message, hint)
        self.cause, self.other_python = cause, other_python


def refusal_error(refusals: Mapping[BuildTarget, Sequence[NoWheelForTarget]]) -> ResolutionError:
    """One error naming every dependency every target cannot have, each with why."""
    parts = []
    for target, refused in refusals.items():
        named = "; ".join(f"{r.candidate.name} {r.candidate.version} ({r.why})" for r in refused)
        parts.append(f"{target.id} cannot have {len(refused)} of its dependencies: {named}")
    ids = ", ".join(target.id for target in refusals)
    return ResolutionError(
        "; and ".join(parts),
        f"provide {ids} wheels of them on an index or with --find-links, pin versions that"
        f" publish such wheels (plugin-packager explain PACKAGE TARGET), or build on a native"
        " runner",
    )


def _policy_versions(policy: str, arch: str) -> dict[str, set[str]]:
    """The symbol versions auditwheel's `policy` allows on `arch`, by library prefix (GLIBC,
    GLIBCXX, CXXABI, GCC...): the same table its "too-recent versioned symbols" refusal reads."""
    from importlib.resources import files

    table = json.loads(files("auditwheel.policy").joinpath("manylinux-policy.json").read_text())
    for entry in table:
        if entry["name"] == policy:
            return {prefix: set(versions)
                    for prefix, versions in entry["symbol_versions"].get(arch, {}).items()}
    return {}


def too_new_symbols(wheel: Path, policy: str, arch: str) -> list[str]:
    """`name@VERSION` for every versioned symbol (glibc, libstdc++, libgcc) the wheel's libraries
    need that auditwheel's `policy` does not allow."""
    from elftools.common.exceptions import ELFError
    from elftools.elf.elffile import ELFFile
    from elftools.elf.gnuversions import GNUVerNeedSection, GNUVerSymSection
    from elftools.elf.sections import SymbolTableSection

    allowed = _policy_versions(policy, arch)
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
                prefix, _, number = names.get(versym.get_symbol(index)["ndx"], "").partition("_")
                if prefix in allowed and number and number not in allowed[prefix]:
                    found.add(f"{symbol.name}@{prefix}_{number}")
    return sorted(found)


def _unpack(sdist: Path, dest: Path) -> Path:
    """The sdist's top directory, unpacked by us: uv would pick a random directory, and
    compilers write the directory they ran in into debug info, so cold builds would differ."""
    dest.mkdir(parents=True, exist_ok=True)
    with open_sdist(sdist) as archive:
        archive.unpack(dest)
    tops = [p for p in dest.iterdir() if p.is_dir()]
    if len(tops) != 1:
        raise BuildError(f"{sdist.name} does not hold one top directory", "rebuild the sdist")
    return tops[0]


NATIVE_SOURCES = (".c", ".cc", ".cpp", ".cxx", ".pyx", ".rs", ".f", ".f90", ".go")


def build_cost(sdist: Path) -> int:
    """A guess at how long the sdist takes to build, to start the longest first: its compressed
    size, ten times over for the bytes of code a compiler must read."""
    native = 0
    try:
        with open_sdist(sdist) as archive:
            native = sum(m.size for m in archive.files() if m.name.lower().endswith(NATIVE_SOURCES))
    except (OSError, tarfile.TarError, zipfile.BadZipFile):
        pass  # the build itself says what is wrong with the file
    return sdist.stat().st_size + 10 * native


def _mapped(env: Mapping[str, str], source: Path, jobs: int) -> dict[str, str]:
    """`env` with the compilers told to write /usr/src/<dir> wherever `source` (a temporary
    directory) would appear in the binaries, and CMake's and Cargo's builds told they may use
    `jobs` cores (unasked, Cargo and CMake's Ninja use every core); the caller's own settings
    win. Only those: the build graphs CMake generates name every input of every step, while
    `build_ext --parallel` races when two extensions compile one source file into the same
    object, and a hand-written Makefile under `make -j` may lack the dependencies that order
    its steps."""
    flag = f"-ffile-prefix-map={source}=/usr/src/{source.name}"
    mapped = {**env, **{name: f"{env.get(name, '')} {flag}".strip() for name in ("CFLAGS", "CXXFLAGS")}}
    return {"CMAKE_BUILD_PARALLEL_LEVEL": str(jobs), "CARGO_BUILD_JOBS": str(jobs), **mapped}


def _interpreter(candidate: Candidate, target: BuildTarget) -> Path:
    """The Python that builds the target's wheels; NoWheelForTarget when there is none here."""
    if target.interpreter is None:
        raise NoWheelForTarget(candidate, f"only an sdist, and no Python {target.python_version} here")
    return target.interpreter


def build_sdist(candidate: Candidate, sdist: Path, target: BuildTarget,
                context: BuildContext) -> Path:
    """A wheel of `sdist` for `target`, cached by sdist, target and tools: built by the target's
    interpreter (in the context's work directory) and repaired to its floor; for a foreign
    target, built on the host (NoWheelForTarget when that fails; require_pure then says whether the
    target may have it)."""
    _interpreter(candidate, target)
    native = target.is_native(context.host)
    cache, on_event = context.cache, context.on_event
    tools = _tools.tool_versions()
    # A foreign target's build runs on the host, so every foreign target of a Python shares it.
    cell = target.id if native else f"host-built-py{target.python_version}"
    key = key_of(
        "sdist-build", sha256_of(sdist), cell, tools.get("uv", ""), tools.get("auditwheel", ""),
        context.env.get("SOURCE_DATE_EPOCH", ""),
    )
    with cache.lock(key):
        wheel = cache.get_keyed("built", key)
        if wheel is None:
            on_event(Event(f"building {candidate.name} {candidate.version} from its sdist",
                           target.id, "compile"))
            start = time.monotonic()
            try:
                built = _build(candidate, sdist, target, context)
            except BuildError as exc:
                if native or (isinstance(exc, SdistFailure) and exc.other_python):
                    raise
                raise NoWheelForTarget(candidate, "its sdist does not build on this machine, so it has code"
                                         f" to compile ({cache.log_path(_log_name(candidate, target))})") from exc
            wheel = cache.put_keyed("built", key, built)
            on_event(Event(f"built {candidate.name} {candidate.version} in"
                           f" {time.monotonic() - start:.1f} s", target.id, "compile", detail=True))
    return wheel


def require_pure(
    candidate: Candidate, wheel: Path, target: BuildTarget, resolved: Sequence[Candidate]
) -> None:
    """A host-built wheel serves a foreign target only when nothing in it is machine code and it
    asks for exactly what the target's resolution pinned."""
    info = inspect_wheel(wheel)
    compiled = compiled_members(wheel)
    if compiled or not info.is_pure:
        shown = ", ".join(compiled[:3]) + (", …" if len(compiled) > 3 else "")
        why = f"C extension: its sdist builds {wheel.name}" + (f" with {shown}" if shown else "")
        raise NoWheelForTarget(candidate, why)
    if not info.fits(target.tags()):
        raise NoWheelForTarget(candidate, f"its sdist builds {wheel.name}, which is not for"
                                 f" Python {target.python_version}")
    gaps = requirement_gaps(info, target, resolved)
    if gaps:
        raise NoWheelForTarget(candidate, f"the built wheel requires {', '.join(gaps)}, which the"
                                 f" resolution for {target.id} did not use")


def release_wheels(candidate: Candidate, indexes: Indexes) -> tuple[str, ...]:
    """Every wheel file the primary index lists for the candidate's release, whatever its
    platform (uv's lock keeps only the target's), asked with the index's credentials as the
    look-ahead asks; none when the index cannot say."""
    index = indexes.primary
    try:
        files = index_files(candidate.name, index, indexes.auth_header(index), indexes)
    except (ResolutionError, ValueError):
        return ()
    found, version = [], Version(candidate.version)
    for entry in files:
        name = str(entry.get("filename", ""))
        try:
            if name.endswith(".whl") and parse_wheel_filename(name)[1] == version:
                found.append(name)
        except (InvalidWheelFilename, InvalidVersion):
            continue
    return tuple(found)


def _pythons(interpreters: set[str]) -> str:
    """`cp35 to cp39` for a run of CPython tags (pycryptodome 3.9's aarch64 wheels), else a list."""
    def order(tag: str) -> tuple[int, str]:
        digits = tag[2:]
        return (int(digits[0] + digits[1:].zfill(3)) if digits.isdigit() else 0), tag

    ranked = sorted(interpreters, key=order)
    return f"{ranked[0]} to {ranked[-1]}" if len(ranked) > 3 else ", ".join(ranked)


def compiled_release(candidate: Candidate, target: BuildTarget) -> str | None:
    """Why a release that publishes platform wheels, none for `target`, is compiled code: said
    from its file names, without building its sdist (which would compile it too)."""
    tags = [tag for name in candidate.wheels for tag in parse_wheel_filename(name)[3]]
    platforms = sorted({tag.platform for tag in tags} - {"any"})
    if not platforms:
        return None
    fitting = {tag.platform for tag in target.tags()}
    same_platform = {tag.interpreter for tag in tags if tag.platform in fitting}
    if same_platform:
        return (f"its {target.platform.name} wheels are only for {_pythons(same_platform)},"
                f" none for {target.cptag}; C extension")
    arch = target.platform.arch or ""
    same_arch = [p for p in platforms if target.platform.kind == "manylinux" and p.endswith(arch)]
    if same_arch:
        return (f"no wheel for the {target.platform.name} floor (only {', '.join(same_arch[:3])});"
                " C extension")
    shown = ", ".join(platforms[:3]) + (", …" if len(platforms) > 3 else "")
    return f"C extension: wheels only for other platforms ({shown})"


def requirement_gaps(
    info: WheelInfo, target: BuildTarget, resolved: Sequence[Candidate]
) -> list[str]:
    """The wheel's Requires-Dist that apply on `target` and that no resolved pin satisfies."""
    pinned = {canonicalize_name(c.name): c.version for c in resolved}
    environment = {**target.marker_environment(), "extra": ""}
    gaps = []
    for text in info.requires_dist:
        requirement = Requirement(text)
        if requirement.marker is not None and not requirement.marker.evaluate(environment):
            continue
        version = pinned.get(canonicalize_name(requirement.name))
        if version is None:
            gaps.append(f"{requirement.name} (not resolved)")
        elif not requirement.specifier.contains(version, prereleases=True):
            gaps.append(f"{requirement.name}{requirement.specifier} (resolved {version})")
    return gaps


def _shown(symbols: Sequence[str], limit: int = 8) -> str:
    """The first `limit` symbols and how many more: a C++ library can need hundreds."""
    more = len(symbols) - limit
    return ", ".join(symbols[:limit]) + (f" and {more} more" if more > 0 else "")


def _log_name(candidate: Candidate, target: BuildTarget) -> str:
    return f"{candidate.name}-{candidate.version}-{target.id}"


def _build(candidate: Candidate, sdist: Path, target: BuildTarget, context: BuildContext) -> Path:
    """The wheel uv builds of `sdist`, repaired to the target's floor when the target is native."""
    workdir, env, cache = context.workdir, context.env, context.cache
    interpreter = _interpreter(candidate, target)
    built_dir, repaired_dir = workdir / "built", workdir / "repaired"
    try:
        source = _unpack(sdist, workdir / "src")
        with compiler_jobs(context.cores, source) as jobs:
            wheel = _tools.uv_build_sdist(source, interpreter, built_dir,
                                          _mapped(env, source, jobs), backend_settings(source, jobs))
    except _tools.ToolFailure as exc:
        log = cache.keep_log(_log_name(candidate, target), exc.output)
        cause = build_cause(exc.output) or exc.last_lines()
        raise SdistFailure(
            f"building {candidate.name} {candidate.version} from its sdist for {target.id} failed:"
            f" {cause}",
            f"the whole log is in {log}; install the compiler and headers it needs, or provide"
            " a wheel with --find-links",
            cause, for_another_python(exc.output),
        ) from exc
    info = inspect_wheel(wheel)
    if not target.is_native(context.host) or info.is_pure or target.platform.kind != "manylinux":
        return wheel
    floor = target.platform.glibc or (2, 17)
    policy = f"manylinux_{floor[0]}_{floor[1]}_{target.platform.arch}"
    try:
        return _tools.auditwheel_repair(wheel, policy, repaired_dir, env)
    except _tools.ToolFailure as exc:
        arch = target.platform.arch or ""
        symbols = _shown(too_new_symbols(wheel, f"manylinux_{floor[0]}_{floor[1]}", arch))
        symbols = symbols or exc.last_lines(1)
        raise BuildError(
            f"{candidate.name} {candidate.version} cannot be repaired to the {policy} floor"
            f" of {target.id}: it needs {symbols}",
            "build it on a system with an older glibc, pick a higher floor, or provide a wheel",
        ) from exc
