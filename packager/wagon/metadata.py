"""The wagon format (SPEC §3): package.json written and read back, and the file name."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from packaging.version import InvalidVersion, Version

from ..errors import ArchiveError

if TYPE_CHECKING:
    from packaging.specifiers import Specifier

    from ..targets import BuildTarget, Platform

METADATA_FILE = "package.json"
WHEELS_DIR = "wheels"
FILES_DIR = "files"
FORMAT_VERSION = 1
EXTENSION_KEY = "plugin_packager"
# Every key wagon 1.0.x writes (SPEC §3); readers such as the manager may look any of them up.
SPEC_KEYS = (
    "archive_name", "build_server_os_properties", "created_by_wagon_version", "files",
    "package_build_tag", "package_name", "package_source", "package_version", "python_requires",
    "supported_platform", "supported_python_versions", "wheels",
)
OS_KEYS = ("distribution", "distribution_release", "distribution_version")
# A project name (PEP 508): what the installer's command line may take from package.json as a
# name; anything else, `--target=/x` first, the installer would obey as an option.
_PROJECT = re.compile(r"^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$", re.IGNORECASE)
HOSTILE = "the wagon is malformed or hostile: do not install it"


def archive_name(
    name: str, version: str, build_tag: str, pytags: Sequence[str], platform: str
) -> str:
    """wagon 1.x grammar: name-version[-build]-py311.py312-none-platform.wgn."""
    parts = [name.replace("-", "_"), version, *([build_tag] if build_tag else [])]
    return "-".join([*parts, ".".join(pytags), "none", platform]) + ".wgn"


def python_requires(specifiers: Iterable[str | None]) -> str | None:
    """One deterministic specifier admitting what every wheel admits."""
    # Here: only writing a wagon needs it, and reading one (an `index` add) skips its import.
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    specs: list[Specifier] = []
    for text in specifiers:
        try:
            specs.extend(SpecifierSet(text or ""))
        except InvalidSpecifier:
            continue
    lower = [s for s in specs if s.operator == ">="]
    floor = max(lower, key=lambda s: _version(s.version), default=None)
    kept = {floor} if floor else set()
    for spec in specs:
        if spec.operator == ">=":
            continue
        if spec.operator == "!=" and floor and _version(spec.version) < _version(floor.version):
            continue
        kept.add(spec)
    return str(SpecifierSet(kept)) if kept else None


def _version(text: str) -> Version:
    try:
        return Version(text.replace(".*", ""))
    except InvalidVersion:
        return Version("0")


def os_properties(build_tag: str) -> dict[str, str | None]:
    """Distribution labels such as `centos-Core` say which distro a linux_<arch> wagon is for."""
    dist, _, release = build_tag.partition("-")
    known = build_tag and release and dist.isalpha()
    return {
        "distribution": dist.lower() if known else None,
        "distribution_release": release.lower() if known else None,
        "distribution_version": None,
    }


@dataclass(frozen=True)
class WagonMeta:
    """package.json as read back, from us or from wagon 0.x/1.x; `gaps` says what it lacks."""

    name: str
    version: str
    platform: str
    pythons: tuple[str, ...]
    wheels: tuple[str, ...]
    files: tuple[str, ...]
    build_tag: str
    python_requires: str | None
    archive_name: str | None
    created_by: str
    extension: dict[str, Any] | None
    gaps: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        """package.json: every key wagon 1.0.x writes, ours under EXTENSION_KEY."""
        return {
            "archive_name": self.archive_name,
            "build_server_os_properties": os_properties(self.build_tag),
            "created_by_wagon_version": None,  # no wagon made it; readers only need the key
            "files": sorted(self.files),
            "package_build_tag": self.build_tag or None,
            "package_name": self.name,
            "package_source": f"{self.name}=={self.version}",
            "package_version": self.version,
            "python_requires": self.python_requires,
            "supported_platform": self.platform,
            "supported_python_versions": list(self.pythons),
            "wheels": sorted(self.wheels),
            **({EXTENSION_KEY: self.extension} if self.extension is not None else {}),
        }

    @property
    def release(self) -> Version | None:
        """package_version as a PEP 440 version (None when it is not one)."""
        try:
            return Version(self.version)
        except InvalidVersion:
            return None

    @property
    def ours(self) -> bool:
        return self.extension is not None

    @property
    def pinned(self) -> str:
        """`name==version`, the requirement installers get; ArchiveError unless the name is a
        project name."""
        return f"{self._project(self.name, 'package_name')}=={self.version}"

    def requirements(self, pytag: str) -> list[str]:
        """Extra requirements (`-r`) the build packed for Python `pytag` (`py311`); installers
        install them beside the plugin. ArchiveError on one that is no requirement by name (an
        option, a path, a URL): it would reach the installer's command line."""
        # Here: only installing needs it, and reading a wagon (an `index` add) skips its import.
        from packaging.requirements import InvalidRequirement, Requirement

        found = (self.extension or {}).get("requirements", {})
        value = found.get(pytag, []) if isinstance(found, dict) else []
        texts = [str(v) for v in value] if isinstance(value, list) else []
        for text in texts:
            try:
                by_name = Requirement(text).url is None
            except InvalidRequirement:
                by_name = False
            if not by_name:
                raise ArchiveError(f"{self.name} {self.version}: {METADATA_FILE} lists"
                                   f" {text!r}, not a requirement by name, for {pytag}", HOSTILE)
        return texts

    def target(self, python: tuple[int, int], platform: Platform) -> BuildTarget:
        """The target this wagon serves on `python` and `platform`, at the patch release its build
        resolved for (`python_full_versions`: 3.6.15 where agents run 3.6.8 or newer; 0 when not
        recorded or not of that Python)."""
        from ..targets import BuildTarget

        target = BuildTarget(python, platform)
        found = (self.extension or {}).get("python_full_versions")
        text = found.get(target.id) if isinstance(found, dict) else None
        match = (re.fullmatch(rf"{python[0]}\.{python[1]}\.(\d{{1,4}})", text)
                 if isinstance(text, str) else None)
        return BuildTarget(python, platform, patch=int(match.group(1))) if match else target

    @property
    def excluded(self) -> list[str]:
        """Packages left out on purpose (`--exclude`): the manager or agent provides them."""
        value = (self.extension or {}).get("exclude", [])
        texts = [str(v) for v in value] if isinstance(value, list) else []
        return [self._project(text, "exclude") for text in texts]

    def _project(self, text: str, key: str) -> str:
        if not _PROJECT.match(text):
            raise ArchiveError(f"{self.name} {self.version}: {METADATA_FILE} {key} {text!r} is"
                               " not a project name", HOSTILE)
        return text


