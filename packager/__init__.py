"""plugin-packager: wagons for orchestration plugins, built per target and reproducibly."""

from __future__ import annotations

from importlib import metadata

from .config import Options, load_options
from .errors import PackagerError
from .install import describe, install_wagon
from .pipeline import BuildReport, build
from .report import WagonReport
from .targets import BuildTarget, Host
from .validate import validate_wagon

try:
    __version__ = metadata.version("plugin-packager")
except metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "BuildReport", "BuildTarget", "Host", "Options", "PackagerError", "WagonReport", "build",
    "describe", "install_wagon", "load_options", "validate_wagon",
]
