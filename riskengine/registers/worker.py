"""A register file read in a worker process while this process writes: both cores busy.

``ahead(produce, result, depth)`` forks a process that runs ``produce()`` (JSON lines to
row batches: inherited by the fork, never pickled) and sends each item down a queue of at
most ``depth`` items (bounded memory: the reader waits while the writer is behind), then
``result()`` (what the reader counted and noted). This process yields the items in order.
An ``InputError`` in the worker (a broken line) is raised here with the same file, line
and message, as is any other failure (``WorkerError``), so the caller's transaction rolls
back exactly as when reading in this process. The worker ends when its parent does (a
thread of it checks), and is killed when the parent stops reading early.
"""

from __future__ import annotations

import multiprocessing
import os
import queue as queues
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from riskengine.errors import InputError, RiskEngineError

T = TypeVar("T")
R = TypeVar("R")
POLL = 1.0  # seconds between checks that the other process is still there
_ITEM, _DONE, _BAD, _FAILED = range(4)


class WorkerError(RiskEngineError):
    """The reader process failed (not on a bad record) or ended without its result."""


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def ahead(produce: Callable[[], Iterator[T]], result: Callable[[], R], depth: int,
          done: Callable[[R], None]) -> Iterator[T]:
    """The items of ``produce()`` made in a forked worker, at most ``depth`` waiting;
    ``done(result())`` (the worker's result) once they are all given."""
    context = multiprocessing.get_context("fork")
    channel: Any = context.Queue(maxsize=max(1, depth))
    child = context.Process(target=_work, args=(produce, result, channel, os.getpid()),
                            name="riskengine-reader", daemon=True)
    child.start()
    try:
        yield from _receive(channel, child, done)
        child.join()
    finally:
        if child.is_alive():
            child.kill()
            child.join()
        channel.close()


def _receive(channel: Any, child: Any, done: Callable[[Any], None]) -> Iterator[Any]:
    while True:
        kind, value = _get(channel, child)
        if kind == _ITEM:
            yield value
        elif kind == _DONE:
            done(value)
            return
        elif kind == _BAD:
            raise InputError(*value)
        else:
            raise WorkerError(f"reading the file failed in the reader process: {value}")


def _get(channel: Any, child: Any) -> tuple[int, Any]:
    while True:
        try:
            found: tuple[int, Any] = channel.get(timeout=POLL)
            return found
        except queues.Empty:
            if child.is_alive():
                continue
        try:  # it ended: what it sent last may still be on its way
            found = channel.get(timeout=POLL)
            return found
        except queues.Empty:
            raise WorkerError(f"the reader process ended (exit code {child.exitcode}) "
                              f"before the end of the file") from None


def _work(produce: Callable[[], Iterator[Any]], result: Callable[[], Any], channel: Any,
          parent: int) -> None:
    """The worker: every item, then the result, or what went wrong."""
    threading.Thread(target=_orphaned, args=(parent,), daemon=True).start()
    try:
        for item in produce():
            channel.put((_ITEM, item))
        channel.put((_DONE, result()))
    except InputError as exc:
        channel.put((_BAD, (exc.location, exc.message)))
    except Exception as exc:  # every failure goes to the parent
        last = traceback.format_exception_only(exc)[-1].strip()
        channel.put((_FAILED, last))
    channel.close()
    channel.join_thread()


def _orphaned(parent: int) -> None:
    """Ends the worker once its parent is gone (killed): nobody reads what it sends."""
    while os.getppid() == parent:
        time.sleep(POLL)
    os._exit(1)
