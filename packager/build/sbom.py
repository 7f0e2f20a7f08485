"""A CycloneDX SBOM for each wagon: every wheel a component with version, purl, sha256, licence."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

from cyclonedx.contrib.license.factories import LicenseFactory
from cyclonedx.model import HashAlgorithm, HashType, Property
from cyclonedx.model.bom import Bom
from cyclonedx.model.component import Component, ComponentType
from cyclonedx.output.json import JsonV1Dot6
from packageurl import PackageURL
from packaging.utils import canonicalize_name

from ..wheels import WheelInfo


def _component(info: WheelInfo, kind: ComponentType, sha256: str) -> Component:
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


def sbom_json(
    wagon_name: str,
    plugin: WheelInfo,
    wheels: Sequence[WheelInfo],
    digests: Mapping[str, Mapping[str, Any]],
    epoch: int,
    source: Mapping[str, str | None],
) -> str:
    """Deterministic: the serial number derives from the wagon's name, the time from the epoch.
    `digests` maps each wheel's file name to its package.json entry (`sha256`, `size`); `source`
    (git HEAD, tree digest) becomes `plugin-packager:source:<key>` properties."""
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
