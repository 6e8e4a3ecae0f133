"""Profile lifecycle, bind failures, wss.pem and fs_cli as recorded (fixtures 114, 109, 2xx, 303-306)."""
from __future__ import annotations

import re
import socket
import subprocess
import sys
import time

import pytest
import transcripts as T
from conftest import api, port_free, start_sim, stop_sim, wait_port

from fsnb.lab.layout import Ports, uncomment_wss

pytestmark = pytest.mark.lab


def listening(port: int) -> bool:
    return not port_free(port)


def wait_until(pred, timeout=5.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.02)
    return False


def fs_cli(*args, timeout=10):
    p = subprocess.run([sys.executable, "-m", "fsnb.lab.fs_cli", *args], capture_output=True, text=True, timeout=timeout)
    return p.stdout, p.stderr, str(p.returncode)


OFF = Ports.offset(30000)
SHORT_GUARD = 0.5   # the simulator's restart guard in this module (FreeSWITCH's is 10 s: see test_restart_guard_as_recorded)


@pytest.fixture(scope="module")
def vanilla(tmp_path_factory):
    """The vanilla simulator (as conftest's) whose profile may be stopped/restarted after SHORT_GUARD seconds."""
    sim = start_sim(tmp_path_factory.mktemp("vanilla"), guard=SHORT_GUARD)
    yield sim
    stop_sim(sim)


def test_restart_guard_as_recorded(tmp_path):
    """With FreeSWITCH's default guard (10 s) a young profile refuses restart with the recorded text."""
    sim = start_sim(tmp_path / "guard", ports=OFF)
    try:
        # restart guard while young (114c): text as recorded, only the seconds differ
        guard = api(sim.ports.esl, "sofia profile internal restart")
        assert re.sub(rb"wait \d+ seconds", b"wait N seconds", guard.replace(b"91", b"NN")) == \
            re.sub(rb"wait \d+ seconds", b"wait N seconds", T.body("114c").replace(b"91", b"NN"))
    finally:
        stop_sim(sim)


def test_stop_start_restart_rescan(vanilla):
    esl = vanilla.ports.esl
    time.sleep(SHORT_GUARD + 0.2)
    assert api(esl, "sofia profile internal stop") == T.body("114a")
    assert wait_until(lambda: not listening(vanilla.ports.wss))
    assert api(esl, "sofia status profile internal") == T.body("109a")
    assert api(esl, "sofia status") == T.body("109b")
    assert api(esl, 'json {"command":"sofia.status.info","data":"internal"}') == T.body("109d")
    reply = api(esl, "sofia profile internal start")
    assert reply == T.body("114b")
    assert wait_until(lambda: listening(vanilla.ports.wss))   # only after the reply (~60 ms)
    time.sleep(SHORT_GUARD + 0.2)
    assert api(esl, "sofia profile internal restart") == T.body("114d")
    assert wait_until(lambda: not listening(vanilla.ports.wss), 2)
    assert wait_until(lambda: listening(vanilla.ports.wss), 3)
    assert api(esl, "sofia profile internal rescan") == T.body("114e")


@pytest.mark.parametrize("fixture,args", [
    ("201", ["-x", "status"]), ("202", ["-x", "sofia status"]), ("203", ["-x", "sofia status profile internal"]),
    ("204", ["-x", "sofia profile internal start"]), ("205", ["-p", "wrong", "-x", "status"]),
    ("206", ["-x", "sofia status profile nosuch"]), ("207", ["-x", "nosuchcmd"]),
])
def test_fs_cli(vanilla, fixture, args):
    out, err, rc = fs_cli(*args)
    w_out, w_err, w_rc = T.cli(fixture)
    norm = lambda s: re.sub(r"UP .*? microseconds|min idle cpu \S+", "<x>", s)
    assert (norm(out), err, rc) == (norm(w_out), w_err, w_rc)


