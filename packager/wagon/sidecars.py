"""`<wagon>.md5` and `<wagon>.sha256`: the bare hex digest beside each wagon (SPEC §3)."""

from __future__ import annotations

from pathlib import Path

ALGORITHMS = ("md5", "sha256")


def read_sidecars(path: Path) -> dict[str, str]:
    """What each sidecar beside `path` says (its first word, "" when empty), by algorithm;
    algorithms without a sidecar are left out."""
    said = {}
    for algorithm in ALGORITHMS:
        sidecar = path.with_name(f"{path.name}.{algorithm}")
        if sidecar.is_file():
            with sidecar.open("rb") as handle:  # a digest is short: a huge file is not read
                words = handle.read(1024).decode("ascii", "replace").split()
            said[algorithm] = words[0] if words else ""
    return said
