"""Every extension module of a wagon's wheels loaded by a Python of the target with RTLD_NOW, as an
agent's import or ctypes would load it, and their symbol tables read: a symbol left undefined (a
library missing, an object truncated while two extensions compiled it at once), a module without
its PyInit_ function, an empty module, or two modules defining the same symbols (one source
compiled into both at once, the object of one linked into the other) fails the check, naming
the file and its wheel, instead of the agent's first call."""

from __future__ import annotations

import re
import shutil
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath

from .. import _installers, _tools
from .._files import sha256_of
from .._installers import Runtime
from ..cache import Cache, key_of
from ..targets import BuildTarget
from ..wheels import WheelInfo, installed_name, is_compiled_name
from .report import Check, Status

CHUNK = 1 << 20
# A file named as a Python's extension module (of any CPython), with its module name.
_MODULE = re.compile(r"(?:^|/)([A-Za-z_]\w*)\.(?:cpython-[^./]+|abi3|cp\d+[^./]*)\.so$")


class _Unpacked:
    """The compiled members of some wheels laid out as installed, under root/<n>/: one tree for
    all (a library may reach another wheel's through its rpath), another where two wheels hold
    the same file."""

    def __init__(self, root: Path, budget: int) -> None:
        self.root, self.budget = root, budget
        self.trees: list[set[str]] = []
        self.owners: dict[str, str] = {}  # "<n>/<installed name>" -> the wheel's file name

    def add(self, wheel: Path) -> None:
        with zipfile.ZipFile(wheel) as archive:
            members = {}
            for info in archive.infolist():
                name = installed_name(info.filename)
                if name is not None and not info.is_dir() and is_compiled_name(name):
                    members[_safe(name, wheel)] = info
            if not members:
                return
            tree = next((n for n, taken in enumerate(self.trees) if taken.isdisjoint(members)),
                        len(self.trees))
            if tree == len(self.trees):
                self.trees.append(set())
            self.trees[tree] |= set(members)
            for name, info in members.items():
                self.owners[f"{tree}/{name}"] = wheel.name
                self._write(archive, info, self.root / str(tree) / name, wheel)

    def _write(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo, dest: Path,
               wheel: Path) -> None:
        dest.parent.mkdir(parents=True, exist_ok=True)
        with archive.open(info) as source, dest.open("wb") as out:
            while chunk := source.read(CHUNK):
                self.budget -= len(chunk)
                if self.budget < 0:
                    raise ValueError(f"{wheel.name}'s compiled files inflate past the budget"
                                     " of the wagon's size: not loaded")
                out.write(chunk)

    def shown(self, key: str) -> str:
        """A file as its wheel installs it, and the wheel."""
        return f"{key.split('/', 1)[-1]} ({self.owners.get(key, '?')})"

    def mislinked(self, arch: str | None) -> list[str]:
        """What the ELF headers and symbol tables say is wrong: code for another machine than
        `arch`, modules without their own PyInit_ or without any symbol, libraries alike."""
        problems: list[str] = []
        alike: dict[tuple[str, frozenset[str]], list[str]] = {}
        for key in sorted(self.owners):
            read = _elf(self.root / key)
            if read is None:
                continue
            machine, defined = read
            if arch in _MACHINES and machine != _MACHINES[arch]:
                problems.append(f"{self.shown(key)}: machine code for {machine}, not {arch}")
                continue
            match = _MODULE.search(key)
            if match is None:
                continue
            own = f"PyInit_{match.group(1)}"
            inits = sorted(s for s in defined if s.startswith("PyInit"))
            if not defined:
                problems.append(f"{self.shown(key)}: defines no symbol at all (an empty build)")
            elif inits and own not in inits:
                problems.append(f"{self.shown(key)}: defines {', '.join(inits)}, not {own}")
            elif not inits:  # a library for ctypes: each should be code of its own
                alike.setdefault((self.owners[key], defined), []).append(key)
        for (wheel, symbols), keys in alike.items():
            if len(keys) > 1:
                files = " and ".join(k.split("/", 1)[-1] for k in keys)
                shown = ", ".join(sorted(symbols)[:3]) + (", …" if len(symbols) > 3 else "")
                problems.append(f"{files} ({wheel}) define the same symbols ({shown}): one"
                                " source compiled into both at once?")
        return problems


# The ELF e_machine of each Linux architecture of platforms.toml.
_MACHINES = {"x86_64": "EM_X86_64", "aarch64": "EM_AARCH64", "i686": "EM_386",
             "ppc64le": "EM_PPC64", "s390x": "EM_S390", "armv7l": "EM_ARM"}


