"""One budget of cores: builds take one to run, compilers are told what they hold, and the cores
held never exceed the budget (fake builds: no compiler runs)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from packager.builder import project as project_module
from packager.builder.config import load_options
from packager.builder.context import BuildContext
from packager.builder.cores import Cores, backend_settings, compiler_jobs, runs_steps_in_parallel
from packager.builder.pool import PriorityPool
from packager.builder.project import plugin_wheels
from packager.builder.sdists import _mapped
from packager.cache import Cache
from packager.targets import BuildTarget, Host, parse_platform
from tests.wagons import wheel_bytes

HOST = Host("x86_64", (2, 36))
LINUX = parse_platform("manylinux2014_x86_64", HOST)


def _source(path: Path, name: str, text: str = "") -> Path:
    path.mkdir(parents=True)
    (path / name).write_text(text)
    return path


def _until(condition: Callable[[], bool], changed: threading.Condition) -> None:
    with changed:
        assert changed.wait_for(condition, timeout=10)


def _waiting(cores: Cores) -> None:
    """Until a thread waits for a core (nothing signals it: polled)."""
    deadline = time.monotonic() + 10
    while not cores.waiting:
        assert time.monotonic() < deadline, "no thread waits for a core"
        time.sleep(0.005)


class FakeBuilds:
    """Builds that record the CMAKE_BUILD_PARALLEL_LEVEL they were told, and hold their cores
    until the test lets one of them end."""

    def __init__(self, cores: Cores) -> None:
        self.cores = cores
        self.told: list[int] = []
        self.running: list[int] = []
        self.peak = 0
        self.changed = threading.Condition()
        self.ends = threading.Semaphore(0)

    def build(self, source: Path) -> None:
        with compiler_jobs(self.cores, source) as jobs:
            told = int(_mapped({}, source, jobs)["CMAKE_BUILD_PARALLEL_LEVEL"])
            with self.changed:
                self.told.append(told)
                self.running.append(told)
                self.peak = max(self.peak, sum(self.running))
                self.changed.notify_all()
            assert self.ends.acquire(timeout=10)
            with self.changed:
                self.running.remove(told)

    def started(self, count: int) -> None:
        _until(lambda: len(self.told) == count, self.changed)


def test_builds_and_their_compilers_never_hold_more_cores_than_the_budget(tmp_path: Path) -> None:
    cmake = _source(tmp_path / "cmake", "CMakeLists.txt")
    plain = _source(tmp_path / "plain", "setup.py")
    cores = Cores(3)
    builds = FakeBuilds(cores)
    # More threads than cores: only the budget keeps the builds from all running at once.
    with PriorityPool(6, cores) as pool:
        futures = [pool.submit((0,), lambda: builds.build(cmake))]
        builds.started(1)
        assert builds.told == [3]  # alone: its one core and the two spare ones
        futures += [pool.submit((1,), lambda: builds.build(plain)) for _ in range(2)]
        _waiting(cores)
        assert builds.told == [3]
        builds.ends.release()  # the CMake build ends: its three cores go to the next ones
        builds.started(3)
        futures.append(pool.submit((2,), lambda: builds.build(cmake)))
        builds.started(4)
        assert builds.told == [3, 1, 1, 1]  # no core spare beside the two builds running
        for _ in range(3):
            builds.ends.release()
        for future in futures:
            future.result(10)
    assert builds.peak == 3
    assert cores.spare(9) == 3  # every core came back


def test_spare_cores_go_to_a_waiting_build_first() -> None:
    cores = Cores(2)
    cores.take()
    cores.take()
    waiter = threading.Thread(target=cores.take)
    waiter.start()
    _waiting(cores)
    cores.give()
    assert cores.spare(5) == 0  # the freed core is the waiter's, taken or about to be
    waiter.join(10)
    assert not waiter.is_alive()
    cores.give(2)
    with pytest.raises(RuntimeError, match="3 cores given back of a budget of 2"):
        cores.give()


def test_a_build_that_cannot_use_more_cores_holds_only_its_own(tmp_path: Path) -> None:
    cores = Cores(4)
    with cores.one(), compiler_jobs(cores, _source(tmp_path / "plain", "setup.py")) as jobs:
        assert jobs == 1
        assert cores.spare(9) == 3
        cores.give(3)
    with cores.one(), compiler_jobs(None, _source(tmp_path / "cargo", "Cargo.toml")) as jobs:
        assert jobs == 1  # no budget: one core, as told to the compiler


@pytest.mark.parametrize(("name", "text", "parallel"), [
    ("CMakeLists.txt", "", True),
    ("Cargo.toml", "", True),
    ("pyproject.toml", '[build-system]\nrequires = ["scikit-build-core"]\n', True),
    ("pyproject.toml", '[build-system]\nrequires = ["maturin>=1,<2"]\n', True),
    ("pyproject.toml", '[build-system]\nrequires = ["setuptools", "wheel"]\n', False),
    ("pyproject.toml", '[build-system]\nbuild-backend = "mesonpy"\n', True),
    ("setup.py", "", False),
])
def test_cmake_cargo_and_meson_builds_are_those_that_run_steps_in_parallel(
    tmp_path: Path, name: str, text: str, parallel: bool
) -> None:
    assert runs_steps_in_parallel(_source(tmp_path / "src", name, text)) is parallel


def test_the_other_pythons_plugin_wheels_wait_for_a_core_of_the_builds_budget(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A hooked project builds a plugin wheel per Python, the later ones beside the first
    target's sdists: each takes its core from the one budget (our own hook runner, wheel build
    and compile check replaced: no subprocess)."""
    project = tmp_path / "plugin"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        "[project]\nname = 'plugin'\nversion = '1.0'\n"
        "[tool.plugin-packager]\npre-build = 'true'\n")
    options = load_options(project, {})
    held: list[int] = []

    def wheel(tree: Path, digest: str, context: BuildContext, **_: object) -> Path:
        held.append(cores.total - cores._free)
        out = context.workdir / "plugin-1.0-py3-none-any.whl"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(wheel_bytes("plugin", "1.0"))
        return out

    monkeypatch.setattr(project_module, "run_hooks", lambda *_args: None)
    monkeypatch.setattr(project_module, "plugin_wheel", wheel)
    monkeypatch.setattr(project_module, "_check_compiles", lambda *_args: None)
    cores = Cores(1)
    context = BuildContext({}, Cache(tmp_path / "cache"), HOST, tmp_path / "work", cores=cores)
    targets = [BuildTarget((3, 9), LINUX, Path("python3.9")),
               BuildTarget((3, 11), LINUX, Path("python3.11"))]
    with ThreadPoolExecutor(1) as builder:
        queued = threading.Event()
        builder.submit(queued.wait, 10)  # the later build waits in the queue behind this
        plugins = plugin_wheels(options, targets, context, plugin_builder=builder)
        assert held == [1]  # the first Python's, built at once with the free core
        cores.take()  # now an sdist build holds the only core
        queued.set()
        time.sleep(0.2)  # room for a build that ignored the budget to run (none may)
        assert not plugins[(3, 11)].done()
        cores.give()
        assert plugins[(3, 11)].result(timeout=10).name == "plugin"


@pytest.mark.parametrize(("text", "settings"), [
    ('[build-system]\nrequires = ["meson-python"]\nbuild-backend = "mesonpy"\n',
     ["compile-args=-j3"]),
    ('[build-system]\nbuild-backend = "setuptools.build_meta"\n', []),
    ('[build-system]\nbuild-backend = ["mesonpy"]\n', []),
    ('build-system = "mesonpy"\n', []),
    ("[build-system\n", []),
    ("a = " + "[" * 30_000 + "]" * 30_000 + "\n", []),  # nested past the parser's recursion
    ("", []),
])
def test_only_meson_python_is_told_its_cores_by_a_setting(
    tmp_path: Path, text: str, settings: list[str]
) -> None:
    """meson-python runs Ninja, which reads no variable: its compile-args carry `-j`."""
    assert backend_settings(_source(tmp_path / "src", "pyproject.toml", text), 3) == settings
