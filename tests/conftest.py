"""Shared test harness: the vanilla simulator (as recorded), raw socket helpers, the private Docker engine."""
from __future__ import annotations

import contextlib
import os
import random
import socket
import string
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fsnb.lab import layout, pki

sys.path.insert(0, str(Path(__file__).parent))


def port_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
            return True
        except OSError:
            return False


def wait_port(port: int, host: str = "127.0.0.1", timeout: float = 10.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            socket.create_connection((host, port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"{host}:{port} did not open within {timeout}s")


def short_link(target: Path) -> Path:
    """A symlink whose path is as long as `/srv/fs`, so frames that count bytes match the fixtures."""
    for _ in range(100):
        link = Path("/tmp/" + "".join(random.choices(string.ascii_lowercase, k=2)))
        try:
            link.symlink_to(target)
            return link
        except FileExistsError:
            continue
    raise RuntimeError("no free short link name in /tmp")


class Sim:
    def __init__(self, prefix: Path, proc: subprocess.Popen, ports: layout.Ports):
        self.prefix, self.proc, self.ports = prefix, proc, ports

    @property
    def log(self) -> str:
        return (self.prefix / "var/log/freeswitch/freeswitch.log").read_text()


def start_sim(base: Path, ports: layout.Ports | None = None, fs: dict | None = None, esl_password="ClueCon",
              sip_password="1234", wait_esl=True, busy_ok=(), write=True, guard: float | None = None) -> Sim:
    """guard: the profile's stop/restart guard in seconds (None: FreeSWITCH's 10 s)."""
    ports = ports or layout.Ports()
    for name, port in vars(ports).items():
        if name in ("esl", "sip", "ws", "wss") and name not in busy_ok and not port_free(port):
            pytest.fail(f"port {port} ({name}) is in use: stop what holds it (e.g. `fsnb lab down`) before the tests")
    base.mkdir(parents=True, exist_ok=True)
    if write:
        ca = pki.CA()
        layout.write_conf(base, ports=ports, esl_password=esl_password, sip_password=sip_password, fs=fs or {},
                          ca=ca, leaf=ca.issue(["localhost", "127.0.0.1"]))
        vars_xml = base / "etc/freeswitch/vars.xml"
        vars_xml.write_text(vars_xml.read_text().replace("local_ip_v6=::1", "local_ip_v6=fd00::2"))
    link = short_link(base)
    proc = subprocess.Popen([sys.executable, "-m", "fsnb.lab.freeswitch", "--prefix", str(link), "--hostname", "vm",
                             "--retry-seconds", "0.2", *(["--guard-seconds", str(guard)] if guard is not None else [])],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    sim = Sim(link, proc, ports)
    if wait_esl:
        wait_port(ports.esl)
        wait_port(ports.wss)
    return sim


def stop_sim(sim: Sim) -> None:
    sim.proc.terminate()
    try:
        sim.proc.wait(5)
    except subprocess.TimeoutExpired:
        sim.proc.kill()
    sim.prefix.unlink(missing_ok=True)


@pytest.fixture(scope="module")
def vanilla(tmp_path_factory):
    """A simulator with the recorded machine's vanilla config (ClueCon, user 1000/1234, hostname vm)."""
    sim = start_sim(tmp_path_factory.mktemp("vanilla"))
    yield sim
    stop_sim(sim)


def esl_talk(port: int, sends: list[bytes], until_eof: bool = False, settle: float = 0.15, auth: bytes | None = None) -> bytes:
    """Connect, read the greeting, optionally auth, then send each item and collect what comes back."""
    with socket.create_connection(("127.0.0.1", port), timeout=3) as s:
        s.settimeout(settle)
        def drain():
            buf = b""
            while True:
                try:
                    chunk = s.recv(65536)
                except socket.timeout:
                    return buf
                if not chunk:
                    return buf
                buf += chunk
        drain()
        if auth:
            s.sendall(auth)
            drain()
        out = b""
        for item in sends:
            s.sendall(item)
            if until_eof:
                s.settimeout(3)
            out += drain()
        return out


def api(port: int, command: str) -> bytes:
    return esl_talk(port, [f"api {command}\n\n".encode()], auth=b"auth ClueCon\n\n")


# -- the lab, as the CLI drives it ---------------------------------------------------------------
LAB_OFFSET = 200


@contextlib.contextmanager
def env_set(name: str, value: str):
    """os.environ[name] = value while the block runs; afterwards as it was (unset if it was)."""
    old = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if old is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = old


@pytest.fixture(scope="session", autouse=True)
def lab_root(tmp_path_factory):
    """Every lab the tests start lives under a temporary FSNB_LAB_DIR and is stopped at the end."""
    root = tmp_path_factory.mktemp("labroot")
    with env_set("FSNB_LAB_DIR", str(root)):
        yield root
        from fsnb.lab import dockerd, manager
        manager.down(None)
        dockerd.stop(root / "docker")      # the engine `fsnb lab up --docker` started for this session's labs, if any


def fsnb_cli(*args, timeout=60, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "fsnb", *args], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


@pytest.fixture(scope="session")
def docker_host(lab_root):
    """The private Docker engine (dockerd --bridge=none --iptables=false, own roots and socket). Fails, never skips."""
    from fsnb.lab import dockerd
    root = Path(os.environ.get("FSNB_TEST_DOCKER_ROOT", "/tmp/fsnb-test-docker"))
    try:
        host = dockerd.ensure(root, prefer_existing=False)
    except Exception as exc:
        pytest.fail(f"Docker engine needed for this test could not be started: {exc}")
    with env_set("DOCKER_HOST", host):
        yield host
        from fsnb.lab import manager
        manager.down(None)
    dockerd.stop(root)


def lab_secrets(off: int) -> list[str]:
    """The ESL and SIP passwords `fsnb lab up` generated for the lab at port offset `off`."""
    from fsnb.lab import manager
    d = manager.lab_dir(off) / "secrets"
    return [(d / n).read_text().strip() for n in ("esl_password", "sip_password")]


# -- port offsets for labs -----------------------------------------------------------------------------
# Offsets whose ports are taken by labs the tests do not allocate here: FreeSWITCH's own ports (the vanilla
# simulator, and a lab someone runs at offset 0), the simulator tests' Ports.offset(30000), and the real
# FreeSWITCH labs of tests/realfs.py (with what test_real_* adds to them: +40, +120).
RESERVED_OFFSETS = (0, 30000, 1530, 1550, 1570, 1590, 1610, 1630, 1650)


def lab_ports(off: int) -> set[int]:
    """Every port a lab at this offset may bind: layout.Ports and the real FreeSWITCH's extra ones."""
    from fsnb.lab import realconf
    ports = layout.Ports.offset(off)
    return set(vars(ports).values()) | set(vars(realconf.RealPorts.for_offset(ports)).values())


class PortOffsets:
    """Hands out lab port offsets, each distinct for the session, in steps of 10 from `start`; an offset is skipped
    when any of its ports is a port of an offset already handed out or reserved (e.g. +1000 puts wss on 8443, the
    edge port of the lab 1000 below), so no two labs collide whatever runs at the same time."""

    def __init__(self, start: int = LAB_OFFSET, step: int = 10, reserved=RESERVED_OFFSETS):
        self.next, self.step = start, step
        self.taken: set[int] = set()
        for off in reserved:
            self.taken |= lab_ports(off)

    def take(self, count: int = 1) -> int:
        """The first of `count` offsets `step` apart (for `fsnb lab up --count`), all free."""
        while True:
            offs = [self.next + i * self.step for i in range(count)]
            ports = [lab_ports(o) for o in offs]
            if all(not p & self.taken and max(p) <= 65535 for p in ports) and \
                    sum(map(len, ports)) == len(set().union(*ports)):
                for p in ports:
                    self.taken |= p
                self.next = offs[-1] + self.step
                return offs[0]
            self.next += self.step
            if self.next > 65535:
                raise RuntimeError("no free lab port offset left")


@pytest.fixture(scope="session")
def port_offsets() -> PortOffsets:
    """The session's lab port offsets: `port_offsets.take()` for each lab a test or module starts.
    FSNB_TEST_OFFSET_START moves the first one (two test runs side by side on one machine)."""
    return PortOffsets(start=int(os.environ.get("FSNB_TEST_OFFSET_START", LAB_OFFSET)))


@pytest.fixture(scope="module")
def lab_offset(port_offsets) -> int:
    """One lab port offset for a module (its labs run one after another)."""
    return port_offsets.take()


# -- markers ---------------------------------------------------------------------------------------------
KINDS = ("unit", "lab", "docker", "real", "browser")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Every test says what it needs: one of KINDS at least (pyproject.toml explains them), else no run at all."""
    bare = [item.nodeid for item in items if not any(item.get_closest_marker(k) for k in KINDS)]
    if bare:
        raise pytest.UsageError(f"{len(bare)} test(s) carry none of the markers {', '.join(KINDS)} (see pyproject.toml):\n  "
                                + "\n  ".join(bare))
