"""Debian packages of another architecture, fetched and unpacked without touching the host's apt
state (for the CPython that runs foreign wagons under QEMU). Commands run through `_tools`."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from ._tools import _run


def apt_download(
    packages: Sequence[str], architecture: str, sources: str, workdir: Path, env: Mapping[str, str]
) -> list[Path]:
    """Debian packages of `architecture` fetched into `workdir/debs` by apt with state, cache and
    sources of its own under `workdir`: the host's apt configuration is read, never changed."""
    state, cache, parts, debs = (workdir / n for n in ("state", "cache", "sources.d", "debs"))
    for folder in (state / "lists" / "partial", cache / "archives" / "partial", parts, debs):
        folder.mkdir(parents=True, exist_ok=True)
    (state / "status").touch()
    (workdir / "sources.list").write_text(sources, encoding="utf-8")
    settings = {
        "APT::Architecture": architecture, "APT::Architectures": architecture,
        "Dir::State": state, "Dir::State::status": state / "status", "Dir::Cache": cache,
        "Dir::Etc::sourcelist": workdir / "sources.list", "Dir::Etc::sourceparts": parts,
        # apt's download sandbox user could not write into these private directories.
        "APT::Sandbox::User": "root" if os.geteuid() == 0 else os.environ.get("USER", "nobody"),
    }
    options = [f"-o{key}={value}" for key, value in settings.items()]
    _run(["apt-get", "-q", *options, "update"], env, timeout=600)
    _run(["apt-get", "-q", *options, "download", *packages], env, cwd=debs, timeout=900)
    return sorted(debs.glob("*.deb"))


def unpack_deb(deb: Path, dest: Path, env: Mapping[str, str]) -> None:
    """A .deb's files under `dest` (`dpkg-deb -x`: no maintainer scripts, no dpkg database)."""
    _run(["dpkg-deb", "-x", deb, dest], env, timeout=300)
