"""`build`: plugin wheel → per-target dependency wheels → wagons, published atomically."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._files import check_writable
from ..cache import Cache
from ..check.gate import require_valid
from ..check.validate import Settings
from ..errors import ConfigError
from ..events import Event, Events, ignore
from ..targets import BuildTarget, Host, cells
from ..wagon.report import REPORT_NAME, SBOM_SUFFIX, BuildReport, WagonResult
from ..wheels import WheelInfo
from .assemble import WagonParts, assemble, label_group, same_pythons
from .config import Options
from .context import BuildContext
from .cores import Cores
from .project import Prepared, prepare
from .publish import publish, recover
from .resolution import Candidate
from .schedule import PluginBuild, TargetWheels
from .sdists import refusal_error


def _publish(report: BuildReport, staged: Mapping[str, Path], output: Path) -> None:
    """The build's files into `output` as one unit (see publish.py), each wagon after its
    companions and the report last."""
    files: dict[str, Path | bytes] = {}
    for result in report.wagons:
        files[f"{result.file}.md5"] = f"{result.md5}\n".encode()
        files[f"{result.file}.sha256"] = f"{result.sha256}\n".encode()
        files[result.file + SBOM_SUFFIX] = staged[result.file].with_name(result.file + SBOM_SUFFIX)
        files[result.file] = staged[result.file]
    files[REPORT_NAME] = report.to_json().encode()
    publish(files, output)


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


def cell_plugin(prepared: Prepared, cell: Sequence[BuildTarget]) -> WheelInfo:
    """The one plugin wheel a wagon holds; Pythons whose setup.py gave different Requires-Dist,
    or whose pre-build hook wrote different files, cannot share a wagon, since both wheels have
    one file name."""
    plugins = {prepared.plugin_for(t).path for t in cell}
    if len(plugins) > 1:
        first, last = cell[0].python_version, cell[-1].python_version
        raise ConfigError(
            f"the plugin's wheels for Python {first} and {last} differ (its setup.py gives"
            " them different dependencies, or its pre-build hook writes different files),"
            " so they cannot share a wagon",
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


@dataclass(frozen=True)
class BuildRun:
    """What one build asks beyond the project's options: the targets `only` matches (all when
    empty), sdists built `jobs` at a time (one per core when None), and with `refresh` each
    target resolved again rather than from a recent cached resolution."""

    only: Sequence[str] = ()
    jobs: int | None = None
    refresh: bool = False


def build_wagons(
    options: Options, env: Mapping[str, str], run: BuildRun = BuildRun(), *,
    on_event: Events = ignore, host: Host | None = None,
) -> BuildReport:
    """Build every target `run` selects; the output is touched only once all succeeded."""
    check_writable(options.output, "output")
    recover(options.output)
    host = host or Host.detect()
    with tempfile.TemporaryDirectory(prefix="plugin-packager-") as tmp_name:
        tmp = Path(tmp_name)
        # One budget of cores for the plugin's wheels, the sdists and the wagons' checks.
        context = BuildContext(env, Cache(options.cache_dir), host, tmp, on_event,
                               Cores(run.jobs or os.cpu_count() or 1))
        prepared = prepare(options, context, run.only)
        with closing(prepared), PluginBuild(prepared, options) as work:
            # The build gate imports the plugin and its dependencies: third-party code too.
            built = _write_when_ready(work, options.indexes.without_credentials(env), run.refresh)
        report = BuildReport(
            prepared.plugin.name, prepared.plugin.version, str(options.output), prepared.epoch,
            _without_clashes([result for result, _ in built]), prepared.source.as_dict(),
        )
        _publish(report, {result.file: path for result, path in built}, options.output)
    return report


Written = list[tuple[WagonResult, Path]]


def _write_when_ready(work: PluginBuild, env: Mapping[str, str], refresh: bool) -> Written:
    """Every target's wheels; each group of cells (those of the same Pythons) written and checked
    as soon as its last target is ready, while the others still resolve, fetch and build."""
    prepared, options, on_event = work.prepared, work.options, work.on_event
    targets = prepared.targets
    groups = same_pythons(cells(targets, options.combine))
    settings = Settings(clean_room=options.validate, interpreters=options.interpreters,
                        agent_provides=options.agent_provides, cache_dir=options.cache_dir)
    ready: dict[BuildTarget, TargetWheels] = {}

    def write(labelled: tuple[list[BuildTarget], bool]) -> tuple[WagonResult, Path]:
        cell, may_be_any = labelled
        plugin = cell_plugin(prepared, cell)  # refused before any "writing"
        for target in cell:
            on_event(Event("writing the wagon", target.id, "write"))
        stage = work.tmp / "stage" / cell[0].id
        resolved = {t: ready[t].candidates for t in cell}
        parts = WagonParts(
            cell=[(t, ready[t].wheels) for t in cell], plugin=plugin, files=prepared.files,
            epoch=prepared.epoch, source=prepared.source.as_dict(),
            inputs=cell_inputs(prepared, cell, resolved), may_be_any=may_be_any,
        )
        result = assemble(parts, options, stage)
        for target in cell:
            on_event(Event(f"{result.file} ({len(result.wheels)} wheels)", target.id, "done"))
        require_valid([stage / result.file], env, work.host, settings, on_event)
        return result, stage / result.file

    def write_group(same: list[list[BuildTarget]]) -> Written:
        wheels = {t: ready[t].wheels for cell in same for t in cell}
        plugin = prepared.plugin_for(same[0][0]).path
        with work.cores.one():  # writing and checking (interpreters run) take the build's cores
            return [write(labelled) for labelled in label_group(same, wheels, plugin)]

    with ThreadPoolExecutor(len(targets)) as per_target, \
            ThreadPoolExecutor(work.cores.total) as writers:
        try:
            pending = {per_target.submit(work.wheels_for, t, refresh): t for t in targets}
            written: dict[int, Future[Written]] = {}
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    ready[pending.pop(future)] = future.result()
                for index, same in enumerate(groups):
                    members = [ready.get(t) for cell in same for t in cell]
                    if index not in written and all(m and not m.refused for m in members):
                        written[index] = writers.submit(write_group, same)
            refusals = {target: got.refused for target, got in ready.items() if got.refused}
            if refusals:
                raise refusal_error(refusals)
            return [one for index in sorted(written) for one in written[index].result()]
        except BaseException:
            work.shutdown()  # the targets still waiting hear CancelledError and end
            raise
