"""`diff`: what changed between two releases (release directories or single wagons): versions,
targets, and each target's wheels added, removed or changed, with sizes and hashes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename

from .. import _json
from .._files import file_digests
from .._names import plain_name
from ..errors import ArchiveError
from ..wagon.archive import load_meta, open_wagon
from ..wagon.describe import target_ids
from ..wagon.metadata import WHEELS_DIR

CATALOG = "catalog.json"


@dataclass(frozen=True)
class FileFacts:
    """A wagon or wheel as the diff sees it."""

    file: str
    version: str
    sha256: str
    size: int


@dataclass(frozen=True)
class Target:
    """One target of a release: its package, its wagon, and its wheels keyed by project + tags."""

    package: str
    wagon: FileFacts
    wheels: dict[str, FileFacts]


def _wheel_key(name: str) -> tuple[str, str]:
    """(project + tags, version): a bumped dependency keeps its key and changes its version."""
    try:
        project, version, _, tags = parse_wheel_filename(name)
    except InvalidWheelFilename as exc:
        raise ArchiveError(f"{name} is not a wheel file name", "rebuild the wagon") from exc
    tagged = ".".join(sorted(str(t) for t in tags))
    return f"{canonicalize_name(project)} ({tagged})", str(version)


def read_wagon(path: Path) -> dict[str, Target]:
    """Each target of a wagon, every one holding all the wagon's wheels."""
    with open_wagon(path) as ex:
        meta = load_meta(ex)
        wheels = {}
        for member in sorted((ex.root / WHEELS_DIR).glob("*.whl")):
            key, version = _wheel_key(member.name)
            wheels[key] = FileFacts(member.name, version, file_digests(member, "sha256")["sha256"],
                                    member.stat().st_size)
    wagon = FileFacts(path.name, meta.version, file_digests(path, "sha256")["sha256"],
                      path.stat().st_size)
    return {target: Target(meta.name, wagon, wheels) for target in target_ids(meta)}


def _site_wagons(site: Path) -> list[Path]:
    """The newest release's wagons of every plugin of a download site (SPEC §5: catalog.json, files
    under <plugin>/<version>/), whether its URLs are relative or absolute."""
    catalog = site / CATALOG
    try:
        entries = _json.load(catalog)
        found = [
            (entry["name"], entry["version"], unquote(urlsplit(w["url"]).path.rsplit("/", 1)[-1]))
            for entry in entries for w in entry["wagon_urls"]
        ]
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise ArchiveError(f"{catalog} is not a site catalog: {exc}",
                           "pass a site that plugin-packager index wrote") from exc
    wagons = []
    for parts in found:
        path = site.joinpath(*(plain_name(p, catalog, hint="index the site again") for p in parts))
        if not path.is_file():
            raise ArchiveError(f"{catalog} lists {'/'.join(parts)}, which the site does not hold",
                               "index the site again")
        wagons.append(path)
    return list(dict.fromkeys(wagons))  # a wagon is listed once per label it serves


def _is_site(path: Path) -> bool:
    return path.is_dir() and (path / CATALOG).is_file()


def read_release(path: Path, named: bool = False) -> dict[str, Target]:
    """Every target of a release directory's wagons, of one wagon file, or of a download site's
    newest releases; named "<plugin> <target>" for a site (it holds many plugins), or when
    `named` (to be compared with a site)."""
    site = _is_site(path)
    named = named or site
    wagons = _site_wagons(path) if site else sorted(path.glob("*.wgn")) if path.is_dir() else [path]
    if not wagons:
        raise ArchiveError(f"{path} holds no wagons (*.wgn)",
                           "pass a release directory, a download site or a wagon")
    found: dict[str, Target] = {}
    for wagon in wagons:
        for target, facts in read_wagon(wagon).items():
            key = f"{facts.package} {target}" if named else target
            if key in found:
                raise ArchiveError(f"{path}: two wagons for {key}: {found[key].wagon.file}"
                                   f" and {wagon.name}", "keep one release per directory")
            found[key] = facts
    return found


@dataclass(frozen=True)
class Change:
    """Something present in the old release, the new one, or both with other bytes."""

    name: str
    old: FileFacts | None
    new: FileFacts | None

    @property
    def kind(self) -> str:
        return "added" if self.old is None else "removed" if self.new is None else "changed"


@dataclass(frozen=True)
class TargetChange:
    target: str
    wagon: Change
    wheels: list[Change]


@dataclass(frozen=True)
class ReleaseDiff:
    old: str
    new: str
    old_versions: list[str]
    new_versions: list[str]
    targets_added: list[str] = field(default_factory=list)
    targets_removed: list[str] = field(default_factory=list)
    changed: list[TargetChange] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.targets_added or self.targets_removed or self.changed)

    def to_json(self) -> dict[str, Any]:
        def with_kind(change: Change) -> dict[str, Any]:
            return {"kind": change.kind, **asdict(change)}

        data = asdict(self)
        data["changed"] = [
            {"target": c.target, "wagon": with_kind(c.wagon),
             "wheels": [with_kind(w) for w in c.wheels]}
            for c in self.changed
        ]
        return data


def _versions(targets: Iterable[Target]) -> list[str]:
    return sorted({f"{t.package} {t.wagon.version}" for t in targets})


def _wheel_changes(old: dict[str, FileFacts], new: dict[str, FileFacts]) -> list[Change]:
    keys = sorted(old.keys() | new.keys())
    return [Change(k, old.get(k), new.get(k)) for k in keys
            if old.get(k) is None or new.get(k) is None or old[k].sha256 != new[k].sha256]


def diff_releases(old_path: Path, new_path: Path) -> ReleaseDiff:
    named = _is_site(old_path) or _is_site(new_path)  # a release against a site: by plugin too
    old, new = read_release(old_path, named), read_release(new_path, named)
    result = ReleaseDiff(
        str(old_path), str(new_path), _versions(old.values()), _versions(new.values()),
        targets_added=sorted(new.keys() - old.keys()),
        targets_removed=sorted(old.keys() - new.keys()),
    )
    for target in sorted(old.keys() & new.keys()):
        before, after = old[target], new[target]
        if before.wagon.sha256 == after.wagon.sha256:
            result.unchanged.append(target)
            continue
        wagon = Change("wagon", before.wagon, after.wagon)
        wheels = _wheel_changes(before.wheels, after.wheels)
        result.changed.append(TargetChange(target, wagon, wheels))
    return result
