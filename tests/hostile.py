"""Hostile peers on loopback, for the tests: each behaves as a broken or wrong server would."""
from __future__ import annotations

import asyncio
import socket
import ssl
import struct
import threading


def target_toml(tmp_path, esl_port: int, ws_port: int, wss_port: int, env: str = "FSNB_T_PW", check: float = 1.5,
                name: str = "hostile", sip_port: int = 4) -> str:
    """A local target pointing at these peers (or at nothing), with its files in tmp_path (mostly absent). Its SIP
    port too: 5060 may be another FreeSWITCH's on this machine (a lab), which would make this one look alive."""
    return f"""
name = "{name}"
[freeswitch]
container = ""
access = "local"
esl_port = {esl_port}
sip_port = {sip_port}
ws_port = {ws_port}
wss_port = {wss_port}
esl_password = "env:{env}"
conf_dir = "{tmp_path}/nope"
log_file = "{tmp_path}/nope.log"
[nginx]
address = "127.0.0.1:{ws_port}"
config = "{tmp_path}/nginx.conf"
[tunnel]
config = "{tmp_path}/config.yml"
public_url = "wss://127.0.0.1:{wss_port}/"
[timeouts]
check = {check}
"""


class Server:
    """Runs one asyncio server per behaviour in a background thread; `port` is where it listens."""

    def __init__(self, handler, tls: ssl.SSLContext | None = None):
        self.handler, self.tls = handler, tls
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.port = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        self.ready.wait(5)

    def _run(self):
        asyncio.set_event_loop(self.loop)
        srv = self.loop.run_until_complete(asyncio.start_server(self._wrap, "127.0.0.1", 0, ssl=self.tls))
        self.port = srv.sockets[0].getsockname()[1]
        self.ready.set()
        self.loop.run_forever()

    async def _wrap(self, reader, writer):
        try:
            await self.handler(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError, OSError):
            pass
        finally:
            try:
                writer.close()
            except Exception:
                pass

    def close(self):
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(2)


async def tarpit(reader, writer):
    while await reader.read(65536):
        pass


async def http_server(reader, writer):
    await reader.readuntil(b"\n\n") if False else await reader.read(4096)
    writer.write(b"HTTP/1.0 400 Bad request\r\nContent-Type: text/html\r\n\r\n<h1>400</h1>")
    await writer.drain()


async def garbage(reader, writer):
    writer.write(bytes(range(256)) * 4 + b"\x00\xff garbage \xfe")
    await writer.drain()
    await asyncio.sleep(10)


async def reset_mid_frame(reader, writer):
    await asyncio.sleep(0.2)    # let the client finish connecting: the reset must come mid-frame, not mid-connect
    writer.write(b"Content-Type: api/resp")
    await writer.drain()
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))   # RST on close
    writer.transport.abort()


async def slow_drip(reader, writer):
    for b in b"Content-Type: auth/request\n\n":
        writer.write(bytes([b]))
        await writer.drain()
        await asyncio.sleep(0.5)


async def huge_reply(reader, writer):
    writer.write(b"Content-Type: auth/request\n\n")
    await writer.drain()
    await reader.read(4096)
    writer.write(b"Content-Type: command/reply\nContent-Length: 12000000\n\n")
    chunk = b"x" * 65536
    for _ in range(184):   # ~12 MB
        writer.write(chunk)
        await writer.drain()


async def _esl_commands(reader, writer):
    """Greets like ESL, accepts any password; yields each later command (its `\\n\\n`-terminated frame)."""
    writer.write(b"Content-Type: auth/request\n\n")
    await writer.drain()
    buf = b""
    while chunk := await reader.read(4096):
        buf += chunk
        while b"\n\n" in buf:
            cmd, buf = buf.split(b"\n\n", 1)
            if cmd.startswith(b"auth "):
                writer.write(b"Content-Type: command/reply\nReply-Text: +OK accepted\n\n")
                await writer.drain()
            else:
                yield cmd


