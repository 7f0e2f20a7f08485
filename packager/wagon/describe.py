"""What `show` prints: a wagon's metadata, every wheel with its tags, and its targets."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from packaging.utils import InvalidWheelFilename, parse_wheel_filename

from ..targets import BuildTarget, platform_of_wagon, read_pytags
from .archive import Limits, open_wagon, read_metadata
from .metadata import WHEELS_DIR, WagonMeta, parse_metadata


@dataclass(frozen=True)
class WheelEntry:
    file: str
    tags: list[str]
    listed: bool  # named in package.json's `wheels`


@dataclass(frozen=True)
class Description:
    file: str
    container: str
    created_by: str
    package_name: str
    package_version: str
    supported_platform: str
    supported_python_versions: list[str]
    python_requires: str | None
    build_tag: str | None
    targets: list[str]
    files: list[str]
    wheels: list[WheelEntry]
    metadata: dict[str, Any]  # package.json as written

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def target_ids(meta: WagonMeta) -> list[str]:
    """The targets we recorded, or those wagon's metadata implies (Pythons by platform)."""
    recorded = (meta.extension or {}).get("targets")
    if isinstance(recorded, list) and all(isinstance(t, str) for t in recorded):
        return list(recorded)
    platform = platform_of_wagon(meta.platform)
    versions, unparsed = read_pytags(meta.pythons)
    ids = [BuildTarget(v, platform).id if platform else f"cp{v[0]}{v[1]}-{meta.platform}"
           for v in versions]
    return ids + [f"{entry}-{meta.platform}" for entry in unparsed]


def _tags(name: str) -> list[str]:
    try:
        return sorted(str(t) for t in parse_wheel_filename(name)[3])
    except InvalidWheelFilename:
        return []


def describe(path: Path, limits: Limits | None = None) -> Description:
    with open_wagon(path, limits) as ex:
        raw = read_metadata(ex)
        meta = parse_metadata(raw, path.name)
        present = sorted(f.split("/", 1)[1] for f in ex.files if f.startswith(f"{WHEELS_DIR}/"))
    return Description(
        file=path.name,
        container=ex.container,
        created_by=meta.created_by,
        package_name=meta.name,
        package_version=meta.version,
        supported_platform=meta.platform,
        supported_python_versions=list(meta.pythons),
        python_requires=meta.python_requires,
        build_tag=meta.build_tag or None,
        targets=target_ids(meta),
        files=list(meta.files),
        wheels=[WheelEntry(name, _tags(name), name in meta.wheels) for name in present],
        metadata=raw,
    )
