"""A thread pool that starts the most urgent call first (ThreadPoolExecutor keeps the order of
submission), so the longest builds and the largest downloads do not end last; with a budget of
cores, each call holds one of them while it runs, taken before the call is chosen, so the most
urgent call queued when a core frees is the one that gets it."""

from __future__ import annotations

import heapq
import itertools
import threading
from collections.abc import Callable
from concurrent.futures import Future
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from typing_extensions import Self

    from .cores import Cores

T = TypeVar("T")
A = TypeVar("A")
Urgency = tuple[float, ...]  # smaller runs sooner


def _pass_on(source: Future[T], dest: Future[T]) -> None:
    if source.cancelled():
        dest.cancel()
    elif source.exception() is not None:
        dest.set_exception(source.exception())
    else:
        dest.set_result(source.result())


class PriorityPool:
    def __init__(self, workers: int, cores: Cores | None = None) -> None:
        self._cores = cores
        self._queue: list[tuple[Urgency, int, Future[Any], Callable[[], Any]]] = []
        self._ready = threading.Condition()
        self._order = itertools.count()  # equal urgencies run in the order they came
        self._closed = False
        self._threads = [threading.Thread(target=self._work, daemon=True)
                         for _ in range(max(1, workers))]
        for thread in self._threads:
            thread.start()

    def submit(self, urgency: Urgency, call: Callable[[], T]) -> Future[T]:
        future: Future[T] = Future()
        with self._ready:
            if self._closed:
                raise RuntimeError("the pool is shut down")
            heapq.heappush(self._queue, (urgency, next(self._order), future, call))
            self._ready.notify()
        return future

    def after(self, first: Future[A], urgency: Callable[[A], Urgency],
              call: Callable[[A], T]) -> Future[T]:
        """`call(result of first)`, queued with `urgency(result of first)` as soon as `first` is
        done; a failure or cancellation of `first` passes on to the returned future."""
        out: Future[T] = Future()

        def queue(done: Future[A]) -> None:
            if done.cancelled():
                out.cancel()
                return
            error = done.exception()
            if error is not None:
                out.set_exception(error)
                return
            try:
                inner = self.submit(urgency(done.result()), lambda: call(done.result()))
            except Exception as exc:  # noqa: BLE001  # shut down, or urgency failed: the waiter hears
                out.set_exception(exc)
                return
            inner.add_done_callback(lambda finished: _pass_on(finished, out))

        first.add_done_callback(queue)
        return out

    def _work(self) -> None:
        while True:
            with self._ready:
                while not self._queue and not self._closed:
                    self._ready.wait()
                if not self._queue:
                    return
            if self._cores:
                self._cores.take()
            try:
                self._run_next()
            finally:
                if self._cores:
                    self._cores.give()

    def _run_next(self) -> None:
        """The most urgent call, if another thread did not take the last one meanwhile."""
        with self._ready:
            if not self._queue:
                return
            _, _, future, call = heapq.heappop(self._queue)
        if not future.set_running_or_notify_cancel():
            return
        try:
            result = call()
        except BaseException as exc:  # noqa: BLE001  # the future carries it to the waiter
            future.set_exception(exc)
        else:
            future.set_result(result)

    def shutdown(self, cancel: bool = False) -> None:
        """Wait for the running calls; with `cancel`, drop the queued ones."""
        with self._ready:
            self._closed = True
            if cancel:
                for _, _, future, _ in self._queue:
                    future.cancel()
                self._queue.clear()
            self._ready.notify_all()
        for thread in self._threads:
            thread.join()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.shutdown(cancel=kind is not None)
