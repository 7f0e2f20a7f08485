"""`index`: add wagons to a download site, re-rendering only the plugins they belong to."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Generator, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass, replace
from pathlib import Path

from .._files import check_writable, sha256_of, writing
from ..errors import ArchiveError, ConfigError
from ..events import Event, Events, ignore
from .catalogs import DEFAULT_ICON, ROOT_JSON, Urls, default_icon, fragments, join, read_written
from .forked import Forked, page_renderer
from .ingest import Incoming, examine, find_wagons, orphans_exit
from .profiles import Profile, default_profiles, parse_profiles
from .records import (
    PLAIN_YAML,
    PluginState,
    Release,
    WagonEntry,
    arch_of,
    distribution_label,
    newest,
)
from .render import PagesJob
from .state import (
    ROWS_FILE,
    SITE_FILE,
    SiteIndex,
    Transaction,
    finish,
    load_index,
    load_plugin,
    locked,
    plugin_state_path,
)
from .urls import check_base_url, check_wagon_url, wagon_url

POOL_FROM = 256  # wagons per reading process: a pool costs more than it saves on fewer
REPLACE_HINT = "publish it under a new version, or pass --replace to overwrite it"


@dataclass(frozen=True)
class IndexResult:
    added: tuple[str, ...]
    unchanged: tuple[str, ...]
    plugins: int
    wagons: int


@dataclass(frozen=True)
class Where:
    """Where the site's URLs point, and what else `index` is asked besides its wagons:
    `base_url` (--base-url; "" goes back to none), `relative` (--relative: a preview, its
    catalogs of no use elsewhere), `wagon_url` (--wagon-url: the wagons stay there and the site
    holds the rest; "" goes back to copying them), `profiles` (--profile LABEL=ARCH:PYTHON;
    none: the site's, else profiles.toml's), `title` (--title; none: the site's), `replace_`
    (--replace: a wagon the site serves under the same name with other bytes is overwritten,
    not refused)."""

    base_url: str | None = None
    relative: bool = False
    wagon_url: str | None = None
    profiles: tuple[str, ...] = ()
    title: str | None = None
    replace_: bool = False

    def check(self) -> None:
        """What was given, checked before the site's directory is made."""
        if self.relative and self.base_url:
            raise ConfigError("--relative and --base-url contradict each other",
                              "pass --base-url URL for a site to publish, --relative to preview")
        if self.base_url:
            check_base_url(self.base_url)
        if self.wagon_url:
            check_wagon_url(self.wagon_url)
        parse_profiles(self.profiles)

    def settle(self, index: SiteIndex) -> SiteIndex:
        """The site's settings for this run; ConfigError (nothing read yet) when catalogs would
        get relative URLs without --relative."""
        base = None if self.relative else (index.base_url if self.base_url is None
                                           else self.base_url or None)
        if base is None and not self.relative:
            raise _no_base()
        wagon_url = index.wagon_url if self.wagon_url is None else self.wagon_url or None
        profiles = (tuple(str(p) for p in parse_profiles(self.profiles)) if self.profiles
                    else index.profiles)
        return replace(index, base_url=check_base_url(base) if base else None,
                       title=self.title or index.title, profiles=profiles,
                       wagon_url=check_wagon_url(wagon_url) if wagon_url else None)


def _no_base() -> ConfigError:
    return ConfigError("catalogs need absolute URLs: consumers fetch them from elsewhere",
                       "pass --base-url URL (where the site is served), or --relative for a local"
                       " preview")


def _profiles(settings: SiteIndex) -> tuple[Profile, ...]:
    return (parse_profiles(settings.profiles) if settings.profiles is not None
            else default_profiles())


def _refusal(rel: str, old: str, source: str, new: str) -> ArchiveError:
    return ArchiveError(f"{rel} is already in the site with sha256 {old}, but {source} has "
                        f"sha256 {new}", REPLACE_HINT)


def _incoming(wagons: Sequence[Path], index: SiteIndex, replace_: bool,
              events: Events) -> Generator[Incoming, None, None]:
    """The wagons that are new (or replacements); identical ones are skipped after hashing."""
    known = [index.names.get(path.name) for path in wagons]
    found = _examined(wagons, [k[1] if k else None for k in known], replace_)
    for path, old, result in zip(wagons, known, found):
        if isinstance(result, Incoming):
            yield result
        elif old and old[1] == result["sha256"]:
            events(Event(f"unchanged {old[0]}"))
        elif old:
            raise _refusal(old[0], old[1], str(path), result["sha256"])


def _examined(wagons: Sequence[Path], known: list[str | None],
              replace_: bool) -> Iterator[Incoming | dict[str, str]]:
    """`examine` of each wagon, in order; in a process per core when there are many."""
    workers = min(os.cpu_count() or 1, len(wagons) // POOL_FROM)
    if workers < 2:
        yield from map(examine, wagons, known, [replace_] * len(wagons))
        return
    # Imported here: an add of one release starts no pool.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # Forked (spawn would run a caller's unguarded script again); a worker shares the site's
    # lock, so after a kill -9 of this process orphans_exit ends it within half a second.
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                               initializer=orphans_exit, initargs=(os.getpid(),))
    try:
        yield from pool.map(examine, wagons, known, [replace_] * len(wagons), chunksize=64)
    finally:
        pool.shutdown(cancel_futures=True)


Write = tuple[str, "bytes | Path", str]


def _files_of(inc: Incoming, base: str, hosted: bool) -> list[Write]:
    """Every file the wagon brings to `<plugin>/<version>/`, with its sha256: not the wagon
    itself when it is `hosted` elsewhere."""
    name = inc.path.name
    files: list[Write] = [
        *([] if hosted else [(f"{base}/{name}", inc.path, inc.sha256)]),
        *_sidecar(f"{base}/{name}", inc, "md5", inc.md5),
        *_sidecar(f"{base}/{name}", inc, "sha256", inc.sha256),
    ]
    if inc.sbom:
        files.append((f"{base}/{inc.sbom.name}", inc.sbom, sha256_of(inc.sbom)))
    extras = dict(inc.yamls)
    if inc.icon:
        extras[inc.icon[0]] = inc.icon[1]
    for extra, data in sorted(extras.items()):
        files += _bytes(f"{base}/{extra}", data)
    return files


def _sidecar(wagon_rel: str, inc: Incoming, algorithm: str, digest: str) -> list[Write]:
    """The sidecar beside the wagon when it says just the digest (to be linked), else bytes."""
    data = f"{digest}\n".encode()
    beside = inc.path.with_name(f"{inc.path.name}.{algorithm}")
    return [(f"{wagon_rel}.{algorithm}", beside if algorithm in inc.sidecars else data,
             hashlib.sha256(data).hexdigest())]


def _bytes(rel: str, data: bytes) -> list[Write]:
    return [(rel, data, hashlib.sha256(data).hexdigest())]


def _add(plugin: PluginState, inc: Incoming, replace_: bool, hosted: str | None) -> list[Write]:
    """Record `inc` in `plugin`; the files to write. Refuses before changing anything. The
    wagon is served at the `hosted` template's URL (its tag: the directory it was found in,
    where the release was downloaded), else from the site."""
    meta = inc.meta
    base = f"{meta.name}/{meta.version}"
    writes = []
    for rel, data, sha in _files_of(inc, base, hosted is not None):
        old = plugin.files.get(rel)
        if old == sha:
            continue
        if old and not replace_:
            raise _refusal(rel, old, str(inc.path), sha)
        writes.append((rel, data, sha))
    for rel, _, sha in writes:
        plugin.files[rel] = sha
    entry = WagonEntry(
        file=inc.path.name, platform=meta.platform, arch=arch_of(meta.platform),
        label=distribution_label(meta.build_tag, meta.platform), pythons=meta.pythons,
        size=inc.size, sha256=inc.sha256, md5=inc.md5,
        sbom=inc.sbom.name if inc.sbom else None, created_by=meta.created_by,
        url=(wagon_url(hosted, inc.path.absolute().parent.name, meta.version, inc.path.name)
             if hosted else None),
    )
    old_release = plugin.releases.get(meta.version)
    kept = [w for w in old_release.wagons if w.file != entry.file] if old_release else []
    plugin.releases[meta.version] = Release(
        version=meta.version, title=inc.title, description=inc.description,
        built=old_release.built if old_release and old_release.built else inc.built,
        icon=inc.icon[0] if inc.icon else (old_release.icon if old_release else None),
        yamls=tuple(sorted({*inc.yamls, *(old_release.yamls if old_release else ())})),
        wagons=tuple(sorted([*kept, entry], key=lambda w: w.file)),
    )
    return writes


def index_site(
    inputs: Sequence[Path], site: Path, where: Where, *, events: Events = ignore,
    rendering: Forked | None = None,
) -> IndexResult:
    """Add the wagons in `inputs` to `site`; see state.py for how a crash leaves the site. The
    pages are rendered by `rendering` (page_renderer(): the CLI forks it before importing this
    module), else by one forked now."""
    where.check()
    if not (where.relative or where.base_url or (site / SITE_FILE).is_file()):
        raise _no_base()  # before the site's directory is made
    check_writable(site, "site")
    wagons = find_wagons(inputs)
    # Forked before the lock is taken, so it never holds it; see forked.py.
    with writing(site, "site"), rendering or page_renderer() as pages, locked(site):
        finish(site)
        index = load_index(site)
        settings = where.settle(index)
        restyle = (settings.base_url, settings.title, settings.profiles) != (
            index.base_url, index.title, index.profiles)
        plugins: dict[str, PluginState] = {}
        added = []
        # Files are staged as wagons are read (a refusal drops them with the transaction).
        # closing(): the reading processes, which share the lock, end before it is released.
        with Transaction(site) as txn, closing(_incoming(wagons, index, where.replace_,
                                                         events)) as incoming:
            for inc in incoming:
                name = inc.meta.name
                plugin = plugins.get(name) or plugins.setdefault(name, load_plugin(site, name))
                for rel, data, _ in _add(plugin, inc, where.replace_, settings.wagon_url):
                    txn.stage(rel, data)
                settings.names.set(inc.path.name, f"{name}/{inc.meta.version}/{inc.path.name}",
                                   inc.sha256)
                added.append(inc.path)
                events(Event(f"added {name}/{inc.meta.version}/{inc.path.name}"))
                if inc.yamls and PLAIN_YAML not in inc.yamls:
                    events(Event(f"warning: {inc.path.name} has no {PLAIN_YAML} (only "
                                 f"{', '.join(sorted(inc.yamls))}): plugins.json's link is"
                                 " null"))
            if not plugins and not restyle:
                return IndexResult((), tuple(w.name for w in wagons), len(index.rows),
                                   len(index.names))
            if restyle:
                plugins.update({n: load_plugin(site, n) for n in settings.rows
                                if n not in plugins})
            _render(site, settings, plugins, txn, pages)
    read = set(added)
    return IndexResult(tuple(p.name for p in added), tuple(w.name for w in wagons if w not in read),
                       len(settings.rows), len(settings.names))


def _render(site: Path, settings: SiteIndex, plugins: dict[str, PluginState],
            txn: Transaction, rendering: Forked) -> None:
    """Stage every page, catalog and state file the changed `plugins` touch, and commit."""
    url = Urls(settings.base_url, _profiles(settings))
    before = sorted(settings.rows)
    kept = {file: read_written(site / file, before) if set(before) - set(plugins) else None
            for file in ROOT_JSON}
    if set(before) - set(plugins) and None in kept.values():
        # A root catalog is not as we wrote it: render every plugin's entries again.
        plugins.update({n: load_plugin(site, n) for n in before if n not in plugins})
    settings.feed = newest([*(e for e in settings.feed if e["name"] not in plugins),
                            *(e for p in plugins.values() for e in p.feed_items())])
    others = {name: row for name, row in settings.rows.items() if name not in plugins}
    rendering.send(PagesJob(plugins, others, settings.feed, url, settings.title))
    fresh: dict[str, dict[str, str]] = {file: {} for file in ROOT_JSON}
    for name, plugin in sorted(plugins.items()):
        for file, text in fragments(plugin, url).items():
            fresh[file][name] = text
    names = sorted({*settings.rows, *plugins})
    for file in ROOT_JSON:
        txn.stage(file, join(names, fresh[file], kept[file]))
    for name, plugin in sorted(plugins.items()):
        state = json.dumps(plugin.to_json(), sort_keys=True, separators=(",", ":"))
        txn.stage(plugin_state_path(name), state.encode())
    for rel, data in settings.names_files().items():
        txn.stage(rel, data)
    if not (site / DEFAULT_ICON).is_file():
        txn.stage(DEFAULT_ICON, default_icon())
    rows, files = rendering.result()
    for rel, data in files.items():
        txn.stage(rel, data)
    settings.rows.update(rows)
    txn.stage(ROWS_FILE, settings.rows_bytes())
    txn.stage(SITE_FILE, settings.site_bytes())
    txn.commit()
