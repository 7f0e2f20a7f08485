"""The scheduler driven by an index held in memory (tests/fake_index.py): lending metadata from the
first target, exclusion rounds, resolving again on its own, and a failure in one target."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import CancelledError, Future, ThreadPoolExecutor
from pathlib import Path

import pytest

from packager.builder.schedule import Scheduler, TargetWheels
from packager.builder.sdists import SdistFailure
from packager.builder.shared_metadata import ReleaseMetadata
from packager.errors import ResolutionError
from packager.events import Event
from packager.targets import BuildTarget, Host, parse_platform
from tests.fake_index import FakeIndex, Release

HOST = Host("x86_64", (2, 36))
LINUX = parse_platform("manylinux2014_x86_64", HOST)
CP36 = BuildTarget((3, 6), LINUX, Path("python3.6"))
CP311 = BuildTarget((3, 11), LINUX, Path("python3.11"))
BOUND = 10  # seconds: a bound on waiting, so a broken scheduler fails rather than hangs


def _run(scheduler: Scheduler, targets: Sequence[BuildTarget]) -> dict[str, Future[TargetWheels]]:
    """Every target's wheels at once, one thread each, as the pipeline asks for them."""
    pool = ThreadPoolExecutor(len(targets))
    futures = {t.id: pool.submit(scheduler.wheels_for, t, False) for t in targets}
    pool.shutdown(wait=False)
    return futures


def _names(wheels: TargetWheels) -> set[str]:
    return {c.name for c in wheels.candidates}


def test_the_other_targets_wait_for_the_first_ones_builds_and_resolve_with_their_metadata() -> None:
    index = FakeIndex([Release("app", "1.0", ("six",)), Release("six", "1.0", sdist=False)],
                      ["app"])
    entered = threading.Event()
    index.before_compile[CP311.id] = entered.set

    def when_cp311_resolves() -> None:
        # Had cp311 not waited for this build, it would have resolved with nothing lent.
        assert entered.wait(BOUND)

    index.before_build[(CP36.id, "app")] = when_cp311_resolves
    with Scheduler(index, [CP36, CP311], 2, lambda event: None) as scheduler:
        futures = _run(scheduler, [CP311, CP36])
        ready = {target: future.result(BOUND) for target, future in futures.items()}
    (first,) = index.calls_of(CP36)
    (second,) = index.calls_of(CP311)
    assert first.lent == ()
    assert second.lent == (ReleaseMetadata("app", "1.0", ("six",), None),)
    assert index.built == [(CP36.id, "app"), (CP311.id, "app")]
    assert ready[CP311.id].wheels == [Path("app-1.0-cp311.whl"), Path("six-1.0.whl")]
    # What cp311 was lent held: its resolution is cached, once its wheels said so.
    assert [r.shared for r in index.remembered if r.key == CP311.id] == [second.lent]


def test_an_sdist_not_for_the_targets_python_is_excluded_and_the_target_resolves_again() -> None:
    index = FakeIndex([Release("lib", "2.0", fails_on=frozenset({(3, 11)})),
                       Release("lib", "1.0", sdist=False)], ["lib"])
    events: list[Event] = []
    with Scheduler(index, [CP311], 1, events.append) as scheduler:
        ready = scheduler.wheels_for(CP311, False)
    first, again = index.calls_of(CP311)
    assert (first.attempt.excluded, first.pinned) == ((), ("lib==2.0",))
    assert (again.attempt.excluded, again.attempt.alone, again.attempt.refresh) == (
        ("lib!=2.0",), True, True)
    assert ready.wheels == [Path("lib-1.0.whl")]
    assert any(e.message.startswith("excluded lib 2.0: its sdist does not build for Python")
               for e in events)


def test_a_failure_for_the_targets_own_python_is_raised_not_excluded() -> None:
    index = FakeIndex([Release("lib", "2.0", fails_on=frozenset({(3, 11)}), other_python=False),
                       Release("lib", "1.0", sdist=False)], ["lib"])
    scheduler = Scheduler(index, [CP311], 1, lambda event: None)
    with scheduler, pytest.raises(SdistFailure, match="building lib failed"):
        scheduler.wheels_for(CP311, False)
    assert len(index.calls) == 1


def test_a_wheel_that_says_other_than_the_lent_metadata_sends_the_target_back_alone() -> None:
    # setup.py branches on the Python: six on 3.6, idna on 3.11.
    app = Release("app", "1.0", built={(3, 6): ("six",), (3, 11): ("idna",)})
    index = FakeIndex([app, Release("six", "1.0", sdist=False),
                       Release("idna", "1.0", sdist=False)], ["app"])
    events: list[Event] = []
    with Scheduler(index, [CP36, CP311], 2, events.append) as scheduler:
        ready = {t: f.result(BOUND) for t, f in _run(scheduler, [CP36, CP311]).items()}
    lent, alone = index.calls_of(CP311)
    assert (lent.lent, lent.pinned) == ((ReleaseMetadata("app", "1.0", ("six",), None),),
                                        ("app==1.0", "six==1.0"))
    assert (alone.lent, alone.attempt.alone, alone.pinned) == ((), True, ("app==1.0", "idna==1.0"))
    assert _names(ready[CP311.id]) == {"app", "idna"}
    assert _names(ready[CP36.id]) == {"app", "six"}
    assert any("app 1.0 says other requirements on 3.11.0" in e.message for e in events)
    # The resolution made with what was lent did not hold: it is not cached.
    assert [r.shared for r in index.remembered if r.key == CP311.id] == [()]


def test_the_first_targets_failure_leaves_the_others_to_resolve_on_their_own() -> None:
    index = FakeIndex([Release("app", "1.0")], ["app"])
    index.failing_resolutions.add(CP36.id)
    with Scheduler(index, [CP36, CP311], 2, lambda event: None) as scheduler:
        futures = _run(scheduler, [CP36, CP311])
        with pytest.raises(ResolutionError, match="no resolution for cp36"):
            futures[CP36.id].result(BOUND)
        assert _names(futures[CP311.id].result(BOUND)) == {"app"}
    (call,) = index.calls_of(CP311)
    assert call.lent == ()


def test_a_failing_target_raises_and_shutting_down_cancels_the_queued_builds() -> None:
    index = FakeIndex([Release("w", "1.0", sdist=False), Release("a", "1.0"), Release("b", "1.0")],
                      ["w", "a", "b"])
    index.failing_downloads.add("w")
    started, release = threading.Event(), threading.Event()

    def hold_the_builder() -> None:
        started.set()
        assert release.wait(BOUND)

    index.before_build[(CP311.id, "a")] = hold_the_builder
    scheduler = Scheduler(index, [CP311], 1, lambda event: None)
    with pytest.raises(ResolutionError, match=r"w-1\.0\.whl did not download"):
        scheduler.wheels_for(CP311, False)
    assert started.wait(BOUND)  # a holds the one builder: b waits in the queue
    (b,) = [c for c in index.calls[0].candidates if c.name == "b"]
    queued = scheduler.wheels.get(CP311, b)
    heard = threading.Event()
    queued.add_done_callback(lambda _: heard.set())
    stopping = threading.Thread(target=scheduler.shutdown)
    stopping.start()
    assert heard.wait(BOUND)
    release.set()
    stopping.join(BOUND)
    assert queued.cancelled()
    with pytest.raises(CancelledError):
        queued.result(0)
    assert index.built == [(CP311.id, "a")]
    assert index.closed
