"""Step 5's probe against a hostile SIP-over-WebSocket peer on the loopback: whatever it answers, the call ends
within its budget with a typed outcome — never a traceback, never more read than the caps allow."""
from __future__ import annotations

import asyncio

import pytest
import websockets

from fsnb.probe import media, sip, sdp, wsprobe

pytestmark = pytest.mark.lab      # a stand-in server on the loopback


def _answer(req: sip.SipMessage, status: str, body: str = "", extra=()) -> str:
    keep = [(k, v) for k, v in req.headers if k.lower() in ("via", "from", "call-id", "cseq")]
    to = (req.header("To") or "") + ";tag=hostile"
    headers = keep + [("To", to), *extra, ("Content-Length", str(len(body.encode())))]
    return sip.SipMessage(f"SIP/2.0 {status}", headers, body).serialize()


def _serve(invite_answer):
    """A peer that accepts REGISTER at once and answers INVITE with `invite_answer(req)` (None: never)."""
    async def handler(ws):
        async for text in ws:
            req = sip.parse(text)
            if req.method == "REGISTER":
                await ws.send(_answer(req, "200 OK"))
            elif req.method == "INVITE":
                out = invite_answer(req)
                if out is not None:
                    await ws.send(out)
            elif req.method == "BYE":
                await ws.send(_answer(req, "200 OK"))
    return handler


async def _call(handler, timeout=3.5) -> media.MediaResult:
    async with websockets.serve(handler, "127.0.0.1", 0, subprotocols=["sip"], max_size=2**22) as server:
        port = server.sockets[0].getsockname()[1]
        spec = media.CallSpec(wsprobe.HopTarget("hostile", f"ws://127.0.0.1:{port}/", "WS"), "1000", "secret-pw",
                              "127.0.0.1", timeout=timeout)
        return await media.call(spec)


HUGE = "v=0\r\n" + "a=x" * (sdp.MAX_SDP)
CASES = {
    "huge-sdp": (lambda req: _answer(req, "200 OK", HUGE, [("Contact", "<sip:9196@127.0.0.1>")]), "bad-sdp"),
    "not-sdp": (lambda req: _answer(req, "200 OK", "<script>alert(1)</script>", [("Contact", "<sip:x@y>")]), "bad-sdp"),
    "no-sdp": (lambda req: _answer(req, "200 OK", "", [("Contact", "<sip:x@y>")]), "no-sdp"),
    "silent": (lambda req: None, "invite-failed"),
    "not-sip": (lambda req: "\x1b]0;pwned\x07 HTTP/1.1 200 OK\r\n\r\n", "invite-failed"),
    "digest-loop": (lambda req: _answer(req, "407 Proxy Authentication Required", "",
                                        [("Proxy-Authenticate", 'Digest realm="x", nonce="y"')]), "invite-failed"),
    "unreachable-only": (lambda req: _answer(req, "200 OK", FS_LIKE.replace("127.0.0.1", "203.0.113.7"),
                                             [("Contact", "<sip:x@y>")]), "unreachable"),
}
FS_LIKE = ("v=0\r\no=FS 1 1 IN IP4 127.0.0.1\r\ns=FS\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 UDP/TLS/RTP/SAVPF 0\r\n"
           "a=rtpmap:0 PCMU/8000\r\na=fingerprint:sha-256 " + ":".join(["AB"] * 32) + "\r\na=setup:active\r\n"
           "a=rtcp-mux\r\na=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n"
           "a=candidate:1 1 udp 2130706431 127.0.0.1 40000 typ host\r\n")


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_answers_end_typed_and_bounded(name):
    answer, outcome = CASES[name]
    r = asyncio.run(_call(_serve(answer)))
    assert r.outcome == outcome, (r.outcome, r.detail)
    assert "secret-pw" not in repr(r)
    assert len(r.answer_sdp) <= sdp.MAX_SDP and len(r.detail) <= 400
    if name == "unreachable-only":      # the answer's only address is off the loopback: never contacted
        assert r.not_contacted == ["203.0.113.7"] and all(a.startswith("127.") for a, _ in r.sockets)
