from __future__ import annotations

from pathlib import Path

import pytest

from packager.builder.indexes import NO_INDEXES
from packager.builder.resolution import Request, Resolution
from packager.builder.resolve import _candidate, _key, candidates_from_lock, remember, resolve
from packager.builder.shared_metadata import ReleaseMetadata
from packager.cache import Cache
from packager.errors import ResolutionError
from packager.targets import BuildTarget, Host, parse_platform

URL = "https://files.example/"


def wheel(name: str) -> dict[str, object]:
    return {"url": URL + name, "hashes": {"sha256": name[:8]}}


def t311(host: Host) -> BuildTarget:
    return BuildTarget((3, 11), parse_platform("manylinux2014_x86_64", host))


def test_best_fitting_wheel_wins(host: Host) -> None:
    package = {
        "name": "cryptography",
        "version": "46.0.0",
        "wheels": [
            wheel("cryptography-46.0.0-cp311-abi3-manylinux_2_34_x86_64.whl"),
            wheel("cryptography-46.0.0-cp311-abi3-manylinux_2_5_x86_64.manylinux1_x86_64.whl"),
            wheel("cryptography-46.0.0-cp311-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"),
        ],
        "sdist": {"url": URL + "cryptography-46.0.0.tar.gz"},
    }
    chosen = _candidate(package, t311(host))
    assert chosen.filename == "cryptography-46.0.0-cp311-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
    assert not chosen.is_sdist
    assert chosen.url.startswith(URL)


def test_sdist_when_no_wheel_fits_the_floor(host: Host) -> None:
    package = {
        "name": "x",
        "version": "1",
        "wheels": [wheel("x-1-cp311-cp311-manylinux_2_34_x86_64.whl")],
        "sdist": {"url": "file:///links/x-1.tar.gz", "hashes": {"sha256": "ab"}},
    }
    chosen = _candidate(package, t311(host))
    assert (chosen.is_sdist, chosen.filename, chosen.sha256) == (True, "x-1.tar.gz", "ab")


def test_neither_wheel_nor_sdist(host: Host) -> None:
    package = {"name": "x", "version": "1", "wheels": [wheel("x-1-cp312-cp312-manylinux2014_x86_64.whl")]}
    with pytest.raises(ResolutionError, match="x 1 has no wheel for cp311-manylinux2014_x86_64") as info:
        _candidate(package, t311(host))
    assert info.value.exit_code == 3


LOCK = """lock-version = "1.0"
[[packages]]
name = "typing-extensions"
version = "4.16.0"
marker = "python_full_version < '3.13'"
wheels = [{ url = "https://x/typing_extensions-4.16.0-py3-none-any.whl" }]
[[packages]]
name = "arm-only"
version = "1"
marker = "platform_machine == 'aarch64'"
wheels = [{ url = "https://x/arm_only-1-py3-none-any.whl" }]
"""


@pytest.mark.parametrize(
    ("py", "plat", "expected"),
    [
        ((3, 11), "manylinux2014_x86_64", ["typing-extensions"]),
        ((3, 13), "manylinux2014_x86_64", []),
        ((3, 13), "manylinux2014_aarch64", ["arm-only"]),
    ],
)
def test_lock_markers_are_evaluated_for_the_target(
    host: Host, tmp_path: Path, py: tuple[int, int], plat: str, expected: list[str]
) -> None:
    lock = tmp_path / "pylock.toml"
    lock.write_text(LOCK)
    target = BuildTarget(py, parse_platform(plat, host))
    assert [c.name for c in candidates_from_lock(lock, target)] == expected


def test_resolve_caches_nothing_itself_and_reuses_what_its_caller_remembered(
    tmp_path: Path, host: Host
) -> None:
    target = t311(host)
    request = Request(target, ["six"], tmp_path / "work", NO_INDEXES, {}, host,
                      Cache(tmp_path / "cache"))
    lock = ('lock-version = "1.0"\n[[packages]]\nname = "six"\nversion = "1.17.0"\n'
            f'wheels = [{{ url = "{URL}six-1.17.0-py2.py3-none-any.whl",'
            ' hashes = { sha256 = "ab" } }]\n')
    made = Resolution([], made=lock.encode(), key=_key(request))

    def no_uv() -> list[ReleaseMetadata]:
        raise AssertionError("uv was asked, although the resolution was remembered")

    remember(request.cache, Resolution([], key=_key(request)))  # nothing made: nothing cached
    assert request.cache.get_keyed("resolutions", _key(request)) is None
    remember(request.cache, made)
    again = resolve(request, on_compile=no_uv)
    assert [(c.name, c.version) for c in again.candidates] == [("six", "1.17.0")]
    assert again.made is None  # from the cache: nothing for the caller to remember
