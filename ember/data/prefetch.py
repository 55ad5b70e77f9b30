"""A background thread that keeps a few batches ready ahead of the training loop.

NumPy releases the GIL in copies, fancy indexing and arithmetic, so loading
and transforming the next batches overlaps with the model's step.
"""
from __future__ import annotations

import queue
import threading
from typing import Iterator

_BATCH, _END, _ERROR = range(3)


class Prefetcher:
    """Iterate ``batches`` in a daemon thread, at most ``depth`` batches ahead.

    Errors in the thread are re-raised by ``next()``; closing (or dropping)
    the iterator stops the thread.
    """

    def __init__(self, batches: Iterator, depth: int):
        self._queue: queue.Queue = queue.Queue(maxsize=max(1, depth))
        self._stop = threading.Event()
        # the thread gets the queue and the event, not ``self``: a dropped iterator can then be
        # garbage-collected, and its __del__ stops the thread
        self._thread = threading.Thread(target=_produce, args=(batches, self._queue, self._stop),
                                        daemon=True, name="ember-data-prefetch")
        self._thread.start()

    def __iter__(self) -> "Prefetcher":
        return self

    def __next__(self):
        if self._stop.is_set():
            raise StopIteration
        kind, value = self._queue.get()
        if kind == _BATCH:
            return value
        self.close()
        if kind == _ERROR:
            raise value
        raise StopIteration

    def close(self) -> None:
        self._stop.set()
        if self._thread is not threading.current_thread():
            self._thread.join()

    def __del__(self):
        self._stop.set()


def _produce(batches: Iterator, channel: queue.Queue, stop: threading.Event) -> None:
    try:
        for batch in batches:
            if not _put(channel, stop, (_BATCH, batch)):
                return
        _put(channel, stop, (_END, None))
    except BaseException as error:  # handed to the consumer, who raises it
        _put(channel, stop, (_ERROR, error))


def _put(channel: queue.Queue, stop: threading.Event, item) -> bool:
    while not stop.is_set():
        try:
            channel.put(item, timeout=0.05)
            return True
        except queue.Full:
            continue
    return False
