"""A CPython of a foreign Linux wagon's architecture, run by a user-mode QEMU called directly
(never through binfmt): from a root the user names (--target-python-root), or assembled once into
the cache from the Debian packages of that architecture (apt-get download with private state,
then dpkg-deb -x each: no root filesystem, no maintainer scripts, nothing on the host changed)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from platformdirs import user_cache_dir

from .. import _apt, _tools
from ..cache import Cache, key_of
from ..errors import TargetError
from ..targets import BuildTarget, Host, platform_data

ENABLE_HINT = ("install a user-mode QEMU (Debian: apt-get install qemu-user-static) to run them"
               " under emulation")


@dataclass(frozen=True)
class Emulator:
    qemu: Path
    root: Path
    python: Path

    def runner(self) -> list[str | Path]:
        return [self.qemu, "-L", self.root]

    def describe(self) -> str:
        return f"{self.python} under {self.qemu.name} -L {self.root}"


def _settings() -> dict[str, Any]:
    data: dict[str, Any] = platform_data()["emulation"]
    return data


def emulator_for(
    target: BuildTarget, host: Host, env: Mapping[str, str], python_root: Path | None,
    cache_dir: Path | None,
) -> Emulator:
    """QEMU and a CPython for `target`; TargetError saying why not and how to enable it."""
    arch = target.platform.arch or ""
    known = _settings()["arches"].get(arch)
    if arch == host.arch:
        raise TargetError(f"this machine ({host.describe()}) cannot run {target.platform.name}"
                          " wheels", "validate it on a machine with a newer glibc")
    if known is None:
        raise TargetError(f"no emulation is known for {arch or target.platform.name} on"
                          f" {host.describe()}")
    names = (f"qemu-{known['qemu']}-static", f"qemu-{known['qemu']}")
    found = next((w for w in (shutil.which(n, path=env.get("PATH")) for n in names) if w), None)
    if found is None:
        raise TargetError(f"neither {' nor '.join(names)} is on PATH", ENABLE_HINT)
    version = target.python_version
    root = python_root or _debian_root(known["debian"], version, cache_dir, env)
    python = root / "usr" / "bin" / f"python{version}"
    if not python.is_file():
        raise TargetError(f"{root} has no usr/bin/python{version}",
                          f"pass --target-python-root with an {arch} root holding Python {version}")
    return Emulator(Path(found), root, python)


def _debian_root(
    architecture: str, version: str, cache_dir: Path | None, env: Mapping[str, str]
) -> Path:
    """Debian's `architecture` CPython `version`, unpacked once into the cache."""
    settings = _settings()
    if version not in settings["pythons"]:
        raise TargetError(
            f"Debian {settings['debian_suite']} has no {architecture} Python {version}",
            f"pass --target-python-root with a root holding usr/bin/python{version}",
        )
    cache = Cache(cache_dir or Path(user_cache_dir("plugin-packager")))
    packages = [p.format(py=version) for p in settings["packages"]]
    key = key_of("target-python", settings["debian_suite"], architecture, *packages)
    final = cache.root / "target-pythons" / f"debian-{architecture}-python{version}-{key[:12]}"
    with cache.lock(key):
        if final.is_dir():
            return final
        final.parent.mkdir(parents=True, exist_ok=True)
        suite, mirror = settings["debian_suite"], settings["debian_mirror"]
        sources = (f"deb [arch={architecture}] {mirror} {suite} main\n"
                   f"deb [arch={architecture}] {settings['debian_security']} {suite}-security main\n")
        with tempfile.TemporaryDirectory(dir=final.parent, prefix=".assembling-") as tmp:
            work, root = Path(tmp) / "apt", Path(tmp) / "root"
            try:
                debs = _apt.apt_download(packages, architecture, sources, work, env)
                for deb in debs:
                    _apt.unpack_deb(deb, root, env)
            except (_tools.ToolFailure, OSError) as exc:
                detail = exc.last_lines(3) if isinstance(exc, _tools.ToolFailure) else str(exc)
                raise TargetError(
                    f"could not assemble Debian's {architecture} Python {version}: {detail}",
                    "check the network to deb.debian.org, or pass --target-python-root",
                ) from exc
            root.rename(final)
    return final
