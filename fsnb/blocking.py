"""Blocking calls (files, the Docker API, python-ESL) run in one process-wide thread pool.

asyncio's default pool is per event loop and sized cpu+4: a fleet would queue behind it, and every run would start
its threads anew (each start makes the loop wait for the thread). This pool lives as long as the process.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import functools
import os
import sys
import threading

POOL = concurrent.futures.ThreadPoolExecutor(max_workers=64, thread_name_prefix="fsnb-io")
_busy = 0
_busy_lock = threading.Lock()


def counted(fn):
    def run():
        global _busy
        with _busy_lock:
            _busy += 1
        try:
            return fn()
        finally:
            with _busy_lock:
                _busy -= 1
    return run


def submit(loop: asyncio.AbstractEventLoop, fn) -> asyncio.Future:
    """fn() in the pool, as an asyncio future of `loop`."""
    return loop.run_in_executor(POOL, counted(fn))


async def to_thread(fn, /, *args, **kwargs):
    """Like asyncio.to_thread, in the shared pool."""
    call = functools.partial(contextvars.copy_context().run, fn, *args, **kwargs)
    return await submit(asyncio.get_running_loop(), call)


def busy() -> int:
    """Calls still running in the pool (e.g. one a deadline gave up on)."""
    return _busy


def exit_if_stuck(code: int) -> None:
    """End the process now if a pool thread is still blocked in a call its deadline abandoned (a file opened by a
    library, a peer that never answers): Python would otherwise wait for that thread at exit, forever. Results
    are already printed and the journal is fsynced per result."""
    if busy():
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
