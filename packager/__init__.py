"""plugin-packager: wagons for orchestration plugins, built per target and reproducibly.

The public API is imported lazily, so `import packager` (and the CLI's start) stays cheap.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

# Public name -> the module that defines it.
_API = {
    "BuildReport": "packager.wagon.report",
    "BuildRun": "packager.builder.pipeline",
    "BuildTarget": "packager.targets",
    "Host": "packager.targets",
    "Options": "packager.builder.config",
    "PackagerError": "packager.errors",
    "WagonReport": "packager.check.report",
    "build_wagons": "packager.builder.pipeline",
    "describe": "packager.wagon.describe",
    "install_wagon": "packager.check.install",
    "load_options": "packager.builder.config",
    "validate_wagon": "packager.check.validate",
}
__all__ = [
    "BuildReport", "BuildRun", "BuildTarget", "Host", "Options", "PackagerError", "WagonReport",
    "build_wagons", "describe", "install_wagon", "load_options", "validate_wagon",
]


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("plugin-packager")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0.0.0"


def __getattr__(name: str) -> Any:
    # importlib.metadata costs a tenth of a second: only `--version` and `new` ask for it.
    if name == "__version__":
        return _version()
    if name not in _API:
        raise AttributeError(f"module 'packager' has no attribute {name!r}")
    return getattr(import_module(_API[name]), name)
