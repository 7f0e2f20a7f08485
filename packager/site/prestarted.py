"""A function run in a process started before its argument is known: the process imports its
module and prepares (the pages import jinja2 and load their templates, a sixth of an `index`
process) while this one imports what it needs and reads the wagons, then takes the argument and
sends back the result, both pickled, while this one writes the catalogs.

The process is forked, which copies only the forking thread: a lock another thread held at that
moment stays held forever in the child (Python 3.12 warns). So `index` forks before it starts a
thread (its processes first, then the thread that empties the trash), and where fork is missing
or a thread already runs (a caller's), nothing is forked: the work is done in this process."""

from __future__ import annotations

import importlib
import os
import pickle
import signal
import threading
from contextlib import suppress
from typing import IO, TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from typing_extensions import Self  # not a runtime dependency of ours


def may_fork() -> bool:
    """Whether a fork now is safe: fork exists and this process runs one thread."""
    return hasattr(os, "fork") and threading.active_count() == 1


class Prestarted:
    """`module.function(arg)` in a child forked at construction, which imports `module` and runs
    its `prepare()` first. Where it may not fork (may_fork) or the child fails, `result` runs it
    here: an error is raised here."""

    def __init__(self, module: str, function: str, prepare: str) -> None:
        self.module, self.function = module, function
        self.arg: Any = None
        self.pid = 0
        self.ends: dict[str, int] = {}  # our ends of the two pipes, until closed
        if not may_fork():
            return
        import fcntl  # POSIX, as fork

        job_in, self.ends["job"] = os.pipe()
        with suppress(AttributeError, OSError):  # Linux: room for an add's job, sent unblocked
            fcntl.fcntl(job_in, fcntl.F_SETPIPE_SZ, 1 << 20)
        self.ends["result"], result_out = os.pipe()
        self.pid = os.fork()
        if not self.pid:
            for fd in self.ends.values():
                os.close(fd)
            _serve(module, function, prepare, job_in, result_out)
        os.close(job_in)
        os.close(result_out)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pid:  # its result was not wanted, so it is not waited for
            os.kill(self.pid, signal.SIGKILL)
            self._reap()

    def send(self, arg: Any) -> None:
        self.arg = arg
        if self.pid:
            try:
                with self._take("job", "wb") as job:
                    pickle.dump(arg, job, pickle.HIGHEST_PROTOCOL)
            except OSError:  # the child died: `result` runs the function here
                self._reap()

    def result(self) -> Any:
        if self.pid:
            try:
                with self._take("result", "rb") as result:
                    return pickle.load(result)
            except (OSError, EOFError, pickle.UnpicklingError):
                pass  # the child died: its error, if it was one, is raised below
            finally:
                self._reap()
        return getattr(importlib.import_module(self.module), self.function)(self.arg)

    def _take(self, end: str, mode: str) -> IO[Any]:
        """A pipe's end as a file, which closes it: closed once, never a reused number again."""
        return os.fdopen(self.ends.pop(end), mode)

    def _reap(self) -> None:
        for fd in self.ends.values():
            os.close(fd)
        self.ends.clear()
        os.waitpid(self.pid, 0)
        self.pid = 0


def _serve(module: str, function: str, prepare: str, job_in: int, result_out: int) -> NoReturn:
    """The child: prepare, wait for the argument (EOF if the parent ends first), answer, and exit
    without running the parent's exit handlers or flushing its buffers a second time."""
    code = 1
    try:
        functions = importlib.import_module(module)
        getattr(functions, prepare)()
        with os.fdopen(job_in, "rb") as job:
            arg = pickle.load(job)
        with os.fdopen(result_out, "wb") as result:
            pickle.dump(getattr(functions, function)(arg), result, pickle.HIGHEST_PROTOCOL)
        code = 0
    finally:
        os._exit(code)


def page_renderer() -> Prestarted:
    """The pages of `index` (render.pages), their process forked now."""
    return Prestarted("packager.site.render", "pages", "load_templates")