def _strings(data: dict[str, Any], key: str, label: str) -> tuple[str, ...]:
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ArchiveError(f"{label}: {METADATA_FILE} key {key!r} is not a list of strings")
    return tuple(value)


def parse_metadata(data: dict[str, Any], label: str) -> WagonMeta:
    """Typed view of package.json; ArchiveError when a key every reader needs is unusable."""
    for key in ("package_name", "package_version", "supported_platform"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise ArchiveError(f"{label}: {METADATA_FILE} has no usable {key!r}")
    if not isinstance(data.get("wheels"), list):
        raise ArchiveError(f"{label}: {METADATA_FILE} has no 'wheels' list")
    gaps = [f"no {key!r} key" for key in SPEC_KEYS if key not in data]
    props = data.get("build_server_os_properties")
    if isinstance(props, dict):
        if "distribution:" in props:
            gaps.append("'distribution:' (the wagon 0.3 typo) instead of 'distribution'")
        gaps += [f"no build_server_os_properties.{k}" for k in OS_KEYS if k not in props and
                 not (k == "distribution" and "distribution:" in props)]
    extension = data.get(EXTENSION_KEY)
    maker = data.get("created_by_wagon_version")
    if isinstance(extension, dict):
        created_by = f"plugin-packager (format {extension.get('format_version')})"
    else:
        extension = None
        created_by = f"wagon {maker}" if maker else "an unknown tool"
    requires = data.get("python_requires")
    return WagonMeta(
        name=data["package_name"],
        version=data["package_version"],
        platform=data["supported_platform"],
        pythons=_strings(data, "supported_python_versions", label),
        wheels=_strings(data, "wheels", label),
        files=_strings(data, "files", label),
        build_tag=str(data.get("package_build_tag") or ""),
        python_requires=requires if isinstance(requires, str) and requires.strip() else None,
        archive_name=data.get("archive_name") if isinstance(data.get("archive_name"), str) else None,
        created_by=created_by,
        extension=extension,
        gaps=tuple(gaps),
    )


@dataclass(frozen=True)
class WagonId:
    """What names a wagon (its file name, and package.json's keys of the same facts): the
    plugin's name and version, the build tag, the Pythons (`py311`) and the platform."""

    name: str
    version: str
    build_tag: str
    pytags: tuple[str, ...]
    platform: str

    @property
    def file(self) -> str:
        return archive_name(self.name, self.version, self.build_tag, self.pytags, self.platform)


def package_json(
    wagon: WagonId,
    *,
    requires_python: str | None,
    wheels: Mapping[str, Mapping[str, Any]],
    files: Sequence[str],
    extension: Mapping[str, Any],
) -> dict[str, Any]:
    """package.json of a wagon we write (the same type `parse_metadata` reads back); `wheels`
    maps each wheel's file name to its digests (`sha256`, `size`)."""
    return WagonMeta(
        name=wagon.name, version=wagon.version, platform=wagon.platform, pythons=wagon.pytags,
        wheels=tuple(wheels), files=tuple(files), build_tag=wagon.build_tag,
        python_requires=requires_python, archive_name=wagon.file,
        created_by=f"plugin-packager (format {FORMAT_VERSION})",
        extension={
            "format_version": FORMAT_VERSION,
            "wheels": {k: dict(wheels[k]) for k in sorted(wheels)},
            **extension,
        },
        gaps=(),
    ).to_json()
