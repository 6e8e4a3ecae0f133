"""A real browser is Step 5's judge: on the real lab, for the healthy setup and every media scenario, fsnb's verdict
on the call must agree with what headless Chromium (JsSIP, fake devices; tests/browsercall.py) saw in its own
getStats() when it places the same call from where the target says the browsers are. Fails (never skips) without
Chromium, npm or the real FreeSWITCH in CI.

The expected stage is read off fsnb's JSON, never off the scenario's name: a browser that hears the echo where
fsnb said "no audio" (or the reverse) fails the test, whatever the scenario meant to break."""
from __future__ import annotations

import ipaddress
import json

import pytest
import realfs
from browsercall import CallTarget, Judge
from conftest import fsnb_cli

from fsnb import target as tgt
from fsnb.diagnosis.catalogue import CAUSES
from fsnb.lab import manager, scenarios

pytestmark = [pytest.mark.browser, pytest.mark.docker, pytest.mark.real]
CALL = "schritt5.anruf"

# healthy, every real scenario whose cause explains Step 5's call, and every one that puts the browsers elsewhere
# or gives them a TURN server (media-internet-turn is healthy through the relay)
JUDGED = ["healthy", *(s.name for s in scenarios.SCENARIOS if s.real and (
    (s.cause and CALL in CAUSES[s.cause].explains) or s.target.turn is not scenarios.Turn.NONE
    or s.target.media_client is not scenarios.MediaClient.HOST))]


@pytest.fixture(scope="module")
def off(port_offsets):
    return port_offsets.take()


@pytest.fixture(scope="module")
def real_lab(off):
    yield from realfs.module_lab((off,))


@pytest.fixture(scope="module")
def judge():
    j = Judge()
    yield j
    j.close()


def _fsnb_call(target: str) -> tuple[dict, str | None]:
    p = fsnb_cli("run", "--target", target, "--format", "json", timeout=90)
    out = json.loads(p.stdout)
    call = next(r for r in out["results"] if r["id"] == "schritt5.anruf")
    return call, (out["diagnosis"][0]["cause"] if out["diagnosis"] else None)


def fsnb_expects(call: dict) -> str:
    """The stage a browser where the target puts it must reach, by fsnb's verdict on its own call."""
    o = call["observed"]
    if call["status"] == "pass":
        return "audio"
    if o["outcome"] in ("invite-failed", "turn-failed"):    # no relay: the browser's offer has no candidate at all
        return "invite-failed"
    if o["outcome"] == "ok" and o["unreachable"]:        # audio from this host; the client cannot reach the SDP's address
        return "ice-failed"
    if o["outcome"] in ("ice-failed", "unreachable"):
        return "ice-failed"
    if o["outcome"] in ("dtls-failed", "no-media-back"):
        return {"dtls-failed": "dtls-failed", "no-media-back": "silent"}[o["outcome"]]
    pytest.fail(f"fsnb's call outcome {o['outcome']!r} has no browser counterpart here: {call['summary_en']}")


def _call_target(target_file: str) -> CallTarget:
    t = tgt.load(target_file)
    connect = tuple(t.tunnel.connect.rsplit(":", 1))
    m = t.media
    return CallTarget(t.tunnel.public_url, (connect[0], int(connect[1])), t.sip.user, t.sip.password.reveal(),
                      t.sip.domain or t.freeswitch.host, m.echo, m.client, m.turn, m.turn_user,
                      m.turn_password.reveal() if m.turn and m.turn_password else "")


@pytest.mark.parametrize("name", JUDGED)
def test_the_browser_agrees_with_fsnb(real_lab, off, judge, name):
    sc = scenarios.get(name)
    realfs.up(name, off)
    target = str(manager.lab_dir(off) / "target.toml")
    t = _call_target(target)
    call, first = _fsnb_call(target)
    assert first == sc.cause, (name, first, call["summary_en"])
    expected = fsnb_expects(call)
    seen = judge.call(t)
    print(f"{name}: fsnb {call['status']} ({call['observed']['outcome']}) → browser {seen.brief()}")
    if seen.stage != expected:
        # both measure the same FreeSWITCH a few seconds apart: a disagreement must hold on a second pair of calls
        # to fail (it is printed either way; the real FreeSWITCH has been seen to stop an echo once after a start)
        print(f"{name}: DISAGREED once (fsnb {expected}, browser {seen.stage}); both call again")
        call, first = _fsnb_call(target)
        expected = fsnb_expects(call)
        seen = judge.call(t)
        print(f"{name}: again: fsnb {call['status']} ({call['observed']['outcome']}) → browser {seen.brief()}")
    assert seen.stage == expected, (f"fsnb: {call['status']} {call['summary_en']!r}; browser at {t.client}: "
                                    f"{seen.brief()}")
    if expected == "invite-failed":       # the same refusal from FreeSWITCH (fsnb sends no offer without a relay)
        assert seen.invite_status == (call["observed"]["invite_status"] or 488), seen.brief()
    if expected == "audio":
        assert seen.sent > 0 and seen.received > 0 and seen.relayed == call["observed"]["relay"], seen.brief()
    offered = [line.split()[4] for line in seen.offer.splitlines() if line.startswith("a=candidate:")]
    assert all(ipaddress.ip_address(a).is_loopback for a in offered), offered   # FreeSWITCH checks only these
    if seen.stats:                        # the browser sent to nothing but loopback addresses (and its relay)
        remote = {c.get("address") for c in seen.of("remote-candidate")}
        assert all(ipaddress.ip_address(a).is_loopback for a in remote), remote
        if t.client != "host":            # in its own namespace the browser has nothing but a loopback
            local = {c.get("address") for c in seen.of("local-candidate")}
            assert all(ipaddress.ip_address(a).is_loopback for a in local), local
