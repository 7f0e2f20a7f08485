"""`validate`: structure, truth and plugin-YAML checks in this process, then a clean-room install
for each listed Python this machine can run. Every check ends passed, warning, skipped or failed,
with a one-line reason; wagons made by wagon 0.x/1.x get warnings where their metadata cannot
satisfy a check."""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename
from packaging.version import InvalidVersion
from platformdirs import user_cache_dir

from .._files import file_digests, sha256_of
from .._installers import Runtime, Wanted
from ..cache import Cache
from ..errors import ArchiveError, PackagerError, TargetError
from ..interpreters import find_interpreter
from ..targets import BuildTarget, Host, admits, platform_of_wagon, read_pytags
from ..wagon import plugin_yaml
from ..wagon.archive import Extracted, Limits, extract, load_meta
from ..wagon.metadata import FILES_DIR, METADATA_FILE, WHEELS_DIR, WagonMeta, archive_name
from ..wagon.sidecars import read_sidecars
from ..wheels import WheelInfo, inspect_wheel, module_members, same_name
from . import native
from .cleanroom import Shipped, import_check, operations_check
from .report import Check, Status, WagonReport
from .rooms import ForeignSite, Questions, Room, Venv, install_and_probe

PASSED, WARNING, SKIPPED, FAILED = Status.PASSED, Status.WARNING, Status.SKIPPED, Status.FAILED


@dataclass(frozen=True)
class Settings:
    clean_room: bool = True
    interpreters: tuple[str, ...] = ()
    installer: str = "uv"
    limits: Limits | None = None
    agent_provides: tuple[str, ...] = ()  # modules executors have beyond resources/agents.toml
    target_python_root: Path | None = None  # a root holding a foreign wagon's CPython
    cache_dir: Path | None = None


class _Wagon:
    """An opened wagon with what several checks derive from it, each computed once."""

    def __init__(self, ex: Extracted, meta: WagonMeta, agent_provides: Sequence[str]) -> None:
        self.ex, self.meta, self.agent_provides = ex, meta, agent_provides
        self.strict = FAILED if meta.ours else WARNING  # what a gap costs: ours must be whole
        self.wheel_dir = ex.root / WHEELS_DIR
        self.present = sorted(f.split("/", 1)[1] for f in ex.files
                              if f.startswith(f"{WHEELS_DIR}/") and f.count("/") == 1
                              and f.endswith(".whl"))
        self.platform = platform_of_wagon(meta.platform)
        self.versions, self.unparsed = read_pytags(meta.pythons)
        self.infos: list[WheelInfo] = []  # the wheels that are what their file names say
        self.broken: list[str] = []  # and why the others are not
        for name in self.present:
            try:
                info = inspect_wheel(self.wheel_dir / name)
                file_name, file_version, _, _ = parse_wheel_filename(name)
            except (InvalidWheelFilename, InvalidVersion, ValueError, KeyError) as exc:
                self.broken.append(f"{name} is not a readable wheel: {exc}")
                continue
            if canonicalize_name(info.name) != file_name or info.release != file_version:
                self.broken.append(f"{name} holds {info.name} {info.version} in its METADATA")
                continue
            self.infos.append(info)

    @cached_property
    def shipped(self) -> Shipped:
        return Shipped([i.path for i in self.infos], self.agent_provides)

    def plugin_wheels(self) -> list[WheelInfo]:
        return [i for i in self.infos if same_name(i.name, self.meta.name)]

    def targets(self) -> list[BuildTarget]:
        assert self.platform is not None
        return [BuildTarget(v, self.platform) for v in self.versions]


def validate_wagon(
    path: Path, env: Mapping[str, str], host: Host | None = None, settings: Settings | None = None
) -> WagonReport:
    """Every check on one wagon; nothing is written outside a temporary directory."""
    settings = settings or Settings()
    report = WagonReport(str(path))
    with tempfile.TemporaryDirectory(prefix="plugin-packager-validate-") as tmp:
        try:
            (Path(tmp) / "wagon").mkdir()
            ex = extract(path, Path(tmp) / "wagon", settings.limits)
        except ArchiveError as exc:
            report.add("archive", FAILED, exc.message)
            return report
        report.add("archive", PASSED,
                   f"{ex.container}, one top directory {ex.top}/, {len(ex.files)} files, no unsafe"
                   " member")
        try:
            meta = load_meta(ex)
        except ArchiveError as exc:
            report.add(METADATA_FILE, FAILED, exc.message)
            return report
        report.add(METADATA_FILE, PASSED, f"well-formed, written by {meta.created_by}")
        wagon = _Wagon(ex, meta, settings.agent_provides)
        _structure(report, wagon)
        _truth(report, wagon)
        operations = _yamls(report, wagon)
        where = _Where(settings, env, host or Host.detect(), Path(tmp))
        probed = _clean_rooms(report, wagon, operations, where)
        if not probed:
            for label, ops in operations.items():
                report.checks.append(
                    operations_check(f"operations:{label}", ops, wagon.shipped, None))
    return report


