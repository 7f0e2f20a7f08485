"""The parts of the build pipeline: the priority pool, shared downloads, build ordering hints."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from concurrent.futures import CancelledError, Future
from functools import partial
from pathlib import Path

import pytest
from packaging.version import Version

from packager.builder.context import BuildContext
from packager.builder.explain import absolute
from packager.builder.fetch import Downloads
from packager.builder.pool import PriorityPool
from packager.builder.prefetch import exact_pins, sdist_to_build
from packager.builder.resolution import Candidate
from packager.builder.sdists import _mapped, build_cost
from packager.cache import Cache
from packager.errors import ResolutionError
from packager.events import Event
from packager.targets import BuildTarget, Host, parse_platform
from tests.sdists import write_c_sdist


def _blocked(pool: PriorityPool) -> threading.Event:
    """Occupies the pool's one worker until the returned event is set."""
    release, started = threading.Event(), threading.Event()

    def hold() -> None:
        started.set()
        release.wait(10)

    pool.submit((0,), hold)
    assert started.wait(10)
    return release


def _within(seconds: float, condition: Callable[[], bool]) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_the_most_urgent_queued_call_runs_first() -> None:
    ran: list[str] = []
    with PriorityPool(1) as pool:
        release = _blocked(pool)
        futures = [pool.submit(urgency, partial(ran.append, name))
                   for name, urgency in (("small", (3.0,)), ("large", (1.0,)), ("mid", (2.0,)),
                                         ("mid too", (2.0,)))]
        release.set()
        for future in futures:
            future.result(10)
    assert ran == ["large", "mid", "mid too", "small"]


def test_after_queues_the_call_once_the_first_is_done_and_passes_failures_on() -> None:
    with PriorityPool(2) as pool:
        first: Future[int] = Future()
        chained = pool.after(first, lambda n: (float(-n),), lambda n: n * 2)
        assert not chained.done()
        first.set_result(21)
        assert chained.result(10) == 42

        failed: Future[int] = Future()
        failed.set_exception(ValueError("no sdist"))
        with pytest.raises(ValueError, match="no sdist"):
            pool.after(failed, lambda n: (0.0,), lambda n: n).result(10)

        dropped: Future[int] = Future()
        dropped.cancel()
        assert pool.after(dropped, lambda n: (0.0,), lambda n: n).cancelled()


def test_shutdown_with_cancel_drops_queued_calls_and_their_followers() -> None:
    pool = PriorityPool(1)
    release = _blocked(pool)
    queued = pool.submit((1.0,), lambda: "never")
    follower = pool.after(queued, lambda _: (0.0,), lambda value: value)
    # Shut down while the worker is busy, so the queued call cannot have started.
    stopper = threading.Thread(target=pool.shutdown, kwargs={"cancel": True})
    stopper.start()
    assert _within(10, queued.cancelled)
    release.set()
    stopper.join(10)
    assert follower.cancelled()
    with pytest.raises(CancelledError):
        follower.result(0)
    with pytest.raises(RuntimeError, match="shut down"):
        pool.submit((0.0,), lambda: None)


def _file_candidate(path: Path, is_sdist: bool = False) -> Candidate:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return Candidate(path.name.split("-")[0], "1.0", path.name, path.as_uri(), digest, is_sdist,
                     size=path.stat().st_size)


def test_downloads_fetch_a_file_once_however_many_targets_ask(tmp_path: Path, host: Host) -> None:
    source = tmp_path / "index" / "six-1.0-py3-none-any.whl"
    source.parent.mkdir()
    source.write_bytes(b"wheel bytes")
    events: list[Event] = []
    with PriorityPool(4) as pool:
        context = BuildContext({}, Cache(tmp_path / "cache"), host, tmp_path, events.append)
        downloads = Downloads(pool, context)
        candidate = _file_candidate(source)
        futures = [downloads.get(candidate, target) for target in ("cp39-x", "cp311-x")]
        paths = [future.result(10) for future in futures]
    assert futures[0] is futures[1]
    assert paths[0].read_bytes() == b"wheel bytes"
    assert tmp_path / "cache" in paths[0].parents
    assert [(e.target, e.detail) for e in events] == [("cp39-x", True)]
    assert events[0].message.startswith("downloaded six-1.0-py3-none-any.whl (0.0 MiB) in ")


def test_downloads_refuse_a_file_whose_sha256_differs_from_the_index(
    tmp_path: Path, host: Host
) -> None:
    source = tmp_path / "six-1.0-py3-none-any.whl"
    source.write_bytes(b"wheel bytes")
    candidate = _file_candidate(source)
    source.write_bytes(b"other bytes")
    with PriorityPool(1) as pool:
        downloads = Downloads(pool, BuildContext({}, Cache(tmp_path / "cache"), host, tmp_path))
        with pytest.raises(ResolutionError, match="the index promised"):
            downloads.get(candidate).result(10)


