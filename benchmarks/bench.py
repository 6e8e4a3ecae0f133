"""fsnb benchmarks (make bench). Prints a table and ends with `ratio runbook/manual: <x>`.

(a) the whole runbook in-process against the Docker lab vs. the analysis' manual procedure as a script
    (docker exec … fs_cli -x status, … sofia profile internal start, … netstat -tulpn, the curl), same run, medians;
(b) a dead and a tarpit target: wall time vs. the configured timeout;
(c) 1, 10 and 50 lab targets concurrently.
Only loopback is used. Labs it starts are stopped at the end.
"""
from __future__ import annotations

import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("FSNB_LAB_DIR", tempfile.mkdtemp(prefix="fsnb-bench-"))

from fsnb import target as tgt          # noqa: E402
from fsnb.fleet import run_fleet         # noqa: E402
from fsnb.lab import engine, manager     # noqa: E402
from fsnb.runbook import run             # noqa: E402

REPEAT = int(os.environ.get("FSNB_BENCH_REPEAT", "7"))
BASE = 5000


def median_time(fn, n=REPEAT) -> float:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def manual_script(lab, docker_host: str) -> None:
    env = {**os.environ, "DOCKER_HOST": docker_host}
    c = "aidevelo-freeswitch"
    for cmd in ([ "docker", "exec", c, "fs_cli", "-x", "status"], ["docker", "exec", c, "fs_cli", "-x", "sofia profile internal start"],
                ["docker", "exec", c, "netstat", "-tulpn"],
                ["curl", "-s", "-m", "3", "-o", "/dev/null", "-H", "Upgrade: websocket", "-H", "Connection: Upgrade",
                 f"http://localhost:{lab.ports['wss']}/"]):
        subprocess.run(cmd, env=env, capture_output=True, timeout=10)


def tarpit() -> tuple[socket.socket, int]:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(64)   # accepts (kernel backlog) and never answers
    return s, s.getsockname()[1]


def synthetic_target(esl: int, ws: int, wss: int, timeout: float) -> tgt.Target:
    t = tgt.Target(name=f"synthetic {esl}")
    t.freeswitch.container, t.freeswitch.access = "", "local"
    t.freeswitch.esl_port, t.freeswitch.ws_port, t.freeswitch.wss_port = esl, ws, wss
    t.freeswitch.esl_password = tgt.Secret("env:FSNB_BENCH_PW")
    t.freeswitch.conf_dir = t.freeswitch.log_file = "/nonexistent"
    t.nginx.address, t.nginx.config = f"127.0.0.1:{ws}", "/nonexistent"
    t.tunnel.config, t.tunnel.public_url = "/nonexistent", f"wss://127.0.0.1:{wss}/"
    t.timeouts.check = timeout
    return t


def main() -> int:
    os.environ["FSNB_BENCH_PW"] = "bench"
    rows = []
    engine_root = Path(os.environ["FSNB_LAB_DIR"]) / "docker"
    docker_host = engine.ensure(engine_root)
    os.environ["DOCKER_HOST"] = docker_host
    try:
        lab = manager.up("healthy", docker=True, offset=BASE)
        t = tgt.load(lab.target)
        run(t)  # warm up
        rb = median_time(lambda: run(t))
        have_curl = shutil.which("curl") is not None
        manual = median_time(lambda: manual_script(lab, docker_host))
        rows += [("(a) runbook, docker lab, in-process (15 checks)", rb, ""),
                 ("(a) manual procedure as a script (4 commands" + ("" if have_curl else ", no curl") + ")", manual, "")]
        manager.down(BASE)

        timeout = 2.0
        dead = synthetic_target(1, 2, 3, timeout)
        rows.append(("(b) dead target (nothing listens)", median_time(lambda: run(dead), 3), f"timeout {timeout}s"))
        s1, p1 = tarpit()
        s2, p2 = tarpit()
        s3, p3 = tarpit()
        pit = synthetic_target(p1, p2, p3, timeout)
        rows.append(("(b) tarpit target (accepts, never answers)", median_time(lambda: run(pit), 3), f"timeout {timeout}s"))
        for s in (s1, s2, s3):
            s.close()

        targets = []
        for i in range(50):
            info = manager.up("healthy", offset=BASE + 100 + i * 10)
            targets.append(tgt.load(info.target))
        for n in (1, 10, 50):
            rows.append((f"(c) {n} lab targets concurrently", median_time(lambda: run_fleet(targets[:n]), 3), ""))
    finally:
        manager.down(None)
        engine.stop(engine_root)     # only if we started it (it records its own pid)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}")
    print(f"{'benchmark':<58} {'median s':>9}  note")
    for name, secs, note in rows:
        print(f"{name:<58} {secs:>9.3f}  {note}")
    print(f"ratio runbook/manual: {rb / manual:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
