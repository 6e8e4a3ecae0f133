"""The simulator's WebSocket/SIP answers are sofia-sip's (shared/fixtures/freeswitch 4xx)."""
from __future__ import annotations

import asyncio
import re
import socket
import ssl
import time

import pytest
import transcripts as T
import websockets
from websockets.exceptions import InvalidMessage

from fsnb.lab.sofia_ws import encode_frame
from fsnb.probe import sip

CTX = ssl.create_default_context()
CTX.check_hostname = False
CTX.verify_mode = ssl.CERT_NONE


def connect(port: int, tls: bool, timeout: float = 3.0):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    return CTX.wrap_socket(s, server_hostname="localhost") if tls else s


def recv_all(s, settle: float = 0.3) -> bytes:
    s.settimeout(settle)
    out = b""
    while True:
        try:
            chunk = s.recv(65536)
        except (socket.timeout, TimeoutError):
            return out
        if not chunk:
            return out
        out += chunk


@pytest.mark.lab
@pytest.mark.parametrize("fixture,tls", [("401", False), ("402", False), ("403", False), ("404a", False),
                                         ("404b", False), ("404c", False), ("405a", True), ("405b", True), ("405c", True)])
def test_handshake_bytes(vanilla, fixture, tls):
    (_, _, sent), (_, _, want) = T.exchanges(fixture)
    port = vanilla.ports.wss if tls else vanilla.ports.ws
    with connect(port, tls) as s:
        s.sendall(sent)
        assert recv_all(s) == want


@pytest.mark.lab
def test_plain_http_to_wss_port_gets_no_bytes(vanilla):
    (_, _, sent), _ = T.exchanges("406")
    with socket.create_connection(("127.0.0.1", vanilla.ports.wss), timeout=3) as s:
        s.sendall(sent)
        t0 = time.monotonic()
        s.settimeout(3)
        assert s.recv(100) == b""          # closed without a byte, as FreeSWITCH does
        assert time.monotonic() - t0 < 1.0


def _ws_send(s, text: str) -> None:
    payload = text.encode()
    mask = b"\x11\x22\x33\x44"
    head = encode_frame(payload)[:-len(payload)] if payload else b"\x81\x00"
    head = bytes([head[0], head[1] | 0x80]) + head[2:]
    s.sendall(head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))


def _ws_recv_text(s, timeout: float) -> list[str]:
    data = recv_all(s, timeout)
    out = []
    while data:
        n = data[1] & 0x7F
        off = 2
        if n == 126:
            n, off = int.from_bytes(data[2:4], "big"), 4
        out.append(data[off:off + n].decode())
        data = data[off + n:]
    return out


def _mask_sip(text: str) -> str:
    text = re.sub(r"branch=z9hG4bK\w+", "branch=<b>", text)
    text = re.sub(r"rport=\d+", "rport=<p>", text)
    text = re.sub(r"tag=\w+", "tag=<t>", text)
    text = re.sub(r"Call-ID: \S+", "Call-ID: <c>", text)
    text = re.sub(r'nonce="[^"]+"', 'nonce="<n>"', text)
    text = re.sub(r"Date: [^\r]+", "Date: <d>", text)
    text = re.sub(r"fsrec1\.invalid|fsrec-ngx\.invalid", "client.invalid", text)
    text = re.sub(r"fsrec-probe", "probe-agent", text)
    return text


@pytest.mark.lab
@pytest.mark.parametrize("fixture,tls,answers", [("410a", False, 1), ("410b", True, 1), ("410c", True, 0), ("410d", False, 0)])
def test_sip_options(vanilla, fixture, tls, answers):
    ex = T.exchanges(fixture)
    upgrade, options = ex[0][2], ex[2][2].decode()
    with connect(vanilla.ports.wss if tls else vanilla.ports.ws, tls) as s:
        s.sendall(upgrade)
        assert recv_all(s) == ex[1][2]
        _ws_send(s, options)
        got = _ws_recv_text(s, 1.0)
    want = [e[2].decode() for e in ex[3:] if e[0] == "<"]
    assert len(got) == answers
    assert [_mask_sip(g) for g in got] == [_mask_sip(w) for w in want]


