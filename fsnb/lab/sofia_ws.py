"""WebSocket transport as sofia-sip (tport_ws) answers it, and SIP over it as mod_sofia does.

Stands in for FreeSWITCH 1.11 in the lab; behaviour follows shared/fixtures/freeswitch 401-411.
The server side is hand-written on purpose: a library server would add or reorder headers
that sofia-sip does not send.
"""
from __future__ import annotations

import asyncio
import base64
import datetime as _dt
import hashlib
import secrets
import string
import struct
import uuid
from typing import TYPE_CHECKING

from fsnb.errors import ProtocolError
from fsnb.lab import outputs
from fsnb.probe import sip

if TYPE_CHECKING:
    from fsnb.lab.sofia import Profile

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
HTTP_TIMEOUT = 10.0  # sofia-sip drops a connection whose HTTP request is not complete after 10 s (407)
BAD_REQUEST = b"HTTP/1.1 400 Bad Request\r\nSec-WebSocket-Version: 13\r\n\r\n"
MAX_FRAME = 1 << 20


def _tag(n: int = 13) -> str:
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(n))


def accept_key(key: str) -> str:
    return base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()


def handshake_response(request: bytes) -> tuple[bytes, bool]:
    """(bytes to send, upgraded?) for one HTTP request head, exactly as sofia-sip answers."""
    lines = request.decode("latin-1").split("\r\n")
    method = lines[0].split(" ", 1)[0]
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    key = headers.get("sec-websocket-key")
    if method != "GET" or not key:
        return BAD_REQUEST, False
    out = ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           f"Sec-WebSocket-Accept: {accept_key(key)}\r\n")
    if "sec-websocket-protocol" in headers:  # echoed as offered; no header when none offered
        out += f"Sec-WebSocket-Protocol: {headers['sec-websocket-protocol']}\r\n"
    return (out + "\r\n").encode("latin-1"), True


def encode_frame(payload: bytes, opcode: int = 1) -> bytes:
    n = len(payload)
    if n < 126:
        head = struct.pack("!BB", 0x80 | opcode, n)
    elif n < 65536:
        head = struct.pack("!BBH", 0x80 | opcode, 126, n)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 127, n)
    return head + payload


