"""Step 5's probe: a real WebRTC call (aiortc: ICE, DTLS-SRTP, PCMU) over the WebSocket path a browser uses.

REGISTER (digest), INVITE the echo extension with aiortc's offer, repair FreeSWITCH's answer for aiortc (sdp.py),
send a tone, measure what comes back (ICE, DTLS, RTP both ways from getStats, the echo's round trip), BYE. Every
step has its own deadline; every byte from the peer is capped (wsprobe, sip, sdp). The ICE sockets stay on the
loopback (loopback_ice.py), and the answer's candidates off the loopback are never contacted: they are reported.
"""
from __future__ import annotations

import asyncio
import dataclasses
import ipaddress
import logging
import re
import secrets
import time
import warnings
from dataclasses import dataclass, field

from fsnb.errors import ProtocolError
from fsnb.probe import rtcaudio, sdp, sip, sipcall, wsprobe
from fsnb.probe.loopback_ice import loopback_only, udp_sockets

logging.getLogger("aioice").setLevel(logging.WARNING)     # aioice logs every STUN check at INFO
# FreeSWITCH's DTLS certificate has a negative serial; pyOpenSSL warns on stderr for every call
warnings.filterwarnings("ignore", message="Parsed a serial number which wasn't positive")

CLEANUP = 0.6                    # of the call's budget, kept for BYE and closing (so the check ends in time)
ICE_MIN = 1.0                    # ICE still checking after this long on a host candidate: nothing answers there
MIN_LISTEN = 0.5                 # less audio than this proves nothing about the echo (tone at 0.2 s, echo ~0.1 s)


@dataclass
class MediaResult:
    outcome: str    # ok | ws-error | register-failed | invite-failed | no-sdp | bad-sdp | unreachable | ice-failed | dtls-failed | no-media-back | no-media-out | error
    detail: str = ""
    sip_lines: list[str] = field(default_factory=list)
    invite_status: int | None = None
    invite_reason: str = ""
    answer: sdp.Answer | None = None
    answer_sdp: str = ""              # as received (capped by sdp.MAX_SDP)
    repairs: list[str] = field(default_factory=list)
    not_contacted: list[str] = field(default_factory=list)   # answer addresses off the loopback (never sent to)
    offered: list[str] = field(default_factory=list)         # our offer's candidates, "kind address:port"
    ice_state: str = ""
    dtls_state: str = ""
    packets_sent: int = 0
    packets_received: int = 0         # RTP from FreeSWITCH that reached the receiver
    remote_received: int | None = None  # what FreeSWITCH's RTCP says it received of ours
    remote_lost: int | None = None
    echo_rtt: float | None = None     # tone sent → tone heard back (s)
    frames_heard: int = 0
    bye_status: int | None = None
    call_id: str = ""                 # the INVITE's Call-ID: FreeSWITCH's log names the call by it
    sockets: list[tuple[str, int]] = field(default_factory=list)   # local UDP sockets during the call
    steps: dict[str, float] = field(default_factory=dict)          # seconds per step


@dataclass
class CallSpec:
    hop: wsprobe.HopTarget
    user: str
    password: str
    domain: str
    callee: str = "9196"
    listen: float = 1.0               # seconds of audio once DTLS is up
    timeout: float = 4.0              # the whole call
    turn: str = ""                    # turn:IP:port — media only through this relay (iceTransportPolicy "relay")
    turn_user: str = ""
    turn_password: str = ""


def turn_contactable(uri: str) -> bool:
    """Only a TURN server given as a loopback IP literal is contacted: a name would be resolved (DNS), and this
    probe keeps every packet on the loopback."""
    m = re.fullmatch(r"turns?:(\[[^\]]{1,64}\]|[^:?\[\]]{1,255})(:\d{1,5})?(\?transport=(udp|tcp))?", uri)
    return bool(m) and _loopback(m.group(1).strip("[]"))


def _loopback(addr: str) -> bool:
    try:
        return ipaddress.ip_address(addr).is_loopback
    except ValueError:
        return False


def _only_loopback_candidates(text: str) -> tuple[str, list[str]]:
    """The answer without candidate lines aiortc must not contact (off the loopback, or a name that would be
    resolved); those addresses are returned."""
    keep, dropped = [], []
    for line in text.replace("\r\n", "\n").rstrip("\n").split("\n"):
        if line.startswith("a=candidate:"):
            p = line.split()
            addr = p[4] if len(p) > 5 else ""
            if not _loopback(addr):
                if addr and addr not in dropped:
                    dropped.append(addr[:64])
                continue
        keep.append(line)
    return "\r\n".join(keep) + "\r\n", dropped


