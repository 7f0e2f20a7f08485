"""What the site knows about each plugin: its releases and their wagons, as saved in its state."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.version import InvalidVersion, Version

from .._names import plain_name

# The plugin YAMLs a site serves, and the DSL version each is for (SPEC §4).
DSL_OF_YAML = {
    "plugin.yaml": "cloudify_dsl_1_3",
    "v2_plugin.yaml": "cloudify_dsl_1_4",
    "plugin_1_4.yaml": "cloudify_dsl_1_4",
    "plugin_1_5.yaml": "cloudify_dsl_1_5",
}
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

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> WagonEntry:
        return cls(**{**data, "pythons": tuple(data["pythons"])})


@dataclass(frozen=True)
class Release:
    """One version of a plugin: its wagons and the files served beside them."""

    version: str
    title: str
    description: str
    indexed: str
    icon: str | None = None
    yamls: tuple[str, ...] = ()
    wagons: tuple[WagonEntry, ...] = ()

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Release:
        wagons = tuple(WagonEntry.from_json(w) for w in data["wagons"])
        return cls(**{**data, "yamls": tuple(data["yamls"]), "wagons": wagons})

    def yaml_for(self, preferred: str) -> str | None:
        """`preferred` when the release has it, else plugin.yaml, else none."""
        for name in (preferred, "plugin.yaml"):
            if name in self.yamls:
                return name
        return None


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
        return self.ordered()[0]

    def feed_items(self) -> list[dict[str, Any]]:
        """What the feed needs of each release, kept in the site state beside the fragments."""
        releases = sorted(self.releases.values(), key=lambda r: r.indexed)[-FEED_ENTRIES:]
        return [{"name": self.name, "version": r.version, "indexed": r.indexed, "title": r.title,
                 "description": r.description} for r in releases]

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
    return sorted(items, key=lambda e: (e["indexed"], e["name"], e["version"]),
                  reverse=True)[:FEED_ENTRIES]


def one_line(html: str) -> str:
    """An HTML fragment on one line: a line break in its text becomes a character reference,
    which a browser reads the same, so rows.tsv and the index page hold one row per line."""
    return html.rstrip("\n").replace("\r", "&#13;").replace("\n", "&#10;")