def test_fs_cli_refused_and_not_esl(tmp_path):
    assert port_free(18999)
    assert fs_cli("-P", "18999", "-x", "status") == T.cli("209")
    srv = subprocess.Popen([sys.executable, "-m", "http.server", "18998", "--bind", "127.0.0.1"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_port(18998)
        out, err, rc = fs_cli("-P", "18998", "-T", "300", "-x", "status")
        assert (out, err, rc) == T.cli("208b")[:2] + ("255",)
        with pytest.raises(subprocess.TimeoutExpired):   # without -T it hangs forever, like the real one (208)
            fs_cli("-P", "18998", "-x", "status", timeout=1.5)
    finally:
        srv.terminate()
        srv.wait()


def _errs(log: str) -> list[str]:
    return [re.sub(r"^\S+ \S+ \S+% ", "", l) for l in log.splitlines() if "[ERR]" in l]


def test_port_conflict_takes_whole_profile_down(tmp_path):
    ports = OFF
    blocker = socket.socket()
    blocker.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    blocker.bind(("127.0.0.1", ports.wss))
    blocker.listen()
    try:
        sim = start_sim(tmp_path / "c3", ports=ports, wait_esl=False, busy_ok=("wss",))
        try:
            wait_port(ports.esl)
            assert api(ports.esl, "sofia loglevel tport 9") == T.body("115a")
            assert wait_until(lambda: "sofia.c:3304" in sim.log, 5)
            assert not listening(ports.ws) and not listening(ports.sip)
            want = [re.sub(r"^\S+ \S+ \S+% ", "", l) for l in T.sections("303a")[
                "freeswitch.log during start, filtered (29 matching of 649 lines)"].replace(":5060", f":{ports.sip}").splitlines() if "[ERR]" in l]
            assert _errs(sim.log) == want
            assert "The likely causes for this are:\n1) Another application is already listening" in sim.log
            assert api(ports.esl, "sofia status profile internal") == T.body("109a")
            # the real reason only with tport 9 (303b)
            api(ports.esl, "sofia profile internal start")
            assert wait_until(lambda: "Address already in use" in sim.log, 3)
            assert f"bind(pf=2 wss/[127.0.0.1]:{ports.wss}): Address already in use" in sim.log
        finally:
            stop_sim(sim)
    finally:
        blocker.close()


@pytest.mark.parametrize("variant,works", [("cert-only", False), ("wrong-key", False), ("ca-first", False),
                                           ("key-after", True), ("good", True)])
def test_wss_pem(tmp_path, variant, works):
    sim = start_sim(tmp_path / variant, ports=OFF, fs={"wss_pem": variant}, wait_esl=False)
    try:
        wait_port(sim.ports.esl)
        if works:
            wait_port(sim.ports.wss)
            assert "Bad WSS.PEM" not in sim.log
        else:
            assert wait_until(lambda: "Bad WSS.PEM certificate." in sim.log, 3)
            assert not listening(sim.ports.ws)
            line = [l for l in sim.log.splitlines() if "Bad WSS.PEM" in l][0]
            assert re.sub(r"^\S+ \S+ \S+% ", "", line) == \
                f"[ERR] sofia.c:3308 Error Creating SIP UA for profile: internal (sip:mod_sofia@127.0.0.1:{OFF.sip};maddr=127.0.0.1;transport=udp,tcp). Bad WSS.PEM certificate."
            assert "ATTEMPT" not in sim.log  # no retries for a bad certificate
            # start still claims success (304a)
            assert api(sim.ports.esl, "sofia profile internal start") == T.body("114b")
    finally:
        stop_sim(sim)


def test_missing_wss_pem_is_generated(tmp_path):
    base = tmp_path / "nopem"
    sim = start_sim(base, ports=OFF, wait_esl=False)
    stop_sim(sim)
    pem = base / "etc/freeswitch/tls/wss.pem"
    pem.unlink()
    sim = start_sim(base, ports=OFF, write=False)
    try:
        from cryptography import x509
        cert = x509.load_pem_x509_certificate(pem.read_bytes())
        assert cert.subject.rfc4514_string() == "CN=FreeSWITCH"
        assert oct(pem.stat().st_mode & 0o777) == "0o644"
        assert (cert.not_valid_after_utc.year - cert.not_valid_before_utc.year) >= 99
    finally:
        stop_sim(sim)


def test_wss_binding_added_live_needs_restart(tmp_path):
    """306: reloadxml and rescan do not open 7443; rescan already shows WSS-BIND-URL; restart opens it."""
    base = tmp_path / "c6"
    sim = start_sim(base, ports=OFF, fs={"wss_binding": "commented"}, wait_esl=False, guard=SHORT_GUARD)
    try:
        wait_port(sim.ports.esl)
        wait_port(sim.ports.ws)
        status = api(sim.ports.esl, "sofia status profile internal").decode()
        assert "WS-BIND-URL" in status and "WSS-BIND-URL" not in status
        uncomment_wss(base)
        assert api(sim.ports.esl, "reloadxml") == T.body("113")
        time.sleep(0.3)
        assert not listening(sim.ports.wss)
        assert "WSS-BIND-URL" not in api(sim.ports.esl, "sofia status profile internal").decode()
        assert api(sim.ports.esl, "sofia profile internal rescan") == T.body("114e")
        time.sleep(0.3)
        assert not listening(sim.ports.wss)
        assert f"WSS-BIND-URL     \tsips:mod_sofia@127.0.0.1:{OFF.wss};transport=wss" in api(sim.ports.esl, "sofia status profile internal").decode()
        time.sleep(SHORT_GUARD + 0.3)
        assert api(sim.ports.esl, "sofia profile internal restart") == T.body("114d")
        assert wait_until(lambda: listening(sim.ports.wss), 3)
    finally:
        stop_sim(sim)


def test_ws_bound_elsewhere(tmp_path):
    sim = start_sim(tmp_path / "c9", ports=OFF, fs={"ws_ip": "127.0.0.2", "wss_ip": "127.0.0.2"}, wait_esl=False)
    try:
        wait_port(sim.ports.esl)
        wait_port(sim.ports.wss, host="127.0.0.2")
        assert not listening(sim.ports.wss)  # nothing on 127.0.0.1:7443
        status = api(sim.ports.esl, "sofia status profile internal").decode()
        assert f"sips:mod_sofia@127.0.0.2:{OFF.wss};transport=wss" in status
    finally:
        stop_sim(sim)


def test_esl_listen_ip_not_local(tmp_path):
    sim = start_sim(tmp_path / "c7", ports=OFF, fs={"esl_listen_ip": "10.254.254.254"}, wait_esl=False)
    try:
        wait_port(sim.ports.wss)
        assert wait_until(lambda: sim.log.count("Socket Error! Could not listen on 10.254.254.254:38021") >= 3, 3)
        assert fs_cli("-P", str(sim.ports.esl), "-x", "status") == T.cli("209")
    finally:
        stop_sim(sim)
