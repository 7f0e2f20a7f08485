"""A CycloneDX SBOM for each wagon: every wheel a component with version, purl, sha256, licence."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from packaging.utils import canonicalize_name

from .. import _tools
from ..cache import Cache, key_of
from ..wheels import WheelInfo

if TYPE_CHECKING:
    from cyclonedx.model.component import Component, ComponentType


@dataclass(frozen=True)
class SbomInput:
    """What a wagon's SBOM says: the wagon's file name, the plugin wheel (the application), every
    wheel of the wagon, their package.json digests by file name (`sha256`, `size`), the epoch
    of its timestamp, and the source it was built from (git HEAD, tree digest)."""

    wagon_name: str
    plugin: WheelInfo
    wheels: Sequence[WheelInfo]
    digests: Mapping[str, Mapping[str, Any]]
    epoch: int
    source: Mapping[str, str | None]


def sbom_text(cache: Cache, facts: SbomInput) -> str:
    """sbom_json, kept in the cache under everything it reads: a warm rebuild writes the same
    SBOM without importing cyclonedx, which alone takes a third of a second."""
    rows = [[i.path.name, i.name, i.version, list(i.licenses), facts.digests[i.path.name]["sha256"]]
            for i in [facts.plugin, *facts.wheels]]
    key = key_of("sbom", _tools.tool_versions().get("cyclonedx-python-lib", ""), facts.wagon_name,
                 str(facts.epoch), json.dumps([sorted(facts.source.items()), rows]))
    cached = cache.get_keyed("sboms", key)
    if cached is not None:
        return cached.read_text(encoding="utf-8")
    text = sbom_json(facts)
    cache.put_keyed_bytes("sboms", key, "sbom.cdx.json", text.encode("utf-8"))
    return text


def _component(info: WheelInfo, kind: ComponentType, sha256: str) -> Component:
    from cyclonedx.contrib.license.factories import LicenseFactory
    from cyclonedx.model import HashAlgorithm, HashType
    from cyclonedx.model.component import Component
    from packageurl import PackageURL

    name = canonicalize_name(info.name)
    factory = LicenseFactory()
    return Component(
        name=name,
        version=info.version,
        type=kind,
        bom_ref=f"{name}=={info.version}:{info.path.name}",
        purl=PackageURL("pypi", name=name, version=info.version,
                        qualifiers={"file_name": info.path.name}),
        hashes=[HashType(alg=HashAlgorithm.SHA_256, content=sha256)],
        licenses=[factory.make_from_string(text) for text in info.licenses],
    )


def sbom_json(facts: SbomInput) -> str:
    """Deterministic: the serial number derives from the wagon's name, the time from the epoch;
    the source's facts become `plugin-packager:source:<key>` properties."""
    from cyclonedx.model import Property
    from cyclonedx.model.bom import Bom
    from cyclonedx.model.component import ComponentType
    from cyclonedx.output.json import JsonV1Dot6

    plugin, digests = facts.plugin, facts.digests
    bom = Bom(serial_number=uuid.uuid5(uuid.NAMESPACE_URL,
                                       f"plugin-packager:{facts.wagon_name}"))
    bom.metadata.timestamp = datetime.fromtimestamp(facts.epoch, tz=timezone.utc)
    for key, value in sorted(facts.source.items()):
        if value is not None:
            bom.metadata.properties.add(Property(name=f"plugin-packager:source:{key}", value=value))
    bom.metadata.component = root = _component(
        plugin, ComponentType.APPLICATION, digests[plugin.path.name]["sha256"]
    )
    for info in facts.wheels:
        if info.path.name != plugin.path.name:
            component = _component(info, ComponentType.LIBRARY, digests[info.path.name]["sha256"])
            bom.components.add(component)
            bom.register_dependency(root, [component])
    return JsonV1Dot6(bom).output_as_string(indent=2) + "\n"
