"""The SBOM is kept in the cache under everything it reads, so warm rebuilds skip cyclonedx."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from packaging.tags import Tag
from packaging.version import Version

from packager.builder import sbom
from packager.cache import Cache
from packager.wheels import WheelInfo


def _info(name: str, version: str, licenses: tuple[str, ...] = ("MIT",)) -> WheelInfo:
    path = Path(f"{name}-{version}-py3-none-any.whl")
    return WheelInfo(path, name, version, Version(version), frozenset({Tag("py3", "none", "any")}),
                     (), None, licenses)


PLUGIN, SIX = _info("plug", "1.0"), _info("six", "1.16.0")
DIGESTS = {PLUGIN.path.name: {"sha256": "aa" * 32}, SIX.path.name: {"sha256": "bb" * 32}}
FACTS = sbom.SbomInput(wagon_name="plug.wgn", plugin=PLUGIN, wheels=[PLUGIN, SIX], digests=DIGESTS,
                       epoch=315532800, source={"git": None, "tree": "cd" * 32})


def test_a_second_wagon_of_the_same_inputs_gets_the_same_sbom_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    cache = Cache(tmp_path)
    first = sbom.sbom_text(cache, FACTS)
    assert [c["name"] for c in json.loads(first)["components"]] == ["six"]

    def not_again(*args: object) -> str:
        raise AssertionError("the SBOM was made again")

    monkeypatch.setattr(sbom, "sbom_json", not_again)
    again = sbom.sbom_text(cache, FACTS)
    assert again == first
    with pytest.raises(AssertionError, match="made again"):  # another licence, another SBOM
        sbom.sbom_text(cache, replace(FACTS, wheels=[PLUGIN, _info("six", "1.16.0", ("BSD",))]))
