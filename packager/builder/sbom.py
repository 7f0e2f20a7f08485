"""A CycloneDX SBOM for each wagon: every wheel a component with version, purl, sha256, licence."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from packaging.utils import canonicalize_name

from .. import _tools
from ..cache import Cache, key_of
from ..wheels import WheelInfo

if TYPE_CHECKING:
    from cyclonedx.model.component import Component, ComponentType


def sbom_text(
    cache: Cache,
    wagon_name: str,
    plugin: WheelInfo,
    wheels: Sequence[WheelInfo],
    digests: Mapping[str, Mapping[str, Any]],
    epoch: int,
    source: Mapping[str, str | None],
) -> str:
    """sbom_json, kept in the cache under everything it reads: a warm rebuild writes the same
    SBOM without importing cyclonedx, which alone takes a third of a second."""
    facts = [[i.path.name, i.name, i.version, list(i.licenses), digests[i.path.name]["sha256"]]
             for i in [plugin, *wheels]]
    key = key_of("sbom", _tools.tool_versions().get("cyclonedx-python-lib", ""), wagon_name,
                 str(epoch), json.dumps([sorted(source.items()), facts]))
    cached = cache.get_keyed("sboms", key)
    if cached is not None:
        return cached.read_text(encoding="utf-8")
    text = sbom_json(wagon_name, plugin, wheels, digests, epoch, source)
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


def sbom_json(wagon_name: str, plugin: WheelInfo, wheels: Sequence[WheelInfo],
              digests: Mapping[str, Mapping[str, Any]], epoch: int,
              source: Mapping[str, str | None]) -> str:
    """Deterministic: the serial number derives from the wagon's name, the time from the epoch.
    `digests` maps each wheel's file name to its package.json entry (`sha256`, `size`); `source`
    (git HEAD, tree digest) becomes `plugin-packager:source:<key>` properties."""
    from cyclonedx.model import Property
    from cyclonedx.model.bom import Bom
    from cyclonedx.model.component import ComponentType
    from cyclonedx.output.json import JsonV1Dot6

    bom = Bom(serial_number=uuid.uuid5(uuid.NAMESPACE_URL, f"plugin-packager:{wagon_name}"))
    bom.metadata.timestamp = datetime.fromtimestamp(epoch, tz=timezone.utc)
    for key, value in sorted(source.items()):
        if value is not None:
            bom.metadata.properties.add(Property(name=f"plugin-packager:source:{key}", value=value))
    bom.metadata.component = root = _component(
        plugin, ComponentType.APPLICATION, digests[plugin.path.name]["sha256"]
    )
    for info in wheels:
        if info.path.name != plugin.path.name:
            component = _component(info, ComponentType.LIBRARY, digests[info.path.name]["sha256"])
            bom.components.add(component)
            bom.register_dependency(root, [component])
    return JsonV1Dot6(bom).output_as_string(indent=2) + "\n"
