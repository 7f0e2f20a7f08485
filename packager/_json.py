"""JSON the tool did not write (package.json, build reports, catalogs, a site's state), bounded in
size and nesting before it is parsed: too much is a ValueError like any other bad JSON, so each
reader's one-line error covers it, never a RecursionError or a memory error."""

from __future__ import annotations

import json
import re
from array import array
from itertools import accumulate
from pathlib import Path
from typing import IO, Any

MAX_BYTES = 64 << 20
MAX_DEPTH = 64

_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")  # an escape JSON decodes into half a character
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
# Opening brackets to 1, closing ones to -1 (as signed bytes), anything else dropped.
_STEPS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")
_NOT_BRACKETS = bytes(set(range(256)) - set(b"[{]}"))


class JSONLimitError(ValueError):
    """JSON larger or more deeply nested than any this tool writes or reads."""


def loads(data: bytes | str, max_depth: int = MAX_DEPTH) -> Any:
    """`data` (UTF-8 when bytes) parsed, refused past MAX_BYTES or `max_depth` levels of
    arrays and objects (counted on the brackets outside strings, in one pass), or when a string
    holds an unpaired surrogate (no text: writing it anywhere would fail)."""
    if len(data) > MAX_BYTES:
        raise JSONLimitError(f"more than {MAX_BYTES} bytes")
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    steps = _STRING.sub("", text).encode("utf-8", "surrogatepass").translate(_STEPS, _NOT_BRACKETS)
    if max(accumulate(array("b", steps)), default=0) > max_depth:
        raise JSONLimitError(f"nested more than {max_depth} levels deep")
    value = json.loads(text)
    if _SURROGATE.search(text):
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ValueError(f"{exc.object[exc.start]!r} is half a surrogate pair, not text") \
                from exc
    return value


def load(source: Path | IO[bytes]) -> Any:
    """A file's or a stream's JSON, as `loads`; reads no more than MAX_BYTES + 1 bytes."""
    if isinstance(source, Path):
        with source.open("rb") as handle:
            return loads(handle.read(MAX_BYTES + 1))
    return loads(source.read(MAX_BYTES + 1))
