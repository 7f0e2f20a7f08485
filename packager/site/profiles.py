"""Agent profiles: which wagon a manager of each kind gets from the catalogs (profiles.toml says
how Cloudify's consumers pick one), and the order of a release's catalog entries they give."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .._toml import resource
from ..errors import ConfigError
from .records import Release, WagonEntry, python_key

_SPEC = re.compile(r"^(?P<label>[^=]+)=(?P<arch>[A-Za-z0-9_]+):(?P<python>3\.\d{1,2})$")
HINT = 'pass --profile "LABEL=ARCH:PYTHON", e.g. "Centos AltArch=aarch64:3.11"'


@dataclass(frozen=True)
class Profile:
    """Managers whose "<distribution> <release>" is `label` (or, for `manylinux`, every other
    one), running agents of `python` ("3.11") on `arch`."""

    label: str
    arch: str
    python: str

    @classmethod
    def parse(cls, text: str) -> Profile:
        match = _SPEC.match(text.strip())
        if not match or not match["label"].strip():
            raise ConfigError(f"agent profile {text!r} is not LABEL=ARCH:PYTHON", HINT)
        return cls(match["label"].strip(), match["arch"], match["python"])

    def __str__(self) -> str:
        return f"{self.label}={self.arch}:{self.python}"

    def fits(self, wagon: WagonEntry) -> bool:
        """The wagon installs on this profile's agents: its arch (or any) and its Python."""
        if wagon.arch != self.arch and wagon.arch != "any":
            return False
        wanted = python_key(self.python)
        return any(python_key(p) == wanted for p in wagon.pythons)

    def pick(self, wagons: Iterable[WagonEntry]) -> WagonEntry | None:
        """The wagon this profile's managers must get: one that fits, built for this label
        (its build tag) first, then for this very arch rather than any, then the fewest
        Pythons."""
        fitting = [w for w in wagons if self.fits(w)]
        return min(fitting, default=None, key=lambda w: (
            w.label.lower() != self.label.lower(), w.arch != self.arch, len(w.pythons), w.file))


def default_profiles() -> tuple[Profile, ...]:
    return tuple(Profile(p["label"], p["arch"], p["python"])
                 for p in resource("profiles.toml")["profile"])


def parse_profiles(texts: Sequence[str]) -> tuple[Profile, ...]:
    return tuple(Profile.parse(t) for t in texts)


@dataclass(frozen=True)
class Row:
    """One wagon entry of a catalog: the label consumers match, the wagon, the Python it is for."""

    label: str
    wagon: WagonEntry
    python: str


def _newest_python(wagon: WagonEntry) -> str:
    newest = max(wagon.pythons, key=python_key, default="")
    digits = newest.removeprefix("py").replace(".", "")
    return f"{digits[0]}.{digits[1:]}" if len(digits) > 1 else digits


def catalog_rows(release: Release, profiles: Sequence[Profile]) -> list[Row]:
    """Each profile's wagon under its label first, in the profiles' order (a consumer takes the
    first entry of a label, and the first `manylinux*` one when no label is its own); then every
    other wagon under its own label, x86_64 first, newest Python first."""
    rows: list[Row] = []
    for profile in profiles:
        wagon = profile.pick(release.wagons)
        if wagon and all(r.label.lower() != profile.label.lower() for r in rows):
            rows.append(Row(profile.label, wagon, profile.python))
    listed = {(r.label.lower(), r.wagon.file) for r in rows}
    rows += [Row(w.label, w, _newest_python(w)) for w in ordered_wagons(release)
             if (w.label.lower(), w.file) not in listed]
    return rows


def ordered_wagons(release: Release) -> list[WagonEntry]:
    """By label, x86_64 first, newest Python first."""
    return sorted(release.wagons, key=lambda w: (
        w.label.lower(), w.arch not in ("x86_64", "any"),
        tuple(-n for n in max(map(python_key, w.pythons), default=())), w.file))
