"""Helpers for the tests against the real FreeSWITCH (tests/test_real_*.py).

The real FreeSWITCH is built by tools/build-freeswitch from ../shared/vendor/freeswitch. Without those sources the
real tests skip with a message naming what is missing — except in CI (`CI` set), where they fail: CI must never
pass without having run them. Real labs use port offsets 1530–1650 (the simulator tests use FreeSWITCH's own
ports; the other labs take theirs from conftest.PortOffsets, which reserves these and skips any offset whose ports
collide with them: labs whose offsets differ by 1000 would, wss 7443 + 1000 = edge 8443), hence the odd hundreds.
"""
from __future__ import annotations

import ipaddress
import json
import os
import subprocess
import time
from pathlib import Path

import pytest
from conftest import env_set, fsnb_cli

REPO = Path(__file__).resolve().parents[1]
REAL_OFFSET = 1530         # scenario suite
FIDELITY_REAL = 1550       # fidelity: the real lab ...
FIDELITY_SIM = 1570        # ... and the simulator lab beside it
IMAGE_OFFSET = 1590
EXPLORE_OFFSET = 1610


def _missing_or_fail(what: str):
    if os.environ.get("CI"):
        pytest.fail(f"real FreeSWITCH needed in CI: {what}")
    pytest.skip(f"real FreeSWITCH unavailable: {what}")


def real_prefix() -> Path:
    """The built prefix; builds it when the sources are there (tools/build-freeswitch is idempotent)."""
    src = Path(os.environ.get("FSNB_FS_SOURCES", REPO.parent / "shared/vendor/freeswitch"))
    tarballs = sorted(src.glob("freeswitch-*.tar.xz")) if src.is_dir() else []
    if not tarballs:
        _missing_or_fail(f"no FreeSWITCH source tarballs in {src} (set FSNB_FS_SOURCES to the folder with "
                         "freeswitch-*.tar.xz, sofia-sip-*, spandsp-*, libks-*)")
    env = {**os.environ, "FSNB_FS_SOURCES": str(src)}
    if subprocess.run([str(REPO / "tools/build-freeswitch"), "--check"], env=env, timeout=60).returncode != 0:
        p = subprocess.run([str(REPO / "tools/build-freeswitch")], env=env, capture_output=True, text=True, timeout=3600)
        if p.returncode != 0:
            pytest.fail(f"tools/build-freeswitch failed:\n{p.stderr[-3000:]}")
    p = subprocess.run([str(REPO / "tools/build-freeswitch"), "--print-prefix"], env=env, capture_output=True,
                       text=True, timeout=60)
    os.environ["FSNB_FS_SOURCES"] = str(src)
    return Path(p.stdout.strip().splitlines()[-1])


_engine: dict = {}


def engine() -> str:
    """This test session's own private dockerd (not the simulator tests' /tmp/fsnb-test-docker, which another
    session may stop under us), started once and stopped when the session's process exits."""
    if "host" not in _engine:
        import atexit
        import shutil
        import tempfile

        from fsnb.lab import dockerd as eng
        root = Path(tempfile.mkdtemp(prefix="fsnb-real-docker-", dir="/tmp"))
        try:
            _engine["host"] = eng.ensure(root, prefer_existing=False)
        except Exception as exc:
            pytest.fail(f"Docker engine needed for the real FreeSWITCH could not be started: {exc}")

        def stop():
            from fsnb.lab import manager
            for off in (REAL_OFFSET, FIDELITY_REAL, IMAGE_OFFSET, EXPLORE_OFFSET):
                try:
                    manager.down(off)
                except Exception:
                    pass
            eng.stop(root)
            netns = root / "exec/netns/default"     # dockerd leaves its netns bind mount behind
            if os.path.ismount(netns):
                subprocess.run(["umount", str(netns)], capture_output=True, timeout=30)
            shutil.rmtree(root, ignore_errors=True)
        atexit.register(stop)
    return _engine["host"]


def module_lab(offsets: tuple[int, ...]):
    """For a module's fixture: the real build (skip/fail first), this session's engine as DOCKER_HOST while the
    module runs; its labs stopped afterwards."""
    real_prefix()
    host = engine()
    with env_set("DOCKER_HOST", host):
        try:
            yield host
        finally:
            for off in offsets:
                down(off)


def up(name: str, offset: int, *extra: str, timeout: float = 180) -> dict:
    p = fsnb_cli("lab", "up", "--real", "--scenario", name, "--port-offset", str(offset), *extra, timeout=timeout)
    assert p.returncode == 0, p.stderr[-3000:] + p.stdout
    return state(offset)


def state(offset: int) -> dict:
    from fsnb.lab import manager
    return json.loads((manager.lab_dir(offset) / "state.json").read_text())


def down(offset: int) -> None:
    fsnb_cli("lab", "down", "--port-offset", str(offset), timeout=60)


def container(st: dict):
    import docker
    return docker.DockerClient(base_url=st["docker_host"], timeout=30).containers.get(st["container_id"])


