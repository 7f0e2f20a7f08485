"""`bundle`: the tar.gz `cfy plugins bundle-upload` takes: one root directory holding the wagons,
their YAMLs and METADATA, a JSON object mapping each wagon's path to its YAML's path."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .._epoch import source_date_epoch
from .._files import replace_atomically, writing
from ..errors import ConfigError
from ..events import Event, Events, ignore
from ..wagon.writer import ZIP_EPOCH, Member, write_tar_gz
from .ingest import digests, find_wagons, read_incoming
from .records import version_key
from .state import load_index, load_plugin, state_dir

METADATA = "METADATA"
PREFERRED_YAML = "plugin.yaml"


@dataclass(frozen=True)
class Bundled:
    plugin: str
    version: str
    wagon: Member
    yaml: Member | None


def bundled_yaml(names: Iterable[str]) -> str:
    """The YAML a wagon is bundled with: plugin.yaml, else the first other one, else none."""
    found = sorted(names)
    return PREFERRED_YAML if PREFERRED_YAML in found else next(iter(found), "")


def _from_site(site: Path) -> list[Bundled]:
    """The newest release of every plugin a site serves."""
    out = []
    for name in sorted(load_index(site).rows):
        release = load_plugin(site, name).newest()
        base = site / name / release.version
        yaml = bundled_yaml(release.yamls)
        for wagon in release.wagons:
            if wagon.url:  # index --wagon-url: the site holds no wagon
                raise ConfigError(f"{site}: {name} {release.version} serves {wagon.file} from "
                                  f"{wagon.url}, not from the site",
                                  "bundle the release's build output directories instead")
            out.append(Bundled(name, release.version, Member(wagon.file, base / wagon.file),
                               Member(yaml, base / yaml) if yaml else None))
    return out


def _from_wagons(paths: Iterable[Path]) -> list[Bundled]:
    out = []
    for path in paths:
        inc = read_incoming(path, digests(path))
        name = bundled_yaml(inc.yamls)
        out.append(Bundled(inc.meta.name, inc.meta.version, Member(path.name, path),
                           Member(name, inc.yamls[name]) if name else None))
    return out


def _newest_only(items: Sequence[Bundled]) -> list[Bundled]:
    newest: dict[str, str] = {}
    for item in items:
        known = newest.get(item.plugin)
        if known is None or version_key(item.version) > version_key(known):
            newest[item.plugin] = item.version
    return [i for i in items if newest[i.plugin] == i.version]


def collect(inputs: Sequence[Path], only: Sequence[str]) -> list[Bundled]:
    """The newest release of each plugin found in sites, build directories and wagons."""
    items: list[Bundled] = []
    loose = []
    for path in inputs:
        if (state_dir(path) / "site.json").is_file():
            items += _from_site(path)
        else:
            loose.append(path)
    if loose:
        items += _from_wagons(find_wagons(loose))
    if only:
        missing = sorted(set(only) - {i.plugin for i in items})
        if missing:
            raise ConfigError(f"no wagon of {', '.join(missing)} in the inputs",
                              "check the plugin names given to --only")
        items = [i for i in items if i.plugin in only]
    if not items:
        raise ConfigError("nothing to bundle", "pass a site, build output directories or wagons")
    return _newest_only(items)


def write_bundle(items: Sequence[Bundled], out: Path, env: Mapping[str, str],
                 events: Events = ignore) -> dict[str, str]:
    """Write the bundle atomically; same inputs and SOURCE_DATE_EPOCH give the same bytes. A
    wagon without a YAML is left out (bundle-upload could not use it); none with one: refused."""
    usable = [item for item in items if item.yaml]
    for item in items:
        if not item.yaml:
            events(Event(f"warning: {item.plugin} {item.version}: {item.wagon.arcname} has no "
                         "plugin YAML, left out of the bundle"))
    if not usable:
        raise ConfigError(f"nothing to bundle: none of the {len(items)} wagons has a plugin YAML",
                          "build the wagons with plugin.yaml (plugin-packager yaml writes it)")
    members: dict[str, Member] = {}
    mapping = {}
    for item in usable:
        base = f"{item.plugin}/{item.version}"
        members[f"{base}/{item.wagon.arcname}"] = item.wagon
        if item.yaml:
            members[f"{base}/{item.yaml.arcname}"] = item.yaml
            mapping[f"{base}/{item.wagon.arcname}"] = f"{base}/{item.yaml.arcname}"
    entries = [Member(arc, m.source) for arc, m in sorted(members.items())]
    text = json.dumps(mapping, indent=2, sort_keys=True) + "\n"
    entries.append(Member(METADATA, text.encode()))
    epoch = source_date_epoch(env)
    top = out.name.removesuffix(".gz").removesuffix(".tgz").removesuffix(".tar")
    with writing(out, "bundle"):
        out.parent.mkdir(parents=True, exist_ok=True)
        replace_atomically(lambda handle: write_tar_gz(
            handle, top, sorted(entries, key=lambda m: m.arcname),
            ZIP_EPOCH if epoch is None else epoch), out)
    return mapping
