"""Blocking calls (files, the Docker API) run in one process-wide thread pool.

asyncio's default pool is per event loop and sized cpu+4: a fleet would queue behind it, and every run would start
its threads anew (each start makes the loop wait for the thread). This pool lives as long as the process.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import functools

POOL = concurrent.futures.ThreadPoolExecutor(max_workers=64, thread_name_prefix="fsnb-io")


async def to_thread(fn, /, *args, **kwargs):
    """Like asyncio.to_thread, in the shared pool."""
    call = functools.partial(contextvars.copy_context().run, fn, *args, **kwargs)
    return await asyncio.get_running_loop().run_in_executor(POOL, call)