async def _connect(hop: wsprobe.HopTarget, timeout: float):
    import websockets
    kwargs = {}
    if hop.connect:
        kwargs["host"], kwargs["port"] = hop.connect
    if hop.url.startswith("wss://"):
        kwargs["ssl"] = wsprobe._ssl(hop, True)      # as a browser: a certificate it does not trust ends the call
        if hop.server_hostname:
            kwargs["server_hostname"] = hop.server_hostname
    return await websockets.connect(hop.url, subprotocols=["sip"], open_timeout=timeout, close_timeout=0.2,
                                    max_size=wsprobe.MAX_MESSAGE, ping_interval=None, proxy=None, logger=wsprobe.LOG,
                                    **kwargs)


async def _register(ex: wsprobe.Exchange, spec: CallSpec, call_id: str, tag: str, expires: int) -> str:
    """REGISTER with digest; the last answer's start line ("" when none)."""
    req = sip.register(spec.domain, spec.user, spec.hop.via_transport, call_id, 1 if expires else 3, tag,
                       expires=expires, host=sipcall.HOST)
    await ex.send(req)
    if not await ex.until(lambda: ex.answer(req) is not None):
        return ""
    first = sip.parse(ex.answer(req))
    if first.status not in (401, 407):
        return first.start
    hdr = first.header("WWW-Authenticate") or first.header("Proxy-Authenticate") or ""
    ch = sip.parse_challenge(hdr)
    auth = sip.authorization(spec.user, spec.password, ch, "REGISTER", f"sip:{spec.domain}")
    req2 = sip.register(spec.domain, spec.user, spec.hop.via_transport, call_id, 2 if expires else 4, tag, auth,
                        expires=expires, host=sipcall.HOST)
    await ex.send(req2)
    if not await ex.until(lambda: ex.answer(req2) is not None):
        return ""
    return sip.parse(ex.answer(req2)).start


class _Clock:
    def __init__(self, result: MediaResult, deadline: float):
        self.result, self.deadline, self.t = result, deadline, time.monotonic()

    def left(self, cap: float | None = None) -> float:
        left = max(0.05, self.deadline - time.monotonic())
        return min(left, cap) if cap else left

    def step(self, name: str) -> None:
        now = time.monotonic()
        self.result.steps[name] = round(now - self.t, 3)
        self.t = now


async def call(spec: CallSpec) -> MediaResult:
    """Place the call; never raises for what the peer does (the outcome says it)."""
    r = MediaResult("error")
    clock = _Clock(r, time.monotonic() + spec.timeout)
    if spec.turn and not turn_contactable(spec.turn):
        r.not_contacted.append(f"TURN {spec.turn[:80]} (not a loopback IP address: not contacted from here)")
        spec = dataclasses.replace(spec, turn="")
    try:
        ws = await asyncio.wait_for(_connect(spec.hop, clock.left(2.0)), clock.left(2.0) + 0.1)
    except Exception as exc:      # refused, TLS, HTTP status …: Step 4 says which; here it only ends the call
        r.outcome, r.detail = "ws-error", f"{spec.hop.url}: {type(exc).__name__}: {str(exc)[:200]}"
        return r
    pc = None
    try:
        clock.step("connect")
        ex = wsprobe.Exchange(ws, clock.deadline)
        reg_id, reg_tag = secrets.token_hex(16), secrets.token_hex(5)
        line = await _register(ex, spec, reg_id, reg_tag, 600)
        r.sip_lines.append(f"REGISTER -> {line[:120] or '(no answer)'}")
        clock.step("register")
        if not line.startswith("SIP/2.0 200"):
            r.outcome, r.detail = "register-failed", line[:120] or "no answer to REGISTER"
            return r
        ear = rtcaudio.Ear()
        pc, listener, d = await _offer_and_call(spec, ex, r, clock, ear)
        if pc is None:
            return r
        try:
            await _media(pc, r, clock, spec, ear)
        finally:
            listener.cancel()
            r.echo_rtt, r.frames_heard = ear.echo_rtt, ear.frames
            await _stats(pc, r)
            r.sockets = udp_sockets()
            r.bye_status = await sipcall.bye(ex, d, time.monotonic() + CLEANUP - 0.2)
            r.sip_lines += d.lines[-1:]
            clock.step("bye")
        try:    # unregister (with digest), briefly: its answer changes nothing
            await asyncio.wait_for(_register(ex, spec, reg_id, reg_tag, 0), 0.3)
        except (asyncio.TimeoutError, TimeoutError):
            pass
        return r
    except ProtocolError as exc:
        r.outcome, r.detail = "error", f"not SIP/SDP: {str(exc)[:200]}"
        return r
    except (asyncio.TimeoutError, TimeoutError):
        r.outcome = "too-slow"
        r.detail = f"a step did not finish within the {spec.timeout:.1f}s budget (steps done: {r.steps})"
        return r
    except Exception as exc:     # the connection closed under us, or aiortc refused the peer's SDP
        if r.outcome in ("error", "ok"):
            r.outcome = "error"
            r.detail = f"{type(exc).__name__}: {str(exc)[:200]}"
        return r
    finally:
        if pc is not None:
            try:
                await asyncio.wait_for(pc.close(), 0.2)
            except Exception:
                pass
        try:
            await asyncio.wait_for(ws.close(), 0.3)
        except Exception:
            pass