@pytest.mark.lab
@pytest.mark.parametrize("fixture", ["411a", "411b", "411c"])
def test_register_digest(vanilla, fixture):
    """Replays the recorded REGISTERs; the digest is recomputed for our nonce with the recorded password."""
    ex = T.exchanges(fixture)
    if not ex[0][2].startswith(b"GET "):   # 411b/c continue the connection of 411a
        ex = T.exchanges("411a")[:2] + ex
    sent = [e[2].decode() for e in ex if e[0] == ">"][1:]
    want = [e[2].decode() for e in ex if e[0] == "<"][1:]
    password = "wrong" if fixture == "411b" else "1234"
    with connect(vanilla.ports.wss, True) as s:
        s.sendall(ex[0][2])
        recv_all(s)
        got = []
        nonce = None
        for req in sent:
            m = sip.parse(req)
            auth = m.header("Authorization")
            if auth and nonce:
                c = sip.parse_challenge(auth)
                resp = sip.digest_response(c["username"], c["realm"], password, "REGISTER", c["uri"], nonce,
                                           c.get("qop"), c.get("nc", ""), c.get("cnonce", ""))
                req = req.replace(c["nonce"], nonce).replace(c["response"], resp)
            _ws_send(s, req)
            answers = _ws_recv_text(s, 0.5)
            got += answers
            for a in answers:
                www = sip.parse(a).header("WWW-Authenticate")
                if www:
                    nonce = sip.parse_challenge(www)["nonce"]
    assert [_mask_sip(g) for g in got] == [_mask_sip(w) for w in want]
    if fixture == "411a":
        from conftest import api
        regs = api(vanilla.ports.esl, "sofia status profile internal reg").decode()
        assert "Registered(WSS-NAT)" in regs and "Total items returned: 1" in regs


@pytest.mark.unit
def test_recorded_digest_matches_our_md5():
    ex = T.exchanges("411a")
    c = sip.parse_challenge(sip.parse(ex[4][2].decode()).header("Authorization"))
    assert sip.digest_response("1000", c["realm"], "1234", "REGISTER", c["uri"], c["nonce"], c["qop"], c["nc"],
                               c["cnonce"]) == c["response"]


@pytest.mark.lab
@pytest.mark.parametrize("url,tls,subprotocols,expect", [
    ("ws://127.0.0.1:{ws}", False, ["sip"], "sip"), ("ws://127.0.0.1:{ws}", False, None, None),
    ("wss://127.0.0.1:{wss}", True, ["sip"], "sip"), ("wss://127.0.0.1:{wss}", True, None, None),
])
def test_websockets_client(vanilla, url, tls, subprotocols, expect):
    async def go():
        async with websockets.connect(url.format(ws=vanilla.ports.ws, wss=vanilla.ports.wss),
                                      subprotocols=subprotocols, ssl=CTX if tls else None, open_timeout=3) as ws:
            return ws.subprotocol, ws.response.headers.get("Sec-WebSocket-Protocol")
    assert asyncio.run(go()) == (expect, expect)


@pytest.mark.lab
def test_websockets_ws_to_tls_port(vanilla):
    async def go():
        await websockets.connect(f"ws://127.0.0.1:{vanilla.ports.wss}", subprotocols=["sip"], open_timeout=3)
    with pytest.raises(InvalidMessage):   # 408e
        asyncio.run(go())


@pytest.mark.lab
def test_websockets_wss_to_plain_port_times_out(vanilla):
    async def go():
        await websockets.connect(f"wss://127.0.0.1:{vanilla.ports.ws}", ssl=CTX, open_timeout=1)
    with pytest.raises(TimeoutError):  # 408f (10 s there; bounded by our open_timeout)
        asyncio.run(go())