def _elf(path: Path) -> tuple[str, frozenset[str]] | None:
    """An ELF file's machine and the functions and data it exports; None when it is not ELF."""
    from elftools.common.exceptions import ELFError
    from elftools.elf.elffile import ELFFile
    from elftools.elf.sections import SymbolTableSection

    with path.open("rb") as handle:
        try:
            elf = ELFFile(handle)
            machine, dynsym = str(elf["e_machine"]), elf.get_section_by_name(".dynsym")
        except ELFError:
            return None
        if not isinstance(dynsym, SymbolTableSection):
            return machine, frozenset()
        return machine, frozenset(
            s.name for s in dynsym.iter_symbols()
            if s.name and s["st_shndx"] != "SHN_UNDEF"
            and s["st_info"]["type"] in ("STT_FUNC", "STT_OBJECT")
            and s["st_info"]["bind"] in ("STB_GLOBAL", "STB_WEAK")
            and s.name not in ("_init", "_fini"))


def _safe(name: str, wheel: Path) -> str:
    parts = PurePosixPath(name).parts
    if not parts or name.startswith("/") or any(p in ("", ".", "..") or "\\" in p for p in parts):
        raise ValueError(f"{wheel.name} has a member {name!r} outside its install root")
    return name


class Compiled:
    """The wheels of a wagon that fit a target and hold compiled code, to be loaded by a Python of
    that target, unpacking no more than `budget` bytes; false when there are none. A pass is
    remembered in `cache` by the wheels' digests and the Python: a warm rebuild, whose wheels
    are those of the last build, does not unpack and load them again."""

    def __init__(self, target: BuildTarget, wheels: Sequence[Path], budget: int,
                 cache: Cache | None = None) -> None:
        self.target, self.wheels, self.budget, self.cache = target, wheels, budget, cache

    def __bool__(self) -> bool:
        return bool(self.wheels)

    def check(self, runtime: Runtime, workdir: Path, env: Mapping[str, str]) -> Check:
        """Check `extensions:<pytag>`: `runtime`'s Python (e.g. under an emulator) loads every
        extension module of the wheels, laid out as installed; their symbols are read here."""
        name = f"extensions:{self.target.pytag}"
        try:
            key = self._key(runtime, env)
        except _tools.ToolFailure as exc:
            return Check(name, Status.FAILED,
                         f"{runtime.python} cannot tell its release: {exc.last_lines(2)}")
        seen = self.cache.get_keyed("extensions", key) if self.cache else None
        if seen is not None:
            return Check(name, Status.PASSED, seen.read_text(encoding="utf-8"))
        check = self._load(name, runtime, workdir, env)
        if self.cache is not None and check.status is Status.PASSED:
            self.cache.put_keyed_bytes("extensions", key, "passed", check.reason.encode())
        return check

    def _key(self, runtime: Runtime, env: Mapping[str, str]) -> str:
        python, runner = runtime.python, runtime.runner
        release = "" if runner else ".".join(map(str, _tools.python_release(python, env)))
        tools = _tools.tool_versions().get("plugin-packager", "")
        return key_of("extensions", tools, self.target.id, *map(str, runner), str(python), release,
                      *sorted(sha256_of(wheel) for wheel in self.wheels))

    def _load(self, name: str, runtime: Runtime, workdir: Path, env: Mapping[str, str]) -> Check:
        unpacked = _Unpacked(workdir / "native", self.budget)
        try:
            workdir.mkdir()
            for wheel in self.wheels:
                unpacked.add(wheel)
            problems = unpacked.mislinked(self.target.platform.arch)
            request = {"modules": [], "functions": [], "extensions": [str(unpacked.root)]}
            loads = _installers.run_probe(runtime, request, workdir, env)["extensions"]
            problems += [f"{unpacked.shown(key)}: {why}" for key, why in loads.items() if why]
        except (ValueError, zipfile.BadZipFile, OSError) as exc:
            return Check(name, Status.FAILED, str(exc))
        except (_tools.ToolFailure, KeyError, TypeError, AttributeError) as exc:
            detail = exc.last_lines(4) if isinstance(exc, _tools.ToolFailure) else repr(exc)
            return Check(name, Status.FAILED,
                         f"loading the extension modules died{runtime.where}: {detail}")
        finally:
            shutil.rmtree(unpacked.root, ignore_errors=True)
        if problems:
            return Check(name, Status.FAILED, "; ".join(problems))
        wheels = {unpacked.owners.get(key) for key in loads}
        return Check(name, Status.PASSED,
                     f"{len(loads)} extension modules of {len(wheels)} wheels loaded{runtime.where}"
                     " with RTLD_NOW (every symbol bound), each defining its own symbols")


def compiled_wheels(
    target: BuildTarget, infos: Sequence[WheelInfo], budget: int, cache: Cache | None = None
) -> Compiled:
    """Those of `infos` that fit `target` and hold a member named as compiled code."""
    accepted = target.tags()
    found = []
    for info in infos:
        if info.fits(accepted):
            with zipfile.ZipFile(info.path) as archive:
                if any(is_compiled_name(n) for n in archive.namelist()):
                    found.append(info.path)
    return Compiled(target, found, budget, cache)