async def _offer_and_call(spec: CallSpec, ex: wsprobe.Exchange, r: MediaResult, clock: _Clock, ear: rtcaudio.Ear):
    """Offer, INVITE, the answer repaired and set: (peer connection, listener task, dialog), or Nones when the call
    ends here (r says why)."""
    from aiortc import RTCConfiguration, RTCIceServer, RTCPeerConnection, RTCSessionDescription
    from aiortc.rtcconfiguration import RTCIceTransportPolicy
    from aiortc.rtcrtpsender import RTCRtpSender

    if spec.turn:   # media only through the relay, as a browser that got this TURN server and no other path
        servers = [RTCIceServer(urls=[spec.turn], username=spec.turn_user, credential=spec.turn_password)]
        pc = RTCPeerConnection(RTCConfiguration(iceServers=servers, iceTransportPolicy=RTCIceTransportPolicy.RELAY))
    else:           # no STUN: aiortc's default is a public server
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    tone = rtcaudio.tone_track()
    tr = pc.addTransceiver(tone, direction="sendrecv")
    tr.setCodecPreferences([c for c in RTCRtpSender.getCapabilities("audio").codecs if c.mimeType == "audio/PCMU"])
    got_track: asyncio.Future = asyncio.get_running_loop().create_future()
    pc.on("track", lambda t: got_track.done() or got_track.set_result(t))
    rtcaudio.talkspurt_marker_only(tr.sender)
    try:
        with loopback_only():
            await asyncio.wait_for(pc.setLocalDescription(await pc.createOffer()), clock.left(1.0))
    except (asyncio.TimeoutError, TimeoutError):
        if not spec.turn:
            raise
        r.outcome, r.detail = "turn-failed", f"TURN {spec.turn}: no relay candidate within {clock.left(1.0):.1f}s"
        await pc.close()
        return None, None, None
    offer = pc.localDescription.sdp
    r.offered = [f"{p[7]} {p[4]}:{p[5]}" for p in (line.split() for line in offer.splitlines()
                                                    if line.startswith("a=candidate:")) if len(p) > 7]
    if spec.turn and not any(c.startswith("relay ") for c in r.offered):
        r.outcome, r.detail = "turn-failed", (f"TURN {spec.turn}: no relay allocated (refused credentials, or no TURN "
                                              "server there): a browser given only this path has no media path — it offers no "
                                              "candidate, and FreeSWITCH refuses such an offer (488)")
        await pc.close()
        return None, None, None
    clock.step("offer")
    d = sipcall.Dialog(spec.domain, spec.user, spec.callee, spec.hop.via_transport)
    r.call_id = d.call_id
    inv = await sipcall.invite(ex, d, offer, spec.password)
    r.sip_lines += d.lines
    r.invite_status, r.invite_reason = inv.status, inv.reason
    clock.step("invite")
    if inv.status is None or inv.status >= 300:
        r.outcome = "invite-failed"
        r.detail = (f"INVITE {spec.callee}: {inv.status} {inv.reason}".strip() if inv.status else
                    f"INVITE {spec.callee}: no final answer") + (f" ({inv.warning})" if inv.warning else "")
        await pc.close()
        return None, None, None
    r.answer_sdp = inv.answer_sdp[: sdp.MAX_SDP]
    if not inv.answer_sdp.strip():
        r.outcome, r.detail = "no-sdp", "200 OK without an SDP answer"
        await _bye_only(ex, d, r, pc)
        return None, None, None
    try:
        r.answer = sdp.parse(inv.answer_sdp)
    except ProtocolError as exc:
        r.outcome, r.detail = "bad-sdp", str(exc)[:200]
        await _bye_only(ex, d, r, pc)
        return None, None, None
    fixed, r.repairs = sdp.repair_answer(inv.answer_sdp, sdp.offer_mid(offer))
    fixed, dropped = _only_loopback_candidates(fixed)
    r.not_contacted += dropped
    if r.answer.connection and not _loopback(r.answer.connection) and r.answer.connection not in r.not_contacted:
        r.not_contacted.insert(0, r.answer.connection)
    await asyncio.wait_for(pc.setRemoteDescription(RTCSessionDescription(fixed, "answer")), clock.left(1.0))
    listener = asyncio.ensure_future(_listen_when(got_track, ear, tone))
    return pc, listener, d


