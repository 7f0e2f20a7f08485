"""A clean room: the wagon's wheels installed alone, then the import probe run where they were
installed. One path for both kinds of room: a fresh venv of a Python this machine has (`Venv`:
the install, `pip check`), or a target directory for a platform it cannot run (`ForeignSite`:
uv's foreign-platform mode, nothing executed, then, for Linux on another architecture with a
user-mode QEMU here, the probe run by a CPython of that architecture under emulation). What could
not run is reported skipped, by name, saying why."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from .. import _installers, _tools
from .._installers import Runtime, Wanted
from ..errors import PackagerError
from ..targets import BuildTarget, Host, platform_data
from .cleanroom import Probe
from .emulation import emulator_for
from .native import Compiled
from .report import Check, Status


@dataclass(frozen=True)
class Questions:
    """What the probe asks: the plugin's modules, the operations' functions (module, name), and
    the labels of the plugin YAMLs whose operations those are."""

    modules: Sequence[str]
    functions: Sequence[tuple[str, str]]
    labels: Sequence[str] = ()


@dataclass(frozen=True)
class Room:
    """One clean room to make: the target's Python tag, what to install, what to ask, a work
    directory that does not exist yet, and the environment."""

    pytag: str
    wanted: Wanted
    questions: Questions
    workdir: Path
    env: Mapping[str, str]


@dataclass
class Installed:
    """What a place's install said, and the Python to probe in; None, and `why`, when none."""

    checks: list[Check]
    runtime: Runtime | None = None
    why: str = ""


class Place(Protocol):
    @property
    def compiled(self) -> Compiled | None: ...

    def install(self, room: Room) -> Installed: ...


@dataclass(frozen=True)
class Venv:
    """A fresh venv of `interpreter`, filled by `installer` (uv or pip)."""

    interpreter: Path
    installer: str
    compiled: Compiled | None = field(default=None, init=False)  # loaded apart, without a room

    def install(self, room: Room) -> Installed:
        pytag, env, wanted = room.pytag, room.env, room.wanted
        try:
            python = _installers.make_venv(self.interpreter, room.workdir / "venv", env,
                                           self.installer)
            _installers.install_offline(python, wanted, env, self.installer)
        except _tools.ToolFailure as exc:
            return Installed([Check(f"install:{pytag}", Status.FAILED,
                                    f"{self.installer} could not install {wanted.shown()}:"
                                    f" {exc.last_lines(4)}")], why="the install failed")
        installed = Check(f"install:{pytag}", Status.PASSED,
                          f"{wanted.shown()} installed offline from wheels/ alone"
                          f" ({self.installer}, {self.interpreter})")
        try:
            _installers.check_requirements(python, env, self.installer, wanted.excluded)
        except _tools.ToolFailure as exc:
            return Installed([installed, Check(f"pip-check:{pytag}", Status.FAILED,
                                               exc.last_lines(4))], why="pip check failed")
        absent = f" but {', '.join(wanted.excluded)}, left out by design" if wanted.excluded else ""
        return Installed([installed, Check(f"pip-check:{pytag}", Status.PASSED,
                                           "every installed distribution has its"
                                           f" requirements{absent}")], Runtime(python))


@dataclass(frozen=True)
class ForeignSite:
    """A target directory for `target`, a platform `host` cannot run; its Python under emulation
    from `python_root` or assembled in `cache_dir`; `compiled` loaded there too."""

    target: BuildTarget
    host: Host
    python_root: Path | None = None
    cache_dir: Path | None = None
    compiled: Compiled | None = None

    def install(self, room: Room) -> Installed:
        name, plat = f"install:{room.pytag}", self.target.platform
        if plat.kind == "manylinux" and (plat.arch or "") not in platform_data()["uv"]["arches"]:
            why = f"uv cannot install for {plat.name}"
            return Installed([Check(name, Status.SKIPPED, why)], why=why)
        site = room.workdir / "site"
        python_platform = self.target.uv_platform(self.host)
        try:
            _installers.install_for_platform(
                room.wanted, site, room.env, python_platform=python_platform,
                python_version=self.target.installer_python_version)
        except _tools.ToolFailure as exc:
            return Installed([Check(name, Status.FAILED,
                                    f"uv could not install {room.wanted.shown()} for"
                                    f" {plat.name}: {exc.last_lines(4)}")],
                             why="the install failed")
        installed = (f"{room.wanted.shown()} and every requirement installed offline from"
                     f" wheels/ alone into a target directory for {plat.name} (uv"
                     f" --python-platform {python_platform})")
        unrun = Check(name, Status.PASSED, f"{installed}; nothing executed")
        if plat.kind == "windows":
            return Installed([unrun], why=f"{plat.name} code cannot run on this machine"
                                          f" ({self.host.describe()})")
        try:
            emulator = emulator_for(self.target, self.host, room.env, self.python_root,
                                    self.cache_dir)
        except PackagerError as exc:
            return Installed([unrun], why=exc.one_line())
        return Installed([Check(name, Status.PASSED, f"{installed}; run by {emulator.describe()}")],
                         Runtime(emulator.python, emulator.runner(), site, " under emulation"))


def install_and_probe(room: Room, place: Place) -> tuple[list[Check], Probe | None]:
    """The place's install checks, the probe when it ran (and then the load of the `compiled`
    wheels' extension modules), else the run-time checks (`import:<pytag>`,
    `operations:<yaml>:<pytag>`, `extensions:<pytag>`) skipped, each saying why."""
    room.workdir.mkdir()
    done = place.install(room)
    checks, probe, why = done.checks, None, done.why
    if done.runtime is not None:
        probe, died = run_probe(room, done.runtime)
        if died:
            checks.append(died)
            why = "the import probe died"
        elif place.compiled:  # from their own unpacked tree, not the installed directory
            runtime = replace(done.runtime, site=None)
            checks.append(place.compiled.check(runtime, room.workdir / "native", room.env))
    if probe is None:
        pytag, seen = room.pytag, {c.name for c in checks}
        names = [f"import:{pytag}", *(f"operations:{x}:{pytag}" for x in room.questions.labels),
                 *([f"extensions:{pytag}"] if place.compiled else [])]
        checks += [Check(n, Status.SKIPPED, f"not run: {why}") for n in names if n not in seen]
    return checks, probe


def run_probe(room: Room, runtime: Runtime) -> tuple[Probe | None, Check | None]:
    """The import probe's answer, or the failed `import:<pytag>` check saying why it died."""
    asked = room.questions
    request = {"modules": list(asked.modules), "functions": [list(f) for f in asked.functions]}
    try:
        answer = _installers.run_probe(runtime, request, room.workdir, room.env)
        return Probe(dict(answer["modules"]), dict(answer["functions"]), str(answer["python"])), None
    except (_tools.ToolFailure, OSError, ValueError, KeyError, TypeError) as exc:
        detail = exc.last_lines(4) if isinstance(exc, _tools.ToolFailure) else repr(exc)
        return None, Check(f"import:{room.pytag}", Status.FAILED,
                           f"the import probe died{runtime.where}: {detail}")
