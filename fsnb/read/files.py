"""Reading local files the way a runbook must: never blocking, never unbounded.

A FIFO or a device named as a config, log or secret file would block open() or read() forever (and a thread
stuck there keeps the process from exiting). Files are opened non-blocking and only regular files are read.
"""
from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

MAX_FILE = 4 * 1024 * 1024


class NotRegular(OSError):
    """The path exists but is not a regular file (FIFO, socket, device, directory)."""


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISDIR, "a directory")):
        if test(mode):
            return name
    return "not a regular file"


def read_bytes(path: str | Path, tail: int | None = None, limit: int = MAX_FILE, dir_fd: int | None = None) -> bytes:
    """A regular file's bytes: the last `tail` bytes, or all of it up to `limit` (larger: OSError EFBIG).
    With `dir_fd`, `path` is one name in that directory and a symlink there is refused (ELOOP)."""
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0)
    if dir_fd is not None:
        flags |= os.O_NOFOLLOW
    fd = os.open(os.fspath(path), flags, dir_fd=dir_fd)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotRegular(0, f"is {_kind(st.st_mode)}, not a regular file", str(path))
        if tail and st.st_size > tail:
            os.lseek(fd, st.st_size - tail, os.SEEK_SET)
        elif st.st_size > limit:
            raise OSError(errno.EFBIG, f"{st.st_size} bytes is larger than the {limit} bytes fsnb reads", str(path))
        chunks, left = [], (tail or limit)
        while left > 0:
            b = os.read(fd, min(left, 1 << 20))
            if not b:
                break
            chunks.append(b)
            left -= len(b)
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_text(path: str | Path, tail: int | None = None, limit: int = MAX_FILE, dir_fd: int | None = None) -> str:
    return read_bytes(path, tail, limit, dir_fd).decode("utf-8", errors="replace")


async def off_loop(fn, *args, timeout: float, what: str = "parsing"):
    """fn(*args) in the shared thread pool under a deadline: a parser of a target file never blocks the event
    loop (the other checks), and a slow one ends as CheckTimeout (its thread finishes on its own, bounded by the
    parser's size caps)."""
    import asyncio

    from fsnb import blocking
    from fsnb.errors import CheckTimeout
    try:
        return await asyncio.wait_for(blocking.to_thread(fn, *args), timeout)
    except asyncio.TimeoutError:
        raise CheckTimeout(f"{what} did not finish within {timeout:.1f}s") from None


def run_capped(argv: list[str], *, env: dict, timeout: float, cap: int, cwd: str | None = None,
               merge_stderr: bool = False, stop_over_cap: bool = False) -> tuple[int | None, bytes, bool]:
    """(exit code, the first `cap` bytes of its output, whether there was more) of a program fsnb asks. The output
    is read as it comes — subprocess.run holds all of it, and a program that echoes a target's file can print
    gigabytes — and the rest is read and dropped, or (`stop_over_cap`) the program is killed at the cap (exit code
    None). subprocess.TimeoutExpired past `timeout`; the program never outlives the call."""
    import selectors
    import subprocess
    import time
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT if merge_stderr else subprocess.DEVNULL, env=env, cwd=cwd)
    kept, size, end = bytearray(), 0, time.monotonic() + timeout
    try:
        with selectors.DefaultSelector() as sel:
            sel.register(p.stdout, selectors.EVENT_READ)
            while True:
                left = end - time.monotonic()
                if left <= 0 or not sel.select(left):
                    raise subprocess.TimeoutExpired(p.args, timeout)
                b = os.read(p.stdout.fileno(), 1 << 16)
                if not b:
                    break
                size += len(b)
                kept += b[:max(0, cap - len(kept))]
                if size > cap and stop_over_cap:
                    return None, bytes(kept), True
        return p.wait(max(0.0, end - time.monotonic())), bytes(kept), size > cap
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        p.stdout.close()