def _structure(report: WagonReport, w: _Wagon) -> None:
    meta, ex = w.meta, w.ex
    if meta.gaps:
        report.add("metadata", w.strict, f"{meta.created_by} wrote {'; '.join(meta.gaps)}")
    else:
        report.add("metadata", PASSED, "every key wagon 1.0.x writes is there")
    if ex.top == meta.name:
        report.add("top-dir", PASSED, f"{ex.top}/ is named after package_name")
    else:
        report.add("top-dir", w.strict, f"top directory {ex.top}/ is not package_name {meta.name!r}")

    problems = _differences(meta.wheels, w.present, WHEELS_DIR)
    if problems:
        report.add("wheels", FAILED, "; ".join(problems))
    else:
        report.add("wheels", PASSED, f"the listed wheels ({len(w.present)}) are the wheels present")

    in_files = [f.split("/", 1)[1] for f in ex.files if f.startswith(f"{FILES_DIR}/")]
    known = {METADATA_FILE, *(f"{WHEELS_DIR}/{n}" for n in w.present),
             *(f"{FILES_DIR}/{n}" for n in in_files)}
    problems = _differences(meta.files, in_files, FILES_DIR)
    stray = sorted(set(ex.files) - known)
    if stray:
        problems.append(f"outside package.json, wheels/ and files/: {', '.join(stray)}")
    if problems:
        report.add("files", w.strict, "; ".join(problems))
    else:
        report.add("files", PASSED, f"the listed files ({len(in_files)}) are the files present")

    expected = archive_name(meta.name, meta.version, meta.build_tag, meta.pythons, meta.platform)
    names = {"the file": ex.source.name, "archive_name": meta.archive_name or ""}
    wrong = [f"{k} is {v!r}" for k, v in names.items() if v != expected]
    if wrong:
        report.add("file-name", w.strict, f"{' and '.join(wrong)}; the metadata makes it {expected!r}")
    else:
        report.add("file-name", PASSED, f"{expected} agrees with the metadata")

    report.checks.append(_sidecars(ex.source))
    report.checks.append(_digests(w))


def _differences(listed: Sequence[str], present: Sequence[str], folder: str) -> list[str]:
    missing, extra = sorted(set(listed) - set(present)), sorted(set(present) - set(listed))
    found = [f"listed but missing from {folder}/: {', '.join(missing)}"] if missing else []
    return found + ([f"in {folder}/ but not listed: {', '.join(extra)}"] if extra else [])


def _sidecars(path: Path) -> Check:
    said = read_sidecars(path)
    digests = file_digests(path, *said) if said else {}
    found = [f"{path.name}.{algorithm}" for algorithm in said]
    wrong = [f"{path.name}.{algorithm} says {word!r}, the wagon's is {digests[algorithm]}"
             for algorithm, word in said.items() if word.lower() != digests[algorithm]]
    if wrong:
        return Check("sidecars", FAILED, "; ".join(wrong))
    if not found:
        return Check("sidecars", PASSED, "no .md5 or .sha256 next to the wagon: nothing to compare")
    return Check("sidecars", PASSED, f"{', '.join(found)} match the wagon")


def _digests(w: _Wagon) -> Check:
    recorded = (w.meta.extension or {}).get("wheels")
    if not isinstance(recorded, dict):
        return Check("digests", w.strict,
                     f"{w.meta.created_by} records no per-wheel sha256: integrity not checked")
    wrong = []
    for name in w.present:
        entry = recorded.get(name)
        if not isinstance(entry, dict):
            wrong.append(f"no digest recorded for {name}")
            continue
        path = w.wheel_dir / name
        actual, size = sha256_of(path), path.stat().st_size
        if entry.get("sha256") != actual:
            wrong.append(f"{name} has sha256 {actual}, package.json records {entry.get('sha256')}")
        elif entry.get("size") != size:
            wrong.append(f"{name} has {size} bytes, package.json records {entry.get('size')}")
    if wrong:
        return Check("digests", FAILED, "; ".join(wrong))
    return Check("digests", PASSED, f"sha256 and size of {len(w.present)} wheels match")