async def read_frame(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    b1, b2 = await reader.readexactly(2)
    opcode, n = b1 & 0x0F, b2 & 0x7F
    if n == 126:
        (n,) = struct.unpack("!H", await reader.readexactly(2))
    elif n == 127:
        (n,) = struct.unpack("!Q", await reader.readexactly(8))
    if n > MAX_FRAME:
        raise ProtocolError("frame too large")
    mask = await reader.readexactly(4) if b2 & 0x80 else b"\0\0\0\0"
    data = bytearray(await reader.readexactly(n))
    for i in range(n):
        data[i] ^= mask[i % 4]
    return opcode, bytes(data)


class WsConnection:
    def __init__(self, profile: "Profile", transport: str, reader, writer):
        self.profile, self.transport, self.reader, self.writer = profile, transport, reader, writer
        peer = writer.get_extra_info("peername") or ("127.0.0.1", 0)
        self.peer_ip, self.peer_port = peer[0], peer[1]

    async def serve(self) -> None:
        try:
            try:
                head = await asyncio.wait_for(self.reader.readuntil(b"\r\n\r\n"), HTTP_TIMEOUT)
            except (asyncio.TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
                return
            answer, upgraded = handshake_response(head[:-4])
            self.writer.write(answer)
            await self.writer.drain()
            if not upgraded:
                return
            while True:
                opcode, payload = await read_frame(self.reader)
                if opcode == 8:
                    self.writer.write(encode_frame(payload[:2], 8))
                    await self.writer.drain()
                    return
                if opcode == 9:
                    self.writer.write(encode_frame(payload, 10))
                elif opcode in (1, 2):
                    reply = self.on_sip(payload.decode("utf-8", errors="replace"))
                    if reply:
                        self.writer.write(encode_frame(reply.encode()))
                await self.writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, ProtocolError, OSError):
            return
        finally:
            self.writer.close()

    # -- SIP (mod_sofia) -------------------------------------------------------------
    def on_sip(self, text: str) -> str | None:
        try:
            msg = sip.parse(text)
        except ProtocolError:
            return None
        if msg.is_response:
            return None
        # sofia-sip drops requests whose Via transport differs from the connection's, silently (410c/d)
        if msg.via_transport != self.transport:
            return None
        if msg.method == "OPTIONS":
            return self._response(msg, "200 OK", [
                ("Contact", f"<sip:{self.profile.sip_ip}:{self.profile.contact_port};transport=udp>"),
                ("User-Agent", outputs.USER_AGENT), ("Accept", "application/sdp"), ("Allow", outputs.ALLOW),
                ("Supported", "timer, path, replaces"), ("Allow-Events", outputs.ALLOW_EVENTS),
            ])
        if msg.method == "REGISTER":
            return self._register(msg)
        return self._response(msg, "405 Method Not Allowed", [("User-Agent", outputs.USER_AGENT), ("Allow", outputs.ALLOW)])

    def _response(self, req: sip.SipMessage, status: str, extra: list[tuple[str, str]]) -> str:
        via = req.header("Via") or ""
        via = via.replace(";rport", f";rport={self.peer_port};received={self.peer_ip}", 1) if ";rport" in via else via
        to = req.header("To") or ""
        if ";tag=" not in to:
            to += f";tag={_tag()}"
        headers = [("Via", via), ("From", req.header("From") or ""), ("To", to),
                   ("Call-ID", req.header("Call-ID") or ""), ("CSeq", req.header("CSeq") or "")]
        return sip.SipMessage(f"SIP/2.0 {status}", headers + extra + [("Content-Length", "0")]).serialize()

    def _register(self, msg: sip.SipMessage) -> str:
        common = [("User-Agent", outputs.USER_AGENT), ("Allow", outputs.ALLOW), ("Supported", "timer, path, replaces")]
        realm = self.profile.sip_ip
        auth = msg.header("Authorization")
        if not auth:
            nonce = str(uuid.uuid4())
            self.profile.nonces.add(nonce)
            return self._response(msg, "401 Unauthorized", common + [
                ("WWW-Authenticate", f'Digest realm="{realm}", nonce="{nonce}", algorithm=MD5, qop="auth"')])
        try:
            cred = sip.parse_challenge(auth)
        except ProtocolError:
            return self._response(msg, "400 Bad Request", common)
        password = self.profile.fs.directory_password(cred.get("username", ""))
        expected = None
        if password is not None and cred.get("nonce") in self.profile.nonces:
            expected = sip.digest_response(cred["username"], cred.get("realm", ""), password, "REGISTER",
                                           cred.get("uri", ""), cred["nonce"], cred.get("qop"),
                                           cred.get("nc", ""), cred.get("cnonce", ""))
        if expected is None or expected != cred.get("response"):
            return self._response(msg, "403 Forbidden", common)
        expires = int(msg.header("Expires") or "3600")
        date = _dt.datetime.now(_dt.timezone.utc).strftime("%a, %d %b %Y %H:%M:%S GMT")
        if expires == 0:
            self.profile.registrations.pop(cred["username"], None)
            return self._response(msg, "200 OK", [("Date", date)] + common)
        self.profile.registrations[cred["username"]] = {
            "call_id": msg.header("Call-ID") or "", "contact": msg.header("Contact") or "",
            "agent": msg.header("User-Agent") or "", "ip": self.peer_ip, "port": str(self.peer_port),
            "transport": self.transport, "expires": expires, "realm": realm,
        }
        return self._response(msg, "200 OK", [("Contact", f"{msg.header('Contact')};expires={expires}"), ("Date", date)] + common)
