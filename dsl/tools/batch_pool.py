"""Worker processes for `run --jobs N`: chunks out in turn, answers back in input order, Ctrl-C and a killed parent handled."""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import Connection
from typing import Any

IN_FLIGHT_PER_WORKER = 2  # chunks sent ahead to each worker: keeps it busy while memory stays flat


class WorkerFailed(Exception):
    """A worker died or raised: the run cannot be completed (a crash, not a bad row)."""


def _serve(connection: Connection, inherited: list[Connection], start: Callable[[], Callable[[Any], Any]]) -> None:
    """A worker's life: evaluate chunks until told to stop or until the parent is gone, quietly either way."""
    # The parent alone answers Ctrl-C: it stops the workers. A worker that took SIGINT itself would print a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    for other in inherited:  # the parent's ends of the pipes, inherited by fork: closed, so a dead parent reads as EOF
        other.close()
    try:
        process = start()
    except BaseException as exc:
        with contextlib.suppress(OSError):
            connection.send(("failed", f"{type(exc).__name__}: {exc}"))
        return
    while True:
        try:
            chunk = connection.recv()
        except (EOFError, OSError):  # the parent is gone (killed): nothing to answer to
            return
        if chunk is None:
            return
        try:
            answer: tuple[str, Any] = ("ok", process(chunk))
        except Exception as exc:
            answer = ("failed", f"{type(exc).__name__}: {exc}")
        try:
            connection.send(answer)
        except OSError:  # BrokenPipe: the parent is gone
            return


class WorkerPool:
    """N processes, one pipe each; chunk i goes to worker i mod N, so reading answers in turn keeps the input order."""

    def __init__(self, jobs: int, start: Callable[[], Callable[[Any], Any]]) -> None:
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        context = multiprocessing.get_context(method)
        self.workers: list[tuple[multiprocessing.process.BaseProcess, Connection]] = []
        # SIGINT is blocked while forking, so a Ctrl-C cannot reach a worker before it ignores it.
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            for _ in range(jobs):
                parent_end, child_end = context.Pipe()
                inherited = [end for _, end in self.workers] + [parent_end]
                worker = context.Process(target=_serve, args=(child_end, inherited if method == "fork" else [], start), daemon=True)
                worker.start()
                child_end.close()
                self.workers.append((worker, parent_end))
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})

    def _answer(self, connection: Connection) -> Any:
        try:
            status, value = connection.recv()
        except (EOFError, OSError):
            raise WorkerFailed("a worker process ended without answering (killed, or out of memory)") from None
        if status != "ok":
            raise WorkerFailed(f"a worker process failed: {value}")
        return value

    def map(self, chunks: Iterable[tuple[Any, Any]]) -> Iterator[tuple[Any, Any]]:
        """(chunk, extra) -> (answer, extra), in input order, at most IN_FLIGHT_PER_WORKER chunks ahead per worker."""
        in_flight: deque[tuple[Connection, Any]] = deque()
        count = len(self.workers)
        for index, (chunk, extra) in enumerate(chunks):
            connection = self.workers[index % count][1]
            connection.send(chunk)
            in_flight.append((connection, extra))
            if len(in_flight) >= IN_FLIGHT_PER_WORKER * count:
                connection, extra = in_flight.popleft()
                yield self._answer(connection), extra
        while in_flight:
            connection, extra = in_flight.popleft()
            yield self._answer(connection), extra

    def close(self) -> None:
        """Tell every worker to stop, and wait for them."""
        for _, connection in self.workers:
            with contextlib.suppress(OSError):
                connection.send(None)
        for worker, connection in self.workers:
            worker.join(5)
            connection.close()
        self.workers = []

    def kill(self) -> None:
        """Stop every worker at once (Ctrl-C, an error): nothing they hold is wanted any more."""
        for worker, _ in self.workers:
            with contextlib.suppress(OSError):
                worker.kill()
        for worker, connection in self.workers:
            worker.join(1)
            connection.close()
        self.workers = []
