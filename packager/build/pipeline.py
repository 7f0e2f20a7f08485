"""`build`: plugin wheel → per-target dependency wheels → wagons, published atomically."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from .._files import replace_atomically
from ..check.gate import require_valid
from ..check.validate import Settings
from ..errors import ConfigError, ResolutionError
from ..events import Event, Events, ignore
from ..targets import BuildTarget, Host
from ..wheels import WheelInfo
from .assemble import SBOM_SUFFIX, WagonResult, assemble, cells, label_cells
from .config import Options
from .direct import tree_sdist
from .fetch import fetch
from .indexes import Indexes
from .lock import lock_path, read_lock
from .project import Prepared, prepare
from .resolve import Candidate, resolve
from .sdists import Refused, build_sdist, compiled_release, refusal_error, release_wheels

REPORT_NAME = "build-report.json"
DEFAULT_INDEX = "https://pypi.org/simple"
TargetWheels = tuple[list[Path], list[Refused]]


@dataclass(frozen=True)
class BuildReport:
    package_name: str
    package_version: str
    output: str
    source_date_epoch: int
    wagons: list[WagonResult] = field(default_factory=list)
    source: dict[str, str | None] = field(default_factory=dict)  # git HEAD and tree digest

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True) + "\n"


def _target_wheels(
    target: BuildTarget,
    candidates: Sequence[Candidate],
    workdir: Path,
    prepared: Prepared,
    host: Host,
    indexes: Indexes,
    offline: bool,
    on_event: Events,
) -> TargetWheels:
    """The target's wheels, and the dependencies it cannot have (foreign targets only)."""
    on_event(Event(f"fetching {len(candidates)} files", target.id, "fetch"))
    files = [c for c in candidates if not c.tree]
    found = dict(zip(files, fetch(files, workdir / "download", prepared.cache, indexes.local_dirs,
                                  offline, indexes)))
    for candidate in candidates:
        if candidate.tree:
            found[candidate] = tree_sdist(candidate, workdir / "trees" / candidate.name,
                                          prepared.env)
    out = [found[c] for c in candidates if not c.is_sdist]
    refused = []
    for candidate in candidates:
        path = found[candidate]
        if (candidate.is_sdist and not candidate.tree and not offline
                and not target.is_native(host)):
            # A release with wheels for other platforms only is compiled code: no need to build it.
            index = indexes.index_url or DEFAULT_INDEX
            others = release_wheels(candidate, index)
            candidate = replace(candidate, wheels=candidate.wheels + others)
            why = compiled_release(candidate, target)
            if why is not None:
                refused.append(Refused(candidate, why))
                continue
        if candidate.is_sdist:
            message = f"building {candidate.name} {candidate.version} from its sdist"
            on_event(Event(message, target.id, "compile"))
            try:
                out.append(build_sdist(candidate, path, target, host, workdir / candidate.name,
                                       prepared.env, prepared.cache, candidates))
            except Refused as exc:
                refused.append(exc)
    return out, refused


def _publish(report: BuildReport, staged: Mapping[str, Path], output: Path) -> None:
    output.mkdir(parents=True, exist_ok=True)
    for result in report.wagons:
        replace_atomically(staged[result.file], output / result.file)
        sbom = staged[result.file].with_name(result.file + SBOM_SUFFIX)
        replace_atomically(sbom, output / sbom.name)
        replace_atomically(f"{result.md5}\n".encode(), output / f"{result.file}.md5")
        replace_atomically(f"{result.sha256}\n".encode(), output / f"{result.file}.sha256")
    replace_atomically(report.to_json().encode(), output / REPORT_NAME)


def _without_clashes(results: Sequence[WagonResult]) -> list[WagonResult]:
    seen: dict[str, WagonResult] = {}
    for result in results:
        clash = seen.setdefault(result.file, result)
        if clash is not result:
            raise ConfigError(
                f"targets {clash.targets[0]} and {result.targets[0]} would both write {result.file}",
                "drop one of the overlapping --platform values",
            )
    return list(results)


def _candidates(
    target: BuildTarget, prepared: Prepared, options: Options, host: Host, workdir: Path,
    refresh: bool, on_event: Events,
) -> list[Candidate]:
    """The target's lock when the project has one, else a (cached) resolution."""
    path = lock_path(options.project, options.locks, target)
    if path.is_file():
        on_event(Event(f"using {path.name}", target.id, "resolve"))
        candidates = read_lock(path, target, prepared.locked_for(target))
    elif options.offline:
        raise ResolutionError(
            f"--offline needs a lock for {target.id}, and {path} does not exist",
            "run plugin-packager lock while the network is there",
        )
    else:
        request = prepared.request(target, workdir, options.indexes, host)
        count = len(request.requirements)
        on_event(Event(f"resolving {count} requirements", target.id, "resolve"))
        candidates = resolve(request, refresh, on_event)
    return candidates


