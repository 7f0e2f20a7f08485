"""Unknown keys in a table the user wrote ([tool.plugin-packager], the answers to `new`), named
with the closest known key."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from .errors import ConfigError


def check_keys(found: Mapping[str, Any], known: Mapping[str, Any], where: str) -> None:
    for key in found:
        if key not in known:
            close = difflib.get_close_matches(key, list(known), n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"known keys: {', '.join(known)}"
            raise ConfigError(f"unknown key {key!r} in {where}", hint)