async def _listen_when(got_track, ear: rtcaudio.Ear, tone) -> None:
    await ear.listen(await got_track, tone)


async def _bye_only(ex, d, r, pc):
    r.bye_status = await sipcall.bye(ex, d, time.monotonic() + CLEANUP - 0.2)
    r.sip_lines += d.lines[-1:]
    await pc.close()


async def _media(pc, r: MediaResult, clock: _Clock, spec: CallSpec, ear: rtcaudio.Ear) -> None:
    """Wait for ICE and DTLS, then let the tone run for `spec.listen` seconds (until the echo is heard)."""
    transport = pc.getTransceivers()[0].sender.transport
    waited_from = time.monotonic()
    while transport.state not in ("connected", "failed", "closed") and pc.iceConnectionState != "failed":
        if time.monotonic() >= clock.deadline - CLEANUP - MIN_LISTEN:
            break
        await asyncio.sleep(0.02)
    r.ice_state, r.dtls_state = pc.iceConnectionState, transport.state
    clock.step("ice+dtls")
    waited = time.monotonic() - waited_from
    if r.ice_state in ("new", "checking") and waited < ICE_MIN:
        # earlier steps ate the budget (a busy machine): ICE was not given its chance — not judged
        r.outcome = "too-slow"
        r.detail = (f"ICE was still {r.ice_state} after {waited:.2f}s, when the {spec.timeout:.1f}s budget ran out "
                    f"(steps: {r.steps}): too little to judge")
        return
    if r.ice_state in ("failed", "new", "checking") and transport.state != "connected":
        r.outcome = "unreachable" if r.not_contacted else "ice-failed"
        r.detail = _why_ice(r)
        return
    if transport.state != "connected":
        r.outcome = "dtls-failed"
        r.detail = (f"ICE {r.ice_state}, but DTLS-SRTP did not connect within {r.steps['ice+dtls']:.1f}s "
                    f"(state: {transport.state}): no SRTP keys, no audio")
        return
    start = time.monotonic()
    end = min(start + spec.listen, clock.deadline - CLEANUP)
    while time.monotonic() < end and ear.echo_rtt is None:
        await asyncio.sleep(0.02)
    clock.step("media")
    r.outcome = "ok"
    if ear.echo_rtt is None and time.monotonic() - start < min(spec.listen, MIN_LISTEN):
        # the budget ran out before the echo could be judged: say so, never "one-way audio"
        r.outcome = "too-slow"
        r.detail = (f"ICE and DTLS took {r.steps.get('ice+dtls', 0):.1f}s; {time.monotonic() - start:.2f}s of audio "
                    f"left in the {spec.timeout:.1f}s budget is too little to judge the echo")


def _why_ice(r: MediaResult) -> str:
    a = r.answer
    where = ", ".join(a.addresses()) if a else "?"
    if r.not_contacted:
        return (f"ICE {r.ice_state}: the answer asks for media at {', '.join(r.not_contacted)} — off this host's "
                f"loopback, so the probe did not send there (no usable candidate left)")
    return f"ICE {r.ice_state}: no answer to connectivity checks at {where}"


async def _stats(pc, r: MediaResult) -> None:
    try:
        report = await asyncio.wait_for(pc.getStats(), 0.5)
    except Exception:
        return
    for s in report.values():
        if s.type == "outbound-rtp":
            r.packets_sent = s.packetsSent
        elif s.type == "inbound-rtp":
            r.packets_received = s.packetsReceived
        elif s.type == "remote-inbound-rtp":
            r.remote_lost = s.packetsLost
    if r.remote_lost is not None and r.packets_sent:
        r.remote_received = max(0, r.packets_sent - r.remote_lost)
    if r.outcome == "ok":
        if not r.packets_sent:
            r.outcome, r.detail = "no-media-out", "DTLS up, but no RTP left the client"
        elif not r.packets_received:
            r.outcome, r.detail = "no-media-back", (f"sent {r.packets_sent} RTP packets, received none back within "
                                                    f"{r.steps.get('media', 0):.1f}s")
