"""TOML reading: tomllib on 3.11+, its backport before, and our packaged data files."""

import sys
from functools import cache
from importlib import resources
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["resource", "tomllib"]


@cache
def resource(name: str) -> dict[str, Any]:
    """A TOML file from packager/resources, parsed once per process."""
    text = resources.files("packager").joinpath(f"resources/{name}").read_text(encoding="utf-8")
    data: dict[str, Any] = tomllib.loads(text)
    return data