def _truth(report: WagonReport, w: _Wagon) -> None:
    meta = w.meta
    if w.broken:
        report.add("wheel-metadata", FAILED, "; ".join(w.broken))
    else:
        report.add("wheel-metadata", PASSED, f"{len(w.infos)} wheels, each as its file name says")

    plugins = w.plugin_wheels()
    if not plugins:
        report.add("plugin-wheel", FAILED, f"no wheel in wheels/ is {meta.name!r} (package_name)")
    for info in plugins:
        if info.version == meta.version:
            report.add("plugin-wheel", PASSED,
                       f"{info.path.name} is {meta.name} {meta.version}, as package.json says")
        elif info.release == meta.release:
            report.add("plugin-wheel", WARNING,
                       f"package_version {meta.version!r} is spelled {info.version!r} in"
                       f" {info.path.name}'s METADATA")
        else:
            report.add("plugin-wheel", FAILED,
                       f"package_version is {meta.version!r} but {info.path.name}'s METADATA says"
                       f" {info.version!r}")

    report.checks.append(_pythons(w))
    report.checks.append(_tags(w))
    report.checks.append(_python_requires(w))


def _pythons(w: _Wagon) -> Check:
    listed = list(w.meta.pythons)
    if w.unparsed:
        return Check("pythons", WARNING,
                     f"{', '.join(w.unparsed)}: not a CPython 3 version the manager reads;"
                     " not checked")
    if not w.versions:
        if not listed:
            return Check("pythons", w.strict, "supported_python_versions is empty")
        return Check("pythons", WARNING,
                     f"only generic tags ({', '.join(listed)}): checked with this machine's"
                     f" Python {sys.version_info[0]}.{sys.version_info[1]}")
    return Check("pythons", PASSED, f"{', '.join(listed)}")


def _tags(w: _Wagon) -> Check:
    if w.platform is None:
        return Check("tags", WARNING, f"platform {w.meta.platform!r} is not a Linux or any"
                     " platform we know: wheel tags not checked")
    if not w.versions:
        return Check("tags", WARNING, "no CPython 3 version listed: wheel tags not checked")
    targets = w.targets()
    accepted = {t: t.tags() for t in targets}
    ids = ", ".join(t.id for t in targets)
    misfits = [f"{i.path.name} fits none of {ids}" for i in w.infos
               if not any(i.fits(accepted[t]) for t in targets)]
    if misfits:
        return Check("tags", FAILED, "; ".join(misfits))
    return Check("tags", PASSED, f"every wheel's tags fit {ids}")


def _python_requires(w: _Wagon) -> Check:
    """python_requires admits every listed Python, and so does, for each project, at least one of
    the wheels whose tags fit that Python (a combined wagon may hold other versions for others)."""
    if not w.versions:
        return Check("python-requires", WARNING, "no CPython 3 version listed: not checked")
    text = w.meta.python_requires
    problems = []
    for v in w.versions:
        if text is None or admits(text, v) is not False:
            continue
        culprits = [f"{i.path.name} (Requires-Python {i.requires_python})" for i in w.infos
                    if admits(i.requires_python, v) is False]
        source = (f"; the wheels that exclude it: {', '.join(culprits)}" if culprits
                  else "; no wheel excludes it: package.json's python_requires is wrong")
        problems.append(f"Python {v[0]}.{v[1]}, which the wagon lists, is excluded by"
                        f" python_requires {text!r}{source}")
    for target in w.targets():
        accepted = target.tags()
        by_project: dict[str, list[WheelInfo]] = {}
        for info in w.infos:
            if info.fits(accepted):
                by_project.setdefault(canonicalize_name(info.name), []).append(info)
        for infos in by_project.values():
            if not any(admits(i.requires_python, target.python) is not False
                       for i in infos):
                problems += [f"{i.path.name} {i.requires_python!r} excludes Python"
                             f" {target.python_version}, which the wagon lists" for i in infos]
    if problems:
        return Check("python-requires", FAILED, "; ".join(problems))
    shown = w.meta.python_requires or "none recorded"
    return Check("python-requires", PASSED,
                 f"python_requires ({shown}) and every wheel's Requires-Python admit"
                 f" {', '.join(f'{v[0]}.{v[1]}' for v in w.versions)}")