def cell_plugin(prepared: Prepared, cell: Sequence[BuildTarget]) -> WheelInfo:
    """The one plugin wheel a wagon holds; Pythons whose setup.py gave different Requires-Dist
    cannot share a wagon, since both wheels have one file name."""
    plugins = {prepared.plugin_for(t).path for t in cell}
    if len(plugins) > 1:
        raise ConfigError(
            f"the plugin's setup.py gives Python {cell[0].python_version} and"
            f" {cell[-1].python_version} different dependencies, so they cannot share a wagon",
            "build without --combine, or express the branches as environment markers",
        )
    return prepared.plugin_for(cell[0])


def cell_inputs(
    prepared: Prepared, cell: Sequence[BuildTarget],
    resolved: Mapping[BuildTarget, Sequence[Candidate]] | None = None,
) -> dict[str, Any]:
    """Extra requirements per Python (install and validate install them too), exclusions, and
    direct references as pinned."""
    inputs = [prepared.inputs[t.id] for t in cell]
    out: dict[str, Any] = {}
    pinned = sorted({c.reference for t in cell for c in (resolved or {}).get(t, ()) if c.reference})
    if pinned:
        out["direct_references"] = pinned
    requirements = {t.pytag: list(i.requirements) for t, i in zip(cell, inputs) if i.requirements}
    if requirements:
        out["requirements"] = requirements
    excluded = sorted({name for i in inputs for name in i.exclude})
    if excluded:
        out["exclude"] = excluded
    return out


def build_wagons(
    options: Options,
    env: Mapping[str, str],
    host: Host | None = None,
    on_event: Events = ignore,
    jobs: int | None = None,
    refresh: bool = False,
    only: Sequence[str] = (),
) -> BuildReport:
    """Build every target (or those `only` matches), `jobs` at a time; the output is touched only
    once all succeeded."""
    if options.output.exists() and not options.output.is_dir():
        raise ConfigError(f"output {options.output} is a file, not a directory",
                          "pass -o with a directory (it is created when missing)")
    host = host or Host.detect()
    with tempfile.TemporaryDirectory(prefix="plugin-packager-") as tmp_name, ThreadPoolExecutor(
        max(1, jobs or os.cpu_count() or 1)
    ) as pool:
        tmp = Path(tmp_name)
        prepared = prepare(options, env, host, tmp, on_event, only)
        targets, plugin = prepared.targets, prepared.plugin

        def candidates(target: BuildTarget) -> list[Candidate]:
            return _candidates(target, prepared, options, host, tmp / target.id, refresh, on_event)

        # Every target resolves before any builds; resolving waits on the network more than
        # the CPU, so all targets resolve at once.
        with ThreadPoolExecutor(len(targets)) as resolvers:
            resolved = list(resolvers.map(candidates, targets))
        by_target = dict(zip(targets, resolved))

        def wheels_for(target: BuildTarget, found: list[Candidate]) -> TargetWheels:
            return _target_wheels(target, found, tmp / target.id, prepared, host, options.indexes,
                                  options.offline, on_event)

        got = dict(zip(targets, pool.map(wheels_for, targets, resolved)))
        refusals = {target: refused for target, (_, refused) in got.items() if refused}
        if refusals:
            raise refusal_error(refusals)
        wheels = {target: paths for target, (paths, _) in got.items()}

        def assemble_cell(labelled: tuple[list[BuildTarget], bool]) -> tuple[WagonResult, Path]:
            cell, may_be_any = labelled
            for target in cell:
                on_event(Event("writing the wagon", target.id, "write"))
            stage = tmp / "stage" / cell[0].id
            result = assemble(
                [(t, wheels[t]) for t in cell], cell_plugin(prepared, cell), prepared.files,
                options, prepared.epoch, stage, prepared.source.as_dict(), may_be_any,
                cell_inputs(prepared, cell, by_target),
            )
            for target in cell:
                on_event(Event(f"{result.file} ({len(result.wheels)} wheels)", target.id, "done"))
            return result, stage / result.file

        labelled = label_cells(cells(targets, options.combine), wheels, plugin.path)
        built = list(pool.map(assemble_cell, labelled))
        report = BuildReport(
            plugin.name, plugin.version, str(options.output), prepared.epoch,
            _without_clashes([result for result, _ in built]), prepared.source.as_dict(),
        )
        settings = Settings(clean_room=options.validate, interpreters=options.interpreters,
                            agent_provides=options.agent_provides,
                            cache_dir=options.cache_dir)
        require_valid([path for _, path in built], env, host, settings, on_event)
        _publish(report, {result.file: path for result, path in built}, options.output)
    return report