async def esl_stall_after_auth(reader, writer):
    """Greets like ESL, accepts the password, then never answers an api call (python-ESL would hang forever)."""
    async for _ in _esl_commands(reader, writer):
        pass


ESL_CONNECTIONS = []


async def esl_minimal(reader, writer):
    """Just enough ESL for python-ESL (greeting, auth, api/response); counts its connections."""
    ESL_CONNECTIONS.append(1)
    async for cmd in _esl_commands(reader, writer):
        if cmd.startswith(b"api "):
            body = b"+OK " + cmd[4:].strip()
            writer.write(b"Content-Type: api/response\nContent-Length: %d\n\n%s" % (len(body), body))
            await writer.drain()


async def esl_echo_password(reader, writer):
    """A nasty ESL: it reflects whatever the client sends (including the auth line) back into its reply."""
    writer.write(b"Content-Type: auth/request\n\n")
    await writer.drain()
    data = await reader.read(4096)
    text = data.decode(errors="replace").strip()
    writer.write(f"Content-Type: command/reply\nReply-Text: -ERR invalid ({text})\n\n".encode())
    await writer.drain()


async def http_big_header(reader, writer):
    await reader.read(4096)
    writer.write(b"HTTP/1.1 101 Switching Protocols\r\nX-Big: " + b"a" * (11 * 1024 * 1024) + b"\r\n\r\n")
    await writer.drain()


def tls_context(cert_pem: bytes, key_pem: bytes, tmp) -> ssl.SSLContext:
    p = tmp / "srv.pem"
    p.write_bytes(key_pem + cert_pem)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(str(p))
    return ctx


async def ws_ok(reader, writer):
    """A minimal WebSocket server (sofia-sip's answer) behind TLS, for certificate tests."""
    from fsnb.lab.sofia_ws import handshake_response
    head = await reader.readuntil(b"\r\n\r\n")
    answer, _ = handshake_response(head[:-4])
    writer.write(answer)
    await writer.drain()
    await asyncio.sleep(5)


class EslRecorder:
    """An ESL peer that records every frame it is sent (greets, accepts any password, answers each `api` with
    `+OK <n>`): the count of recorded commands shows whether a value smuggled a second one in."""

    def __init__(self):
        self.frames: list[bytes] = []
        self.connections = 0

    async def __call__(self, reader, writer):
        self.connections += 1
        writer.write(b"Content-Type: auth/request\n\n")
        await writer.drain()
        buf = b""
        while chunk := await reader.read(65536):
            buf += chunk
            while b"\n\n" in buf:
                frame, buf = buf.split(b"\n\n", 1)
                frame = frame.lstrip(b"\n")
                self.frames.append(frame)
                if frame.startswith(b"auth "):
                    writer.write(b"Content-Type: command/reply\nReply-Text: +OK accepted\n\n")
                elif frame.startswith(b"api "):
                    body = b"+OK %d" % len(self.frames)
                    writer.write(b"Content-Type: api/response\nContent-Length: %d\n\n%s" % (len(body), body))
                elif frame.startswith(b"exit"):
                    writer.write(b"Content-Type: command/reply\nReply-Text: +OK bye\n\n")
                await writer.drain()

    def commands(self) -> list[bytes]:
        return [f for f in self.frames if not f.startswith(b"auth ")]


def esl_api_reply(head: bytes, body: bytes = b""):
    """An ESL peer that greets, accepts any password and answers every `api` with `head` (its header block, without
    the blank line) and `body` as they are: a Content-Length of -2 made python-ESL read out of bounds (exit 139)."""
    async def handler(reader, writer):
        async for cmd in _esl_commands(reader, writer):
            if cmd.startswith(b"api "):
                writer.write(head + b"\n\n" + body)
                await writer.drain()
    return handler