def fs_pid(st: dict) -> int:
    pid = container(st).attrs["State"]["Pid"]
    assert pid > 0, "the FreeSWITCH container is not running"
    comm = Path(f"/proc/{pid}/comm").read_text().strip()
    assert comm == "freeswitch", comm
    return pid


# -- sockets of a process: /proc/<pid>/fd + /proc/<pid>/net/* -------------------------------------------------
def _addr(hexaddr: str) -> tuple[str, int]:
    ip, port = hexaddr.split(":")
    raw = bytes.fromhex(ip)
    if len(raw) == 4:
        addr = ipaddress.IPv4Address(raw[::-1])
    else:   # four little-endian 32-bit words
        addr = ipaddress.IPv6Address(b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4)))
    return str(addr), int(port, 16)


_libc = None


def _grab_fd(pid: int, fd: int) -> int:
    """A duplicate of another process's descriptor (pidfd_getfd(2), Linux >= 5.6, needs ptrace rights)."""
    global _libc
    import ctypes
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
    pidfd = os.pidfd_open(pid)
    try:
        new = _libc.syscall(438, pidfd, fd, 0)     # SYS_pidfd_getfd on x86_64 and aarch64
        if new < 0:
            raise OSError(ctypes.get_errno(), f"pidfd_getfd({pid}, {fd})")
        return new
    finally:
        os.close(pidfd)


def process_sockets(pid: int) -> list[dict]:
    """Every socket descriptor of the process, looked at directly (a duplicate via pidfd_getfd): family, type,
    the address it is bound to and the peer it is connected to. Unlike /proc/<pid>/net/*, this also sees TCP
    sockets that are bound but neither listening nor connected."""
    import socket
    out = []
    for fdp in Path(f"/proc/{pid}/fd").iterdir():
        try:
            if not os.readlink(fdp).startswith("socket:["):
                continue
            dup = _grab_fd(pid, int(fdp.name))
        except OSError:
            continue    # closed meanwhile
        s = socket.socket(fileno=dup)
        try:
            rec = {"fd": int(fdp.name), "family": s.family.name, "type": s.type.name, "local": None, "peer": None}
            if s.family in (socket.AF_INET, socket.AF_INET6):
                rec["local"] = s.getsockname()[:2]
                try:
                    rec["peer"] = s.getpeername()[:2]
                except OSError:
                    pass
                rec["listening"] = bool(s.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN))
                rec["reuseport"] = bool(s.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT))
            out.append(rec)
        finally:
            s.close()   # closes the duplicate only
    return out


def is_loopback(ip: str) -> bool:
    a = ipaddress.ip_address(ip)
    if isinstance(a, ipaddress.IPv6Address) and a.ipv4_mapped:
        a = a.ipv4_mapped
    return a.is_loopback


def is_unspecified(ip: str) -> bool:
    return ipaddress.ip_address(ip).is_unspecified


def multicast_groups() -> set[str]:
    """Every group joined on this host: /proc/net/igmp (interface, group) and /proc/net/igmp6."""
    groups = set()
    dev = None
    for line in Path("/proc/net/igmp").read_text().splitlines()[1:]:
        f = line.split()
        if not line.startswith((" ", "\t")) and len(f) >= 2:
            dev = f[1].rstrip(":")
        elif f and len(f[0]) == 8:
            groups.add(f"{dev} {ipaddress.IPv4Address(bytes.fromhex(f[0])[::-1])}")
    for line in Path("/proc/net/igmp6").read_text().splitlines():
        f = line.split()
        if len(f) >= 3:
            groups.add(f"{f[1]} {ipaddress.IPv6Address(bytes.fromhex(f[2]))}")
    return groups


def assert_loopback_only(pid: int, groups_before: set[str]) -> list[dict]:
    """Every IP socket of the process bound to a loopback address (or never bound: port 0, which cannot have sent
    anything, since sending binds), connected only to loopback peers; no packet sockets; no multicast group joined
    since `groups_before` (/proc/net/igmp, igmp6)."""
    socks = process_sockets(pid)
    ip = [s for s in socks if s["local"] is not None]
    never_bound = lambda s: (s["type"] in ("SOCK_STREAM", "SOCK_DGRAM") and is_unspecified(s["local"][0])
                             and s["local"][1] == 0)     # a raw socket can send unbound: never allowed
    bad = [s for s in ip if not (is_loopback(s["local"][0]) or never_bound(s))
           or (s["peer"] is not None and not is_loopback(s["peer"][0]))]
    assert not bad, f"FreeSWITCH sockets off the loopback: {bad}"
    assert not [s for s in socks if s["family"] == "AF_PACKET"], socks
    assert [s for s in ip if s.get("listening")], f"no listening socket at all? {socks}"
    new = multicast_groups() - groups_before
    assert not new, f"multicast groups joined while FreeSWITCH ran: {new}"
    return socks


def wait_for(pred, timeout: float, what: str):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = pred()
        if v:
            return v
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")
