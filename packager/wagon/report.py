"""The build report (`build-report.json`) and each wagon's line in it: an output format, like a
wagon's package.json, that `build` writes and `merge`, `summary` and `index` read."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

REPORT_NAME = "build-report.json"
SBOM_SUFFIX = ".cdx.json"


@dataclass(frozen=True)
class WagonResult:
    file: str
    targets: list[str]
    platform: str
    python_versions: list[str]
    sha256: str
    md5: str
    size: int
    wheels: list[str]


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