def _yamls(report: WagonReport, w: _Wagon) -> dict[str, list[plugin_yaml.Operation]]:
    """`yaml:<name>` for each plugin YAML in files/; returns the operations each maps."""
    found: dict[str, list[plugin_yaml.Operation]] = {}
    paths = plugin_yaml.find_yamls(w.ex.root / FILES_DIR)
    naming = []
    for path in paths:
        label = f"{FILES_DIR}/{path.name}"
        try:
            data = plugin_yaml.load(path, label)
            if plugin_yaml.check_plugins(data, label, w.meta.name, w.meta.version):
                naming.append(path)
            found[path.name] = plugin_yaml.operations(data, label)
        except PackagerError as exc:
            report.add(f"yaml:{path.name}", FAILED, exc.message)
            continue
        report.add(f"yaml:{path.name}", PASSED,
                   f"plugins name {w.meta.name} {w.meta.version}; operation mappings:"
                   f" {len(found[path.name])}")
    # wagon 0.x/1.x never pack YAMLs; ours pack every YAML the project has.
    missing = plugin_yaml.missing_yaml_warning(Path(FILES_DIR), paths, naming, w.meta.name)
    if missing and w.meta.ours:
        report.add("yaml", WARNING, missing)
    return found


@dataclass(frozen=True)
class _Where:
    """Where a validation runs: its settings, environment, machine and temporary directory."""

    settings: Settings
    env: Mapping[str, str]
    host: Host
    tmp: Path


def _clean_rooms(report: WagonReport, w: _Wagon,
                 operations: Mapping[str, Sequence[plugin_yaml.Operation]], where: _Where) -> bool:
    """One clean-room install per listed Python (without `settings.clean_room`, only the load of
    the extension modules on this machine's); True when at least one import probe ran."""
    settings, env, tmp = where.settings, where.env, where.tmp
    room = settings.clean_room
    for entry in w.unparsed if room else ():
        report.add(f"install:{entry}", SKIPPED, f"{entry}: clean-room installs need CPython 3")
    versions = w.versions or ([] if w.unparsed or not room else [sys.version_info[:2]])
    plugin_modules = sorted({m.split(".")[0] for i in w.plugin_wheels()
                             for m in module_members(i.path)})
    functions = sorted({(op.module, op.function) for ops in operations.values() for op in ops
                        if op.module and op.function})
    questions = Questions(plugin_modules, functions, list(operations))
    budget = (settings.limits or Limits()).budget(w.ex.source.stat().st_size)
    cache = Cache(settings.cache_dir or Path(user_cache_dir("plugin-packager")))
    probed = False
    for version in versions:
        pytag = f"py{version[0]}{version[1]}"
        target = w.meta.target(version, w.platform) if w.platform is not None else None
        compiled = native.compiled_wheels(target, w.infos, budget, cache) if target else None
        if not (room or compiled):
            continue
        wanted = Wanted(w.wheel_dir, w.meta.pinned, w.meta.requirements(pytag), w.meta.excluded)
        request = Room(pytag, wanted, questions, tmp / pytag, env)
        if target is not None and not target.platform.runs_on(where.host):
            place = ForeignSite(target, where.host, settings.target_python_root,
                                settings.cache_dir, compiled)
            checks, probe = install_and_probe(request, place) if room else ([], None)
        else:
            try:
                interpreter = _interpreter(w, version, where)
            except PackagerError as exc:
                report.add(f"{'install' if room else 'extensions'}:{pytag}", SKIPPED, exc.message)
                continue
            venv = Venv(interpreter, settings.installer)
            checks, probe = install_and_probe(request, venv) if room else ([], None)
            if compiled:
                checks.append(compiled.check(Runtime(interpreter), tmp / f"{pytag}-native", env))
        report.checks += checks
        if probe is None:
            continue
        probed = True
        executors = {op.executor for ops in operations.values() for op in ops}
        report.checks.append(import_check(f"import:{pytag}", plugin_modules, probe, w.shipped,
                                          executors))
        for label, ops in operations.items():
            report.checks.append(
                operations_check(f"operations:{label}:{pytag}", ops, w.shipped, probe))
    return probed


def _interpreter(w: _Wagon, version: tuple[int, int], where: _Where) -> Path:
    if w.platform is None:
        raise TargetError(f"this machine ({where.host.describe()}) cannot run {w.meta.platform}"
                          " wheels")
    try:
        return find_interpreter(version, where.settings.interpreters, where.env)
    except PackagerError as exc:
        raise TargetError(f"no Python {version[0]}.{version[1]} here ({exc.one_line()})") from exc
