"""One wagon from the wheels of one cell: a target, or (--combine) several Pythons of a platform."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import _tools
from .._files import file_digests, sha256_of
from ..cache import Cache
from ..errors import ResolutionError
from ..targets import BuildTarget
from ..wagon.metadata import WagonId, package_json, python_requires
from ..wagon.report import SBOM_SUFFIX, WagonResult
from ..wagon.writer import members, write_wagon
from ..wheels import WheelInfo, inspect_wheel, is_pure_file
from .config import Options
from .sbom import SbomInput, sbom_text

Cell = Sequence[tuple[BuildTarget, Sequence[Path]]]


def _cell_infos(plugin: WheelInfo, cell: Cell) -> list[WheelInfo]:
    """Every wheel of the cell once (the lowest Python's copy), each checked against its target."""
    by_name = {plugin.path.name: plugin}
    for target, wheels in cell:
        accepted = target.tags()
        for info in [plugin, *(inspect_wheel(w) for w in wheels)]:
            if not info.fits(accepted):
                raise ResolutionError(
                    f"{info.path.name} does not run on {target.id}",
                    "a plugin with compiled code must be built per target; provide a matching wheel",
                )
            by_name.setdefault(info.path.name, info)
    return [by_name[name] for name in sorted(by_name)]


def _shared_requires_python(plugin: WheelInfo, cell: Cell,
                            infos: Sequence[WheelInfo]) -> str | None:
    """Requires-Python of the wheels every Python of the cell installs, so it admits them all."""
    shared = set.intersection(*({p.name for p in wheels} | {plugin.path.name} for _, wheels in cell))
    return python_requires(i.requires_python for i in infos if i.path.name in shared)


@dataclass(frozen=True)
class WagonParts:
    """What one wagon is made of: the cell's targets with their wheels, the plugin wheel they
    install, the project's files, the epoch of every timestamp, the source it was built from
    (git HEAD, tree digest), what the build recorded of its inputs, and whether it may be
    labelled `any` (False keeps a pure wagon's platform)."""

    cell: Cell
    plugin: WheelInfo
    files: Sequence[Path]
    epoch: int
    source: Mapping[str, str | None]
    inputs: Mapping[str, Any] = field(default_factory=dict)
    may_be_any: bool = True


def assemble(parts: WagonParts, options: Options, stage: Path) -> WagonResult:
    """One wagon, written in `stage`, for a cell: one target, or (--combine) several Pythons on
    one platform, or the same pure wheels for several platforms."""
    cell, plugin, files, source = parts.cell, parts.plugin, parts.files, parts.source
    targets = [target for target, _ in cell]
    infos = _cell_infos(plugin, cell)
    pure = parts.may_be_any and all(i.is_pure for i in infos)
    platform = targets[0].wagon_platform(pure, options.legacy_platform_tag)
    pytags = tuple(dict.fromkeys(t.pytag for t in targets))
    wagon = WagonId(plugin.name, plugin.version, options.build_tag, pytags, platform)
    name = wagon.file
    ordered = [i.path for i in infos]
    digests = {p.name: {"sha256": sha256_of(p), "size": p.stat().st_size} for p in ordered}
    metadata = package_json(
        wagon,
        requires_python=_shared_requires_python(plugin, cell, infos),
        wheels=digests,
        files=[f.name for f in files],
        extension={
            "targets": [t.id for t in targets],
            "python_full_versions": {t.id: t.python_full_version for t in targets},
            "plugin_yamls": sorted(f.name for f in files if f.suffix == ".yaml"),
            "tools": _tools.tool_versions(),
            "source": dict(source),
            **parts.inputs,
            # The build's date, for the download site (only when set: 1980 would say nothing).
            **({"source_date_epoch": options.source_date_epoch}
               if options.source_date_epoch is not None else {}),
            "title": options.title or plugin.name,
            "description": options.description or plugin.summary or "",
        },
    )
    stage.mkdir(parents=True)
    path = stage / name
    with path.open("wb") as out:
        write_wagon(out, options.format, plugin.name, members(metadata, ordered, files),
                    parts.epoch)
    sbom = stage / f"{name}{SBOM_SUFFIX}"
    facts = SbomInput(wagon_name=name, plugin=plugin, wheels=infos, digests=digests,
                      epoch=parts.epoch, source=source)
    sbom.write_text(sbom_text(Cache(options.cache_dir), facts), encoding="utf-8")
    archive_digests = file_digests(path, "sha256", "md5")
    return WagonResult(
        file=name,
        targets=[t.id for t in targets],
        platform=platform,
        python_versions=list(pytags),
        sha256=archive_digests["sha256"],
        md5=archive_digests["md5"],
        size=path.stat().st_size,
        wheels=[p.name for p in ordered],
    )


Contents = frozenset[tuple[tuple[int, int], str, str]]  # (Python, wheel file, sha256)


def _contents(cell: Sequence[BuildTarget], wheels: Mapping[BuildTarget, Sequence[Path]]) -> Contents:
    return frozenset((t.python, w.name, sha256_of(w)) for t in cell for w in wheels[t])


Labelled = list[tuple[list[BuildTarget], bool]]


def same_pythons(groups: Sequence[list[BuildTarget]]) -> list[list[list[BuildTarget]]]:
    """The cells grouped by their Pythons: what label_group decides on together."""
    by_pythons: dict[tuple[tuple[int, int], ...], list[list[BuildTarget]]] = {}
    for cell in groups:
        by_pythons.setdefault(tuple(t.python for t in cell), []).append(cell)
    return list(by_pythons.values())


def label_group(
    same: Sequence[list[BuildTarget]], wheels: Mapping[BuildTarget, Sequence[Path]], plugin: Path
) -> Labelled:
    """The cells of the same Pythons to assemble, each with whether it may be labelled `any`:
    pure cells on several platforms become one `any` wagon when their wheels are the same files,
    else each keeps its platform, so two targets never write one name with different bytes."""
    pure = is_pure_file(plugin) and all(is_pure_file(w) for c in same for t in c for w in wheels[t])
    if len(same) == 1:
        return [(same[0], True)]
    if pure and len({_contents(cell, wheels) for cell in same}) == 1:
        return [([t for cell in same for t in cell], True)]
    return [(cell, False) for cell in same]


def label_cells(
    groups: Sequence[list[BuildTarget]], wheels: Mapping[BuildTarget, Sequence[Path]], plugin: Path
) -> Labelled:
    """label_group of every group of cells with the same Pythons."""
    return [one for same in same_pythons(groups) for one in label_group(same, wheels, plugin)]
