"""What the site knows about each plugin: its releases and their wagons, as saved in its state."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.version import InvalidVersion, Version

from .._names import plain_name

# The plugin YAMLs a site serves (SPEC §4; catalogs.YAML_OF_DSL says which DSL each serves).
PLUGIN_YAMLS = ("plugin.yaml", "v2_plugin.yaml", "plugin_1_4.yaml", "plugin_1_5.yaml")
PLAIN_YAML = PLUGIN_YAMLS[0]  # the DSL 1_3 file every manager reads: the catalogs' `link`
ICONS = ("icon.png", "icon.svg")
FEED_ENTRIES = 100  # newest releases in feed.xml; the catalogs list every one
STATE_HINT = "index into a new directory, or restore the site's backup"


@dataclass(frozen=True)
class WagonEntry:
    """One wagon file of a release, with what the pages and catalogs show about it."""

    file: str
    platform: str
    arch: str
    label: str
    pythons: tuple[str, ...]
    size: int
    sha256: str
    md5: str
    sbom: str | None
    created_by: str
    url: str | None = None  # where it is served when not in the site (index --wagon-url)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> WagonEntry:
        return cls(**{**data, "pythons": tuple(data["pythons"])})


@dataclass(frozen=True)
class Release:
    """One version of a plugin: its wagons and the files served beside them."""

    version: str
    title: str
    description: str
    built: str | None  # the build's SOURCE_DATE_EPOCH, as ISO 8601; None when unknown
    icon: str | None = None
    yamls: tuple[str, ...] = ()
    wagons: tuple[WagonEntry, ...] = ()

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Release:
        wagons = tuple(WagonEntry.from_json(w) for w in data["wagons"])
        # `indexed`, in states written before dates were the build's, was the index run's time.
        fields = {k: v for k, v in data.items() if k != "indexed"}
        return cls(**{"built": None, **fields, "yamls": tuple(data["yamls"]), "wagons": wagons})

    @property
    def prerelease(self) -> bool:
        return is_prerelease(self.version)

    def yaml_for(self, preferred: str) -> str | None:
        """`preferred` when the release has it, else plugin.yaml, else none."""
        for name in (preferred, "plugin.yaml"):
            if name in self.yamls:
                return name
        return None


def is_prerelease(text: str) -> bool:
    """1.0.0rc1, 2.0.0.dev3: not what a catalog advertises while a final release exists."""
    try:
        return Version(text).is_prerelease
    except InvalidVersion:
        return False


@functools.lru_cache(maxsize=256)  # a handful of tags, asked for by every wagon of every page
def python_key(tag: str) -> tuple[int, ...]:
    """py312, py3.12 or 3.12 as (3, 12): Pythons sort as numbers (py39 before py312)."""
    text = tag.removeprefix("py")
    digits = text.split(".") if "." in text else [text[:1], text[1:]] if text[1:] else [text]
    return tuple(int(d) for d in digits if d.isdigit())


def version_key(text: str) -> tuple[int, Version | str]:
    """Newest last; a version PEP 440 cannot parse sorts before every one it can."""
    try:
        return (1, Version(text))
    except InvalidVersion:
        return (0, text)


@dataclass
class PluginState:
    """Every release of one plugin and the sha256 of every file it has in the site."""

    name: str
    releases: dict[str, Release] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)

    def ordered(self) -> list[Release]:
        """Newest first."""
        return sorted(self.releases.values(), key=lambda r: version_key(r.version), reverse=True)

    def newest(self) -> Release:
        """The newest final release; the newest pre-release when there is no final one."""
        ordered = self.ordered()
        return next((r for r in ordered if not r.prerelease), ordered[0])

    def feed_items(self) -> list[dict[str, Any]]:
        """What the feed needs of each release, kept in the site state beside the fragments."""
        releases = sorted(self.releases.values(),
                          key=lambda r: (r.built or "", version_key(r.version)))[-FEED_ENTRIES:]
        return [{"name": self.name, "version": r.version, "built": r.built, "title": r.title,
                 "description": r.description, "prerelease": r.prerelease} for r in releases]

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "files": dict(sorted(self.files.items())),
                "releases": [_fields(r) for r in self.ordered()]}

    @classmethod
    def from_json(cls, data: dict[str, Any], source: Path) -> PluginState:
        """The state `source` holds; ArchiveError when a name in it that becomes a directory or
        file of the site is not a plain file name."""
        releases = [Release.from_json(r) for r in data["releases"]]
        plain_name(data["name"], source, "plugin name", hint=STATE_HINT)
        for release in releases:
            plain_name(release.version, source, "version", hint=STATE_HINT)
            files = [*release.yamls, release.icon, *(w.file for w in release.wagons),
                     *(w.sbom for w in release.wagons)]
            for name in files:
                if name is not None:  # no icon, no SBOM
                    plain_name(name, source, "file name", hint=STATE_HINT)
        return cls(data["name"], {r.version: r for r in releases}, dict(data["files"]))


def _fields(release: Release) -> dict[str, Any]:
    """dataclasses.asdict's result (tuples stay tuples: JSON writes them as lists), 10x faster."""
    return {**vars(release), "wagons": [vars(w) for w in release.wagons]}


def distribution_label(build_tag: str, platform: str) -> str:
    """The wagon `name` UIs match against "<distribution> <release>": `centos-Core` → Centos Core.

    Without a tag, manylinux and pure wagons are "manylinux", the name UIs fall back to.
    """
    if build_tag:
        dist, _, release = build_tag.partition("-")
        return f"{dist[:1].upper()}{dist[1:]} {release}".strip() if release else build_tag
    if platform == "any" or platform.startswith("manylinux"):
        return "manylinux"
    return platform


def arch_of(platform: str) -> str:
    """x86_64, aarch64, amd64… from a platform tag; `any` for pure wagons."""
    if platform == "any":
        return "any"
    for arch in ("x86_64", "aarch64", "amd64", "win32", "i686", "armv7l", "ppc64le", "s390x"):
        if platform.endswith(arch):
            return arch
    return platform.rsplit("_", 1)[-1]


def newest(items: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The feed's items (see PluginState.feed_items): the FEED_ENTRIES newest releases, newest first."""
    return sorted(items, key=lambda e: (e.get("built") or "", e["name"], e["version"]),
                  reverse=True)[:FEED_ENTRIES]


def one_line(html: str) -> str:
    """An HTML fragment on one line: a line break in its text becomes a character reference,
    which a browser reads the same, so rows.tsv and the index page hold one row per line."""
    return html.rstrip("\n").replace("\r", "&#13;").replace("\n", "&#10;")
