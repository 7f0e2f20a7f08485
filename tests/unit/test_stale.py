"""Pins older than needed: which ones are raised, how staleness is counted, what is said."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

from packager.builder import stale
from packager.builder.requires_python import egg_requires
from packager.builder.resolution import Unresolvable
from packager.builder.stale import (
    Behind,
    Resolved,
    _raise,
    _raised_message,
    _say_direct,
    behind,
    listings,
    staleness,
    to_raise,
    usable_versions,
)
from packager.cache import Cache
from packager.targets import BuildTarget, Host, parse_platform

HOST = Host("x86_64", (2, 36))
CP311 = BuildTarget((3, 11), parse_platform("manylinux2014_x86_64", HOST), Path("python3.11"))
CP39 = BuildTarget((3, 9), parse_platform("manylinux2014_x86_64", HOST), Path("python3.9"))


def _versions(*texts: str) -> list[Version]:
    return [Version(t) for t in texts]


def test_usable_versions_are_final_fitting_admitted_and_not_yanked() -> None:
    files = [
        {"filename": "msal-1.39.0-py3-none-any.whl"},
        {"filename": "msal-1.40.0b1-py3-none-any.whl"},  # a pre-release
        {"filename": "msal-1.38.0-py3-none-any.whl", "yanked": "broken"},
        {"filename": "msal-1.37.0-py3-none-any.whl", "requires-python": ">=3.12"},
        {"filename": "msal-1.36.0-cp39-cp39-manylinux2014_x86_64.whl"},  # another Python
        {"filename": "msal-1.35.0.tar.gz"},
    ]
    assert usable_versions(files, CP311) == _versions("1.39.0", "1.35.0")


def test_the_pins_uv_held_back_by_its_search_order_are_raised_the_held_are_not() -> None:
    # openstack cp311: uv's first resolution, and the newest usable release of each.
    pins = {"azure-identity": "1.4.1", "msal": "1.5.1", "pyjwt": "1.7.1", "cryptography": "51.0.1",
            "aiohttp": "3.10.5"}
    listings = {"azure-identity": _versions("1.27.0", "1.26.0", "1.4.1"),
                "msal": _versions("1.39.0", "1.5.1"), "pyjwt": _versions("2.15.1", "1.7.1"),
                "cryptography": _versions("51.0.1", "50.0.2"),
                "aiohttp": _versions("3.14.5", "3.10.5")}
    found = behind(pins, listings)
    assert sorted(found) == ["aiohttp", "azure-identity", "msal", "pyjwt"]
    assert found["azure-identity"] == Behind("azure-identity", Version("1.4.1"), Version("1.27.0"), 2)
    requirements = [
        ("", Requirement("cloudify-utilities-plugins-sdk")),
        ("cloudify-utilities-plugins-sdk 0.0.130", Requirement("azure-identity")),
        ("azure-identity 1.4.1", Requirement("msal<2.0.0,>=1.3.0")),
        ("msal 1.5.1", Requirement("PyJWT[crypto]<2,>=1.0.0")),
        ("cloudify-common 7.0.5", Requirement("aiohttp==3.10.5")),
    ]
    assert [one.name for one in to_raise(found, requirements)] == ["azure-identity", "msal"]
    assert staleness(found, pins) == 2 + 1 + 1 + 1
    assert staleness(found, ["msal", "not-pinned"]) == 1


def test_the_message_names_what_moved_and_the_requirement_that_held_the_rest() -> None:
    before = {"azure-identity": "1.4.1", "msal": "1.5.1", "cryptography": "51.0.1", "idna": "3.10"}
    after = {"azure-identity": "1.27.0", "msal": "1.39.0", "cryptography": "50.0.2", "idna": "3.10"}
    requirements = [("msal 1.39.0", Requirement("cryptography<51,>=2.5"))]
    assert _raised_message(before, after, requirements, 80, 3) == (
        "uv's resolution was 80 releases behind the newest usable ones, raised to 3 behind:"
        " azure-identity 1.4.1 → 1.27.0, msal 1.5.1 → 1.39.0; in turn cryptography 51.0.1 →"
        " 50.0.2 (held back by msal 1.39.0's cryptography<51,>=2.5)")


def _behind(name: str) -> Behind:
    return Behind(name, Version("1.0"), Version("4.0"), 3)


def test_a_raise_that_does_not_resolve_drops_what_uvs_explanation_names() -> None:
    asked: list[Sequence[str]] = []
    lock = Path("pylock.target.toml")

    def again(constraints: Sequence[str]) -> Resolved:
        asked.append(constraints)
        if "osc-lib>=4.0" in constraints:
            raise Unresolvable("no", "hint", "Because osc-lib>=4.0 depends on openstacksdk>=4.12.0"
                                             " and you require openstacksdk==0.53.0, ...")
        return lock, [], []

    raising = [_behind("msal"), _behind("osc-lib")]
    assert _raise(raising, ["cloudify-common>=7.0.5"], again) == (lock, [], [])
    assert asked == [["cloudify-common>=7.0.5", "msal>=4.0", "osc-lib>=4.0"],
                     ["cloudify-common>=7.0.5", "msal>=4.0"]]


@pytest.mark.parametrize("output", ["a failure that names none of them", "osc-lib and msal"])
def test_a_raise_gives_up_when_nothing_or_everything_is_named(output: str) -> None:
    def again(constraints: Sequence[str]) -> Resolved:
        raise Unresolvable("no", "hint", output)

    assert _raise([_behind("msal"), _behind("osc-lib")], [], again) is None


def test_an_egg_info_requires_txt_reads_as_requires_dist() -> None:
    text = ("aiohttp==3.10.5\npika<2\n\n[:python_version < \"3.8\"]\nimportlib-metadata\n\n"
            "[dispatcher]\nPyYAML<7,>6\n")
    assert egg_requires(text) == ["aiohttp==3.10.5", "pika<2",
                                  'importlib-metadata; python_version < "3.8"']


def test_a_direct_dependency_is_named_when_far_below_a_newest_its_requirement_admits() -> None:
    listings = {"pyvmomi": _versions("2014.1.1", "8.0.3.0", "7.0.3"),
                "requests": _versions("4.0", "3.0", "2.0", "1.0"),
                "cloudify-common": _versions("7.0.5", "6.4.2")}
    found = behind({"pyvmomi": "7.0.3", "requests": "1.0", "cloudify-common": "6.4.2"}, listings)
    assert found["pyvmomi"].majors == 2  # 8 and 2014, not 2007
    said: list[str] = []
    direct = [Requirement("pyvmomi>=6.7.3,<8.0.0"), Requirement("requests"),
              Requirement("cloudify-common")]
    _say_direct(found, direct, CP311, lambda event: said.append(event.message))
    # pyvmomi's own requirement excludes 8; cloudify-common is one major behind (MAJOR_GAP).
    assert said == [("requests resolves to 1.0, 3 major versions below its newest usable release"
                    " 4.0, which the plugin's requests admits: other requirements hold it back")]


def test_a_packages_listing_is_asked_once_for_all_targets_and_judged_for_each(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The targets of one build pin mostly the same packages: the second target reads the
    first one's listing from the cache (no request), and judges it for its own Python."""
    asked: list[str] = []

    def index_files(name: str, index: str, headers: object) -> list[dict[str, object]]:
        asked.append(name)
        return [{"filename": "msal-1.39.0-py3-none-any.whl", "requires-python": ">=3.10",
                 "url": "https://files.example.com/msal-1.39.0-py3-none-any.whl"},
                {"filename": "msal-1.38.0-py3-none-any.whl"}]

    monkeypatch.setattr(stale, "index_files", index_files)
    cache = Cache(tmp_path / "cache")
    index = "https://pypi.example.com/simple"
    assert listings(["msal"], CP39, index, {}, cache) == {"msal": _versions("1.38.0")}
    assert listings(["msal"], CP311, index, {}, cache) == {"msal": _versions("1.39.0", "1.38.0")}
    assert asked == ["msal"]
    (kept,) = (tmp_path / "cache").rglob("files.json")
    assert "url" not in kept.read_text()  # what judging takes, no more
    kept.write_text("{not json")  # damaged (its digest no longer matches): asked again
    assert listings(["msal"], CP311, index, {}, cache) == {"msal": _versions("1.39.0", "1.38.0")}
    assert asked == ["msal", "msal"]