def test_build_cost_ranks_compiled_code_above_a_larger_pure_sdist(tmp_path: Path) -> None:
    compiled = write_c_sdist(tmp_path / "c", "fastmath", "1.0")
    pure = tmp_path / "pure-1.0.tar.gz"
    pure.write_bytes(bytes(compiled.stat().st_size * 3))  # not even a tar: costs its size
    assert build_cost(compiled) > build_cost(pure) == pure.stat().st_size


def test_only_cmake_gets_the_cores_and_the_caller_s_settings_win(tmp_path: Path) -> None:
    source = tmp_path / "src" / "pkg-1.0"
    source.mkdir(parents=True)
    env = _mapped({"CFLAGS": "-O2"}, source, 4)
    assert env["CMAKE_BUILD_PARALLEL_LEVEL"] == "4"
    # build_ext --parallel races on a source shared by two extensions; make -j on loose Makefiles
    assert "DIST_EXTRA_CONFIG" not in env
    assert "MAKEFLAGS" not in env
    assert not list(tmp_path.rglob("*.cfg"))
    assert env["CFLAGS"] == f"-O2 -ffile-prefix-map={source}=/usr/src/pkg-1.0"
    own = _mapped({"MAKEFLAGS": "-j3", "CMAKE_BUILD_PARALLEL_LEVEL": "1"}, source, 4)
    assert (own["MAKEFLAGS"], own["CMAKE_BUILD_PARALLEL_LEVEL"]) == ("-j3", "1")
    # a build granted one core says so: CMake's Ninja and Cargo would take them all
    assert _mapped({}, source, 1)["CMAKE_BUILD_PARALLEL_LEVEL"] == "1"
    assert _mapped({}, source, 1)["CARGO_BUILD_JOBS"] == "1"


HOST = Host("x86_64", (2, 36))
CP311 = BuildTarget((3, 11), parse_platform("manylinux2014_x86_64", HOST), Path("python3.11"))
PAGE = "https://index.example/simple/pycryptodome/"


def test_exact_pins_are_single_exact_versions_that_apply_on_the_target() -> None:
    requirements = ["pycryptodome==3.9.7", "boto3", "pytz>=2022,<2023", "six==1.*",
                    "idna==2.10; python_version < '3'", "deepdiff == 6.3.1 ; python_version >= '3'",
                    "local @ file:///src/local", "not a requirement ==="]
    assert list(exact_pins(requirements, CP311)) == [
        ("pycryptodome", Version("3.9.7")), ("deepdiff", Version("6.3.1"))]


def _entry(filename: str, **more: object) -> dict[str, object]:
    return {"filename": filename, "url": f"../../files/{filename}",
            "hashes": {"sha256": "ab" * 32}, **more}


def test_a_release_with_no_wheel_for_the_target_builds_its_sdist_ahead() -> None:
    files = [_entry("pycryptodome-3.9.7-cp38-cp38-manylinux1_x86_64.whl"),
             _entry("pycryptodome-3.9.7.tar.gz", size=15451558),
             _entry("pycryptodome-3.9.8-cp311-abi3-manylinux2014_x86_64.whl")]
    sdist = sdist_to_build(absolute(files, PAGE), "pycryptodome", Version("3.9.7"), CP311)
    assert sdist is not None
    assert (sdist.filename, sdist.is_sdist, sdist.size) == ("pycryptodome-3.9.7.tar.gz", True,
                                                             15451558)
    assert sdist.url == "https://index.example/files/pycryptodome-3.9.7.tar.gz"


@pytest.mark.parametrize("files", [
    [_entry("pycryptodome-3.9.7-cp35-abi3-manylinux2014_x86_64.whl"),
     _entry("pycryptodome-3.9.7.tar.gz")],  # a wheel fits: nothing to build
    [_entry("pycryptodome-3.9.7.tar.gz", yanked=True)],
    [_entry("pycryptodome-3.9.7.tar.gz", **{"requires-python": "<3.8"})],
    [_entry("pycryptodome-3.9.7.zip", hashes={})],  # no sha256 to check the download against
])
def test_no_guess_when_a_wheel_fits_or_the_sdist_is_not_a_safe_pick(
    files: list[dict[str, object]],
) -> None:
    assert sdist_to_build(absolute(files, PAGE), "pycryptodome", Version("3.9.7"), CP311) is None
