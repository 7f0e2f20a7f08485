"""`merge`: the output directories of matrix cells → one release directory, shaped as one `build`
of every target would have left it (wagons, sidecars, SBOMs, one build-report.json)."""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .. import _json
from .._epoch import is_epoch
from .._files import check_writable, file_digests, writing
from .._names import plain_name
from ..errors import ArchiveError, ConfigError
from ..wagon.report import REPORT_NAME, SBOM_SUFFIX, BuildReport, WagonResult

# A wagon's companions in an output directory, each named <wagon><suffix>.
SIDECARS = (".md5", ".sha256", SBOM_SUFFIX)


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _source(value: Any) -> bool:
    return isinstance(value, dict) and all(
        isinstance(k, str) and (v is None or isinstance(v, str)) for k, v in value.items())


# The JSON type of every field a report (and each of its wagons) must have, as build writes it.
_REPORT = {"package_name": str, "package_version": str, "output": str,
           "source_date_epoch": is_epoch, "source": _source}
_WAGON = {"file": str, "targets": _strings, "platform": str, "python_versions": _strings,
          "sha256": str, "md5": str, "size": _count, "wheels": _strings}


def _typed(data: Any, types: dict[str, Any]) -> dict[str, Any]:
    """`data`'s fields named in `types`, each of its type (they become paths, digests, names);
    TypeError naming the first that is missing or of another type."""
    if not isinstance(data, dict):
        raise TypeError(f"a {type(data).__name__} where an object belongs")
    for name, kind in types.items():
        value = data.get(name)
        if not (isinstance(value, kind) if isinstance(kind, type) else kind(value)):
            raise TypeError(f"{name!r} is missing or of the wrong type")
    return {name: data[name] for name in types}


def load_report(directory: Path) -> BuildReport:
    """A build output directory's report, as the build wrote it; ArchiveError when unreadable or
    when a file it lists is not a plain file name of that directory."""
    path = directory / REPORT_NAME
    if not path.is_file():
        raise ArchiveError(f"{directory} has no {REPORT_NAME}",
                           "pass directories that plugin-packager build wrote")
    try:
        data = _json.load(path)
        wagons = data.get("wagons") if isinstance(data, dict) else None
        if not isinstance(wagons, list):
            raise TypeError("'wagons' is missing or not a list")
        report = BuildReport(**_typed(data, _REPORT),
                             wagons=[WagonResult(**_typed(w, _WAGON)) for w in wagons])
    except (ValueError, TypeError) as exc:
        raise ArchiveError(f"{path} is not a build report: {exc}",
                           "rebuild that cell with plugin-packager build") from exc
    hint = "merge only directories that plugin-packager build wrote, unchanged"
    for wagon in report.wagons:
        plain_name(wagon.file, path, "wagon file", hint=hint)
        for suffix in SIDECARS:  # a name short enough may not be with its suffix
            plain_name(wagon.file + suffix, path, "sidecar file", hint=hint)
    return report


def check_files(directory: Path, report: BuildReport) -> None:
    """Every wagon the report lists is there with its sidecars, and its bytes are those built."""
    for wagon in report.wagons:
        for name in (wagon.file, *(wagon.file + s for s in SIDECARS)):
            if not (directory / name).is_file():
                raise ArchiveError(f"{directory / name} is missing",
                                   "copy the whole output directory of that build")
        digests = file_digests(directory / wagon.file, "sha256", "md5")
        if digests != {"sha256": wagon.sha256, "md5": wagon.md5}:
            raise ArchiveError(f"{directory / wagon.file} is not the wagon its report describes",
                               "rebuild that cell; its files were changed after the build")


def _identity(report: BuildReport) -> dict[str, str]:
    source = report.source
    return {"package": f"{report.package_name} {report.package_version}",
            "source": f"git {source.get('git') or '(none)'}, tree {source.get('tree')}",
            "SOURCE_DATE_EPOCH": str(report.source_date_epoch)}


def merged_report(cells: Sequence[tuple[Path, BuildReport]], output: Path) -> BuildReport:
    """One report for the cells; ConfigError when they are not parts of one build."""
    first_dir, first = cells[0]
    owners: dict[str, int] = {}
    for index, (directory, report) in enumerate(cells):
        for key, value in _identity(report).items():
            if value != _identity(first)[key]:
                raise ConfigError(
                    f"{directory} and {first_dir} come from different builds:"
                    f" {key} {value} against {_identity(first)[key]}",
                    "merge only cells built from one commit and version",
                )
        for wagon in report.wagons:
            for name in (*wagon.targets, wagon.file):
                if owners.setdefault(name, index) != index:
                    raise ConfigError(
                        f"{name} is in both {cells[owners[name]][0]} and {directory}",
                        "merge each matrix cell once",
                    )
    wagons = [wagon for _, report in cells for wagon in report.wagons]
    return dataclasses.replace(first, output=str(output), wagons=wagons)


def merge(directories: Sequence[Path], output: Path) -> BuildReport:
    """Copy the cells into `output` (which must not exist or be empty), all or nothing."""
    if output.exists() and (not output.is_dir() or any(output.iterdir())):
        raise ConfigError(f"{output} already exists and is not an empty directory",
                          "choose a new release directory")
    check_writable(output, "release")
    cells = [(d, load_report(d)) for d in directories]
    for directory, report in cells:
        check_files(directory, report)
    report = merged_report(cells, output)
    output.parent.mkdir(parents=True, exist_ok=True)
    with writing(output, "release"), tempfile.TemporaryDirectory(
            dir=output.parent, prefix=f".{output.name}.") as tmp:
        stage = Path(tmp) / "release"
        stage.mkdir()
        for directory, cell in cells:
            for wagon in cell.wagons:
                for name in (wagon.file, *(wagon.file + s for s in SIDECARS)):
                    shutil.copyfile(directory / name, stage / name)
        (stage / REPORT_NAME).write_text(report.to_json(), encoding="utf-8")
        for path in stage.iterdir():
            path.chmod(0o644)
        stage.replace(output)
    return report
