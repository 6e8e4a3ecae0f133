"""Step 5 on the real FreeSWITCH: a WebRTC call (aiortc) through edge stand-in → nginx → FreeSWITCH WSS.

Healthy: the echo comes back (RTP both ways, a measured round trip), BYE answered. Each media scenario: its cause
first. The call's own UDP sockets, sampled from /proc while it runs, are all on the loopback."""
from __future__ import annotations

import asyncio
import ipaddress
import json
import threading

import pytest
import realfs
from conftest import fsnb_cli, lab_secrets

from fsnb import target as tgt
from fsnb.checks.schritt5 import _hop
from fsnb.lab import manager, scenarios
from fsnb.probe import media
from fsnb.probe.loopback_ice import udp_sockets

FS_SAYS = {"media-dialplan-vanilla": "Invalid Application hash", "media-dtls-key-mismatch": "audio DTLS key err"}
MEDIA = [s.name for s in scenarios.SCENARIOS if s.name.startswith("media-")]


@pytest.fixture(scope="module")
def off(port_offsets):
    return port_offsets.take()


@pytest.fixture(scope="module")
def real_lab(off):
    yield from realfs.module_lab((off,))


def _target(off: int) -> str:
    return str(manager.lab_dir(off) / "target.toml")


def _run(target: str) -> dict:
    p = fsnb_cli("run", "--target", target, "--format", "json", timeout=90)
    try:
        return json.loads(p.stdout) | {"_exit": p.returncode}
    except ValueError:
        pytest.fail(f"fsnb run gave no JSON (exit {p.returncode}): {p.stderr[-2000:]}")


def _result(out: dict, cid: str) -> dict:
    return next(r for r in out["results"] if r["id"] == cid)


@pytest.mark.docker
@pytest.mark.real
def test_healthy_call_has_audio_both_ways_and_hangs_up(real_lab, off):
    realfs.up("healthy", off)
    out = _run(_target(off))
    call = _result(out, "schritt5.anruf")
    assert call["status"] == "pass", (call["summary_en"], call["observed"], call["evidence"][:2])
    o = call["observed"]
    assert (o["ice_state"], o["dtls_state"]) == ("completed", "connected")
    assert o["packets_sent"] > 0 and o["packets_received"] > 0 and o["echo_rtt"] is not None, o
    assert o["codecs"][0] == "PCMU/8000" and o["dtls_offered"] is True and o["addresses"] == ["127.0.0.1"]
    assert o["sockets"] and all(ipaddress.ip_address(s.rpartition(":")[0].strip("[]")).is_loopback
                                for s in o["sockets"]), o["sockets"]
    assert "BYE -> SIP/2.0 200 OK" in json.dumps(call["evidence"])
    assert _result(out, "schritt5.config")["status"] == "pass"
    assert out["_exit"] == 0 and out["diagnosis"] == []
    for secret in lab_secrets(off):     # the SIP and ESL passwords appear nowhere in what the run printed
        assert secret not in json.dumps(out)


@pytest.mark.docker
@pytest.mark.real
def test_every_socket_of_the_call_is_on_the_loopback(real_lab, off):
    """Sampled from /proc/self/net/udp every few ms while the call runs in this process: not the probe's word."""
    realfs.up("healthy", off)
    t = tgt.load(_target(off))

    class Ctx:
        target, fs = t, t.freeswitch
    spec = media.CallSpec(_hop(Ctx), t.sip.user, t.sip.password.reveal(), "127.0.0.1", listen=0.5, timeout=4.0)
    seen: set[tuple[str, int]] = set()
    before = set(udp_sockets())
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            seen.update(udp_sockets())
            stop.wait(0.005)
    th = threading.Thread(target=sample)
    th.start()
    try:
        r = asyncio.run(media.call(spec))
    finally:
        stop.set()
        th.join()
    assert r.outcome == "ok" and r.packets_received > 0, r
    during = seen - before
    assert during, "no UDP socket seen during the call"
    assert all(ipaddress.ip_address(a).is_loopback for a, _ in during), during


@pytest.mark.docker
@pytest.mark.real
@pytest.mark.parametrize("name", MEDIA)
def test_media_scenario_names_its_cause_first(real_lab, off, name):
    sc = scenarios.get(name)
    realfs.up(name, off)
    out = _run(_target(off))
    assert out["_exit"] == sc.exit, out["diagnosis"]
    call = _result(out, "schritt5.anruf")
    if sc.cause is None:        # media-internet-turn: the audio comes back through coturn's relay
        assert out["diagnosis"] == [] and call["status"] == "pass", call
        assert call["observed"]["relay"] and call["observed"]["packets_received"] > 0, call["observed"]
        offered = next(e["text"] for e in call["evidence"] if e["label_en"] == "Own ICE candidates in the offer")
        assert offered.startswith("relay 127.0.0.1:") and "host" not in offered, offered
        turn_pw = (manager.lab_dir(off) / "secrets/turn_password").read_text().strip()
        assert turn_pw not in json.dumps(out)       # the TURN password is redacted like the others
        return
    assert out["diagnosis"] and out["diagnosis"][0]["cause"] == sc.cause, [d["cause"] for d in out["diagnosis"]]
    assert "schritt5.anruf" in out["diagnosis"][0]["explains"], out["diagnosis"][0]
    if name in FS_SAYS:       # FreeSWITCH's own log line for this call is in the evidence
        assert FS_SAYS[name] in json.dumps(call["evidence"]), call["evidence"]
