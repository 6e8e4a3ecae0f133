"""Fleet runs: many targets in one run, bounded so that a big fleet cannot exhaust the descriptor limit."""
from __future__ import annotations

import json
import os
import resource
import subprocess
import sys

import hostile
import pytest

from fsnb import target
from fsnb.present import fleet


def _toml(tmp_path, i: int, esl: int = 1, ws: int = 2, wss: int = 3) -> str:
    return hostile.target_toml(tmp_path, esl, ws, wss, env="FSNB_T_FLEET_PW", check=1.0, name=f"dead-{i}")


def _dead(tmp_path, i: int) -> target.Target:
    os.environ["FSNB_T_FLEET_PW"] = "fleet-pw"
    return target.loads(_toml(tmp_path, i))


@pytest.mark.unit
def test_fleet_checks_at_most_parallel_targets_at_once(tmp_path, monkeypatch):
    real, now, peak = fleet.run_async, 0, 0

    async def counted(*a, **kw):
        nonlocal now, peak
        now += 1
        peak = max(peak, now)
        try:
            return await real(*a, **kw)
        finally:
            now -= 1
    monkeypatch.setattr(fleet, "run_async", counted)
    runs = fleet.run_fleet([_dead(tmp_path, i) for i in range(6)], parallel=2)
    assert peak == 2
    assert [r.target.name for r in runs] == [f"dead-{i}" for i in range(6)]     # one row per target, in order
    assert all(r.exit_code == 1 and "freeswitch-down" in [f.cause for f in r.findings] for r in runs)


@pytest.mark.lab
def test_fleet_cli_under_a_low_descriptor_limit(tmp_path):
    """With `ulimit -n 160` and tarpits that hold every connection open until the timeout, the CLI narrows
    --parallel to what the limit allows instead of failing targets with 'Too many open files'."""
    import socket
    pits = []
    for _ in range(3):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        s.listen(512)             # the kernel completes handshakes; nobody ever answers
        pits.append(s)
    esl, ws, wss = (s.getsockname()[1] for s in pits)
    files = []
    for i in range(24):
        f = tmp_path / f"t{i}.toml"
        f.write_text(_toml(tmp_path, i, esl, ws, wss))
        files.append(f)
    lst = tmp_path / "targets.txt"
    lst.write_text("\n".join(map(str, files)))

    def low():
        resource.setrlimit(resource.RLIMIT_NOFILE, (160, 160))
    p = subprocess.run([sys.executable, "-m", "fsnb", "run", "--targets", str(lst), "--parallel", "64", "--format", "json"],
                       capture_output=True, text=True, timeout=120, preexec_fn=low,
                       env={**os.environ, "FSNB_T_FLEET_PW": "fleet-pw"})
    assert p.returncode == 1, p.stderr
    out = json.loads(p.stdout)
    assert [t["target"] for t in out["targets"]] == [f"dead-{i}" for i in range(24)]
    assert all(t["exit"] == 1 and t["diagnosis"][0]["cause"] for t in out["targets"])
    assert "Too many open files" not in p.stdout + p.stderr
    for s in pits:
        s.close()


@pytest.mark.unit
def test_raise_fd_limit_goes_up_to_the_hard_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = soft + 16 if hard == resource.RLIM_INFINITY else min(soft + 16, hard)
    assert fleet.raise_fd_limit(want) >= want
    assert resource.getrlimit(resource.RLIMIT_NOFILE)[0] >= want
