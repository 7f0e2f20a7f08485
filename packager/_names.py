"""Names the tool did not choose (read from a build report, a wagon's package.json, a site's state,
a wagon's own file name, a build tag) that become file names: plain ones, or refused.

A plain name is one directory entry: never a path, never `.` or `..`, no separator, NUL or control
character (a tab or newline would break the tab-separated lines of a site's state), short enough
for any filesystem.
"""

from __future__ import annotations

from pathlib import Path

from .errors import ArchiveError

MAX_BYTES = 255  # NAME_MAX of ext4, XFS, APFS, NTFS: a longer name fails with ENAMETOOLONG
HINT = "the input was not written by plugin-packager, or was changed since: do not use it"


def name_fault(name: object, room: int = 0) -> str | None:
    """Why `name` is not a plain file name, or None when it is one; `room`: bytes the caller
    will add to it (a suffix, a prefix), which must fit too."""
    if not isinstance(name, str):
        return f"it is not a string but {type(name).__name__}"
    if name in ("", ".", ".."):
        return "it names no file" if not name else "it names a directory"
    for bad in ("/", "\\"):
        if bad in name:
            return f"it holds {bad!r}: a path, not a file name"
    if not name.isprintable():  # NUL, tab, newline, escapes, U+2028, unpaired surrogates...
        char = next(c for c in name if not c.isprintable())
        return f"it holds {char!r}, a control or invisible character"
    if len(name.encode("utf-8")) > MAX_BYTES - room:
        return f"it is longer than {MAX_BYTES - room} bytes"
    return None


def name_refusal(name: object, source: str | Path, what: str = "file name",
                 room: int = 0) -> str | None:
    """Why `name`, which `source` gives as a `what`, is refused as a file name (with `room`
    bytes to spare), in one line naming both; None when it is a plain one."""
    fault = name_fault(name, room)
    if fault is None:
        return None
    shown = repr(name)
    if len(shown) > 80:
        shown = f"{shown[:60]}…"
    return f"{source}: {what} {shown} is not a plain file name ({fault})"


def plain_name(name: object, source: str | Path, what: str = "file name", *, room: int = 0,
               hint: str = HINT) -> str:
    """`name` when it is a plain file name; else ArchiveError (exit 5), see name_refusal."""
    refusal = name_refusal(name, source, what, room)
    if refusal is not None:
        raise ArchiveError(refusal, hint)
    return str(name)  # a str already: name_fault refuses anything else


def plain_path(rel: object, source: str | Path, what: str = "path", *, hint: str = HINT) -> str:
    """`rel`, a relative path `a/b/c` whose every part is a plain file name; else ArchiveError."""
    parts = list[object](rel.split("/")) if isinstance(rel, str) else [rel]
    label = f"part of the {what} {rel!r}," if isinstance(rel, str) else what
    return "/".join(plain_name(part, source, label, hint=hint) for part in parts)
