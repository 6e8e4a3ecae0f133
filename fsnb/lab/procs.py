"""Processes the lab starts: started in their own session, recorded, and stopped by pid only if still ours."""
from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path


def start(argv: list[str], log: Path, env: dict | None = None, cwd: Path | None = None) -> dict:
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as fh:
        p = subprocess.Popen(argv, stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                             start_new_session=True, env={**os.environ, **(env or {})}, cwd=cwd)
    return {"pid": p.pid, "argv": argv, "started": _start_time(p.pid)}


def _start_time(pid: int) -> str | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def alive(rec: dict) -> bool:
    """True only for the very process we started (same pid *and* start time)."""
    return rec.get("pid") is not None and _start_time(rec["pid"]) == rec.get("started") and rec.get("started") is not None


def stop(rec: dict, timeout: float = 5.0) -> None:
    if not alive(rec):
        return
    pid = rec["pid"]
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if not alive(rec):
            _reap(pid)
            return
        _reap(pid)
        time.sleep(0.05)
    if alive(rec):
        os.kill(pid, signal.SIGKILL)
    _reap(pid)


def _reap(pid: int) -> None:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def busy_ports(ports) -> list[int]:
    """The ports of `ports` something already listens on at 127.0.0.1 (a bind test, as the program would do it:
    SO_REUSEADDR, so a port in TIME_WAIT counts as free)."""
    import socket
    busy = []
    for port in ports:
        with socket.socket() as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                busy.append(port)
    return busy
