"""Every scenario that can exist on a real FreeSWITCH, made the real way (`fsnb lab up --real`), through
`fsnb run --format json`: the scenario's cause first and its exit code, as on the simulator. And for each one:
FreeSWITCH never leaves the loopback (every socket of its process, no multicast group)."""
from __future__ import annotations

import json
import time

import pytest
import realfs
from conftest import fsnb_cli

from fsnb.lab import manager, scenarios

OFF = realfs.REAL_OFFSET
# issue #18's scenarios run in tests/test_real_docker_view.py (offsets of their own; a wildcard ESL socket there is
# judged against a namespace that has only lo)
OWN_MODULE = {"docker-own-netns", "docker-own-netns-published", "docker-own-netns-wildcard", "esl-password-symbols",
              "no-ws-port", "nginx-tls-to-plain-variable", "nginx-http-to-tls-variable", "esl-other-address",
              "wss-pem-in-other-dir", "profile-bare-ampersand", "profile-xml-broken",
              "nginx-other-default-server"}
REAL = [s.name for s in scenarios.SCENARIOS if s.real and s.name not in OWN_MODULE]
PENDING_CAUSES = scenarios.PENDING_CAUSES   # their scenarios xfail until the diagnosis knows them


@pytest.fixture(scope="module")
def real_lab():
    yield from realfs.module_lab((OFF,))


@pytest.mark.docker
@pytest.mark.real
def test_status_names_the_real_freeswitch_and_fs_cli_works_in_the_container(real_lab):
    st = realfs.up("healthy", OFF)
    p = fsnb_cli("lab", "status")
    assert p.returncode in (0, 1)   # another lab of this session may be down
    block = next(b for b in p.stdout.split("\n\n") if f"port offset {OFF}" in b)
    assert "(real, port offset" in block and "FreeSWITCH    real FreeSWITCH 1.11" in block, block
    c = realfs.container(st)
    assert c.name == "aidevelo-freeswitch" and c.attrs["HostConfig"]["NetworkMode"] == "host"
    assert c.attrs["Config"]["Cmd"][:4] == ["freeswitch", "-nc", "-nf", "-nonat"]
    r = c.exec_run(["fs_cli", "-x", "status"], demux=True)
    assert r.exit_code == 0 and r.output[0].decode().startswith("UP 0 years"), r
    r = c.exec_run(["fs_cli", "-x", "global_getvar certs_dir"], demux=True)
    assert r.output[0].decode().strip() == st["real"]["dirs"] + "/etc/freeswitch/tls"
    r = c.exec_run(["fs_cli", "-p", "wrong", "-x", "status"], demux=True)
    assert r.exit_code == 255 and b"Error Connecting []" in r.output[1]
    binds = c.attrs["HostConfig"]["Binds"]
    assert any(b.endswith(":/usr:ro") for b in binds) and any(st["real"]["prefix"] + ":ro" in b for b in binds)
    # the image keeps nothing under /usr (the host's /usr is mounted there)
    assert c.exec_run(["/bin/busybox", "ls", "/bin/busybox"]).exit_code == 0


@pytest.mark.lab
@pytest.mark.docker
@pytest.mark.real
def test_a_simulator_docker_lab_never_removes_the_real_container(real_lab):
    st = realfs.up("healthy", OFF)
    p = fsnb_cli("lab", "up", "--docker", "--scenario", "healthy", "--port-offset", str(OFF + 120), timeout=120)
    assert p.returncode == 2 and "of the real lab" in p.stderr, p.stderr
    assert realfs.container(st).status == "running"


def _run(target: str):
    p = fsnb_cli("run", "--target", target, "--format", "json", timeout=90)
    try:
        return json.loads(p.stdout), p
    except ValueError:
        pytest.fail(f"fsnb run gave no JSON (exit {p.returncode}): {p.stderr[-2000:]}")


def _failed(out: dict) -> dict[str, str]:
    return {r["id"]: r["summary_en"] or r["summary"] for r in out["results"] if r["status"] in ("fail", "error")}


def _register_unanswered_only(out: dict, failed: dict) -> bool:
    """The public hop failed only because REGISTER got no answer, and nothing else failed that the scenario's
    cause would not explain either (the one failure the run's unexplained finding names)."""
    public = next((r for r in out["results"] if r["id"] == "schritt4.public"), None)
    unexplained = [d for d in out["diagnosis"] if d["cause"] == "unexplained-failure"]
    return bool(public and public["observed"].get("register_unanswered") and unexplained
                and unexplained[0]["explains"] == ["schritt4.public"])


@pytest.mark.docker
@pytest.mark.real
@pytest.mark.parametrize("name", REAL)
def test_real_scenario(name, real_lab):
    sc = scenarios.get(name)
    groups = realfs.multicast_groups()
    st = realfs.up(name, OFF)
    assert st["mode"] == "real"
    target = str(manager.lab_dir(OFF) / "target.toml")
    out, p = _run(target)
    failed = _failed(out)
    if sc.cause != "unexplained-failure" and _register_unanswered_only(out, failed):
        # seen twice in a day, seconds after a fresh start, never reproduced on demand (README "REGISTER unanswered"):
        # the real FreeSWITCH left one REGISTER through the public hop unanswered. fsnb reports it correctly (as
        # unexplained); the scenario is about something else, so it is judged on a second run, once, and said
        print(f"{name}: REGISTER unanswered on the first run ({failed['schritt4.public']}); judged on a second run")
        time.sleep(2)
        out, p = _run(target)
        failed = _failed(out)
    causes = [d["cause"] for d in out["diagnosis"]]
    # never off the loopback, in every scenario (checked after the profile settled: no start-up probes left)
    realfs.assert_loopback_only(realfs.fs_pid(st), groups)
    assert 'access = "docker"' in open(target).read()   # through the container, as in the analysis' deployment
    if sc.cause in PENDING_CAUSES and (not causes or causes[0] != sc.cause):
        pytest.xfail(f"cause {sc.cause!r} is not known to the diagnosis yet (got {causes})")
    assert p.returncode == sc.exit, (p.returncode, causes, p.stderr[-2000:])
    if sc.cause is None:
        assert causes == [] and all(r["status"] == "pass" for r in out["results"]), causes
    else:
        assert causes and causes[0] == sc.cause, (causes, failed)


@pytest.mark.lab
def test_loopback_check_can_fail():
    """The socket inspection flags a socket bound beyond the loopback (no FreeSWITCH needed, nothing is sent)."""
    import subprocess
    import sys
    code = ("import socket,sys,time\n"
            "l=socket.socket(); l.bind(('127.0.0.1',0)); l.listen()\n"
            "u=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"
            "u.bind(('0.0.0.0',0)) if sys.argv[1]=='wide' else u.bind(('127.0.0.1',0))\n"
            "n=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"   # never bound: cannot have sent
            "print('ready',flush=True); time.sleep(30)\n")
    for mode, ok in (("wide", False), ("narrow", True)):
        p = subprocess.Popen([sys.executable, "-c", code, mode], stdout=subprocess.PIPE, text=True)
        try:
            assert p.stdout.readline().strip() == "ready"
            socks = realfs.process_sockets(p.pid)
            assert {s["type"] for s in socks} >= {"SOCK_STREAM", "SOCK_DGRAM"}
            if ok:
                realfs.assert_loopback_only(p.pid, realfs.multicast_groups())
            else:
                with pytest.raises(AssertionError, match="off the loopback"):
                    realfs.assert_loopback_only(p.pid, realfs.multicast_groups())
        finally:
            p.kill()
            p.wait()