async def esl_close_after_auth(reader, writer):
    """Greets, accepts the password, then hangs up."""
    writer.write(b"Content-Type: auth/request\n\n")
    await writer.drain()
    await reader.readuntil(b"\n\n")
    writer.write(b"Content-Type: command/reply\nReply-Text: +OK accepted\n\n")
    await writer.drain()
    writer.close()


async def esl_close_on_api(reader, writer):
    """Greets, accepts the password, hangs up on the first api command."""
    async for cmd in _esl_commands(reader, writer):
        if cmd.startswith(b"api "):
            writer.transport.abort()
            return


async def esl_status_only(reader, writer):
    """Answers every api command as FreeSWITCH would (`status`: UP), except `sofia …`: that stays unanswered."""
    async for cmd in _esl_commands(reader, writer):
        words = cmd.split()
        if words[:1] == [b"api"] and words[1:2] != [b"sofia"]:
            body = b"UP 0 years, 0 days, 0 hours, 1 minute, 2 seconds, 3 milliseconds, 4 microseconds\n" \
                if words[1:] == [b"status"] else b"-ERR no reply\n"
            writer.write(b"Content-Type: api/response\nContent-Length: %d\n\n%s" % (len(body), body))
            await writer.drain()


async def _ws_accept(reader, writer):
    from fsnb.lab.sofia_ws import handshake_response
    head = await reader.readuntil(b"\r\n\r\n")
    answer, _ = handshake_response(head[:-4])
    writer.write(answer)
    await writer.drain()


def _sip_answer(request: bytes, status: str) -> bytes:
    """`SIP/2.0 <status>` to `request`, its Via, From, To, Call-ID and CSeq echoed as a SIP server does."""
    from fsnb.probe import sip
    req = sip.parse(request.decode())
    keep = [(k, v) for k, v in req.headers if k.lower() in ("via", "from", "call-id", "cseq")]
    keep.append(("To", (req.header("To") or "") + ";tag=hostile"))
    return sip.SipMessage(f"SIP/2.0 {status}", keep + [("Content-Length", "0")]).serialize().encode()


async def ws_sip_options_ok_register_403(reader, writer):
    """Answers every OPTIONS, whatever its Via (also the probe's control), and rejects REGISTER with 403."""
    from fsnb.lab.sofia_ws import encode_frame, read_frame
    await _ws_accept(reader, writer)
    while True:
        opcode, data = await read_frame(reader)
        if opcode == 8:
            return
        if data.startswith(b"OPTIONS "):
            writer.write(encode_frame(_sip_answer(data, "200 OK")))
        elif data.startswith(b"REGISTER "):
            writer.write(encode_frame(_sip_answer(data, "403 Forbidden")))
        await writer.drain()


async def ws_sip_foreign_flood(reader, writer, seconds: float = 12.0):
    """101 with `sip`, then SIP answers with a foreign Call-ID, as fast as the client reads (for `seconds` at most):
    a client that never looks at its clock never gets out."""
    from fsnb.lab.sofia_ws import encode_frame
    await _ws_accept(reader, writer)
    frame = encode_frame(b"SIP/2.0 200 OK\r\nVia: SIP/2.0/WSS fsnb.invalid;branch=z9hG4bKforeign\r\nCall-ID: foreign\r\n"
                         b"CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n")
    end = asyncio.get_running_loop().time() + seconds
    while asyncio.get_running_loop().time() < end:
        writer.write(frame * 64)
        await writer.drain()


async def esl_blank_lines_after_auth(reader, writer, seconds: float = 8.0):
    """Greets, then answers `auth` with blank lines (which ESL skips between frames), as fast as they are read."""
    writer.write(b"Content-Type: auth/request\n\n")
    await writer.drain()
    await reader.readuntil(b"\n\n")
    end = asyncio.get_running_loop().time() + seconds
    while asyncio.get_running_loop().time() < end:
        writer.write(b"\n" * 65536)
        await writer.drain()
