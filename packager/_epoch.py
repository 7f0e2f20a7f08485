"""SOURCE_DATE_EPOCH (https://reproducible-builds.org/specs/source-date-epoch/), checked once for
every command that reads it from the environment or from a report a build wrote."""

from __future__ import annotations

import re
from collections.abc import Mapping

from .errors import ConfigError

NAME = "SOURCE_DATE_EPOCH"
_SECONDS = re.compile(r"[0-9]+")  # ASCII digits only: str.isdigit also takes "²", which int() refuses


def is_epoch(value: object) -> bool:
    """A whole, non-negative number of seconds, as JSON gives it (true and false are not)."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def source_date_epoch(env: Mapping[str, str]) -> int | None:
    """`env`'s SOURCE_DATE_EPOCH, None when unset; set to anything but a number of seconds
    (an empty value included), ConfigError: a build asked to be reproducible must not go on
    with another date."""
    text = env.get(NAME)
    if text is None:
        return None
    if not _SECONDS.fullmatch(text.strip()):
        raise ConfigError(f"{NAME}={text!r} is not a number of seconds",
                          "unset it or set an integer")
    return int(text)
