"""One hop of the WebSocket path: RFC 6455 handshake offering `sip` (websockets client), then SIP over it."""
from __future__ import annotations

import asyncio
import logging
import os
import secrets
import ssl
import time
from dataclasses import dataclass, field

import websockets
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidMessage, InvalidStatus

from fsnb.errors import ProtocolError
from fsnb.probe import sip

# one logger for every connection: websockets otherwise looks one up per connection (logging's global lock, ~0.4 ms
# each under a fleet's threads)
LOG = logging.getLogger("websockets.client")

MAX_MESSAGE = 1 << 20


@dataclass
class HopTarget:
    """Where a hop is dialled and what a browser behind it sends: the probe's input. (What a check saw on a hop is
    fsnb.diagnosis.observed.Hop; the two were both called Hop.)"""
    name: str
    url: str                       # what a client dials, e.g. wss://freeswitch.aidevelo.ai/
    via_transport: str             # what a browser behind this hop puts in Via: WS or WSS
    connect: tuple[str, int] | None = None  # dial here instead of the URL's host (lab stand-in)
    server_hostname: str | None = None
    ca_file: str = ""


@dataclass
class HopResult:
    outcome: str                   # ok | refused | timeout | tls-error | http-status | not-http | no-subprotocol | sip-no-answer | sip-error | error
    detail: str
    status: int | None = None
    subprotocol: str | None = None
    tls_verified: bool | None = None
    request: str = ""
    response: str = ""
    sip_request: str = ""
    sip_response: str = ""
    sip_status: int | None = None
    register: list[str] = field(default_factory=list)
    elapsed: float = 0.0


_CONTEXTS: dict[tuple, ssl.SSLContext] = {}


def _ssl(hop: HopTarget, verify: bool) -> ssl.SSLContext:
    """A client context per CA file and mode, reused: loading a CA store costs more than the handshake. Keyed by the
    file's mtime and size too, so a CA replaced between runs (a new lab) is read again."""
    try:
        st = os.stat(hop.ca_file) if hop.ca_file else None
    except OSError:
        st = None   # create_default_context names the missing file in its error (not cached: it raises)
    key = (hop.ca_file, st and (st.st_mtime_ns, st.st_size, st.st_ino), verify)
    ctx = _CONTEXTS.get(key)
    if ctx is None:
        if verify:
            ctx = ssl.create_default_context(cafile=hop.ca_file or None)
        else:   # the second look, unverified: without loading a CA store it would not use (the system's: ~20 ms)
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        if len(_CONTEXTS) > 256:
            _CONTEXTS.clear()
        _CONTEXTS[key] = ctx
    return ctx


def _headers(h) -> str:
    return "\n".join(f"{k}: {v}" for k, v in h.raw_items())


async def run(hop: HopTarget, timeout: float, sip_user: str = "", sip_password: str = "", domain: str = "") -> HopResult:
    t0 = time.monotonic()
    deadline = t0 + timeout
    left = lambda: max(0.05, deadline - time.monotonic())
    tls = hop.url.startswith("wss://")
    kwargs = {}
    if hop.connect:
        kwargs["host"], kwargs["port"] = hop.connect
    verified = None
    for attempt in ((True, False) if tls else (None,)):
        if tls:
            try:
                kwargs["ssl"] = _ssl(hop, attempt)
            except (OSError, ssl.SSLError) as exc:
                return HopResult("error", f"CA file {hop.ca_file}: {exc.strerror or exc}", elapsed=time.monotonic() - t0)
            if hop.server_hostname:
                kwargs["server_hostname"] = hop.server_hostname
        try:
            ws = await websockets.connect(hop.url, subprotocols=["sip"], open_timeout=left(), close_timeout=0.2,
                                          max_size=MAX_MESSAGE, ping_interval=None, proxy=None, logger=LOG, **kwargs)
            verified = attempt if tls else None
            break
        except ssl.SSLCertVerificationError as exc:
            verified = False
            cert_err = exc.verify_message or str(exc)
            continue
        except ConnectionRefusedError:
            return HopResult("refused", f"{_dial(hop)}: connection refused (nothing listens)", elapsed=time.monotonic() - t0)
        except (asyncio.TimeoutError, TimeoutError):
            return HopResult("timeout", f"{_dial(hop)}: no WebSocket handshake within {timeout:.1f}s", elapsed=time.monotonic() - t0)
        except InvalidStatus as exc:
            r = exc.response
            body = (r.body or b"")[:300].decode(errors="replace")
            return HopResult("http-status", f"{_dial(hop)}: HTTP {r.status_code} {r.reason_phrase} instead of 101",
                             status=r.status_code, response=f"HTTP/1.1 {r.status_code} {r.reason_phrase}\n{_headers(r.headers)}\n\n{body}",
                             elapsed=time.monotonic() - t0)
        except InvalidMessage as exc:
            cause = exc.__cause__
            return HopResult("not-http", f"{_dial(hop)}: no valid HTTP response ({cause or exc})", elapsed=time.monotonic() - t0)
        except ssl.SSLError as exc:
            return HopResult("tls-error", f"{_dial(hop)}: TLS failed ({exc.reason or exc})", elapsed=time.monotonic() - t0)
        except (InvalidHandshake, OSError, EOFError) as exc:
            return HopResult("error", f"{_dial(hop)}: {exc.__class__.__name__}: {exc}", elapsed=time.monotonic() - t0)
    else:
        return HopResult("tls-error", f"{_dial(hop)}: certificate not trusted ({cert_err})", tls_verified=False,
                         elapsed=time.monotonic() - t0)
    try:
        res = HopResult("ok", "", status=101, subprotocol=ws.subprotocol, tls_verified=verified,
                        request=f"GET {ws.request.path} HTTP/1.1\n{_headers(ws.request.headers)}",
                        response=f"HTTP/1.1 101 {ws.response.reason_phrase}\n{_headers(ws.response.headers)}")
        if ws.subprotocol != "sip":
            res.outcome = "no-subprotocol"
            res.detail = "101 without `Sec-WebSocket-Protocol: sip` although the client offered it"
        target_uri = f"sip:{domain or '127.0.0.1'}"
        req = sip.options(target_uri, hop.via_transport)
        res.sip_request = req.serialize()
        await ws.send(res.sip_request)
        answer, control = await _answer_or_proof(ws, req, hop, target_uri, left)
        if answer is None:
            if res.outcome == "ok":
                res.outcome = "sip-no-answer"
                if control:
                    res.detail = (f"WebSocket open, but OPTIONS with Via SIP/2.0/{hop.via_transport} got no answer, while the "
                                  f"same OPTIONS with Via SIP/2.0/{_other(hop.via_transport)} on this connection got "
                                  f"'{control.splitlines()[0]}': the request was dropped for its Via transport")
                else:
                    res.detail = (f"WebSocket open, but no SIP answer to OPTIONS (Via SIP/2.0/{hop.via_transport}) "
                                  f"within {timeout:.1f}s")
            res.sip_response = control or ""
            return res
        res.sip_response = answer
        try:
            res.sip_status = sip.parse(res.sip_response).status
        except ProtocolError as exc:
            res.outcome, res.detail = "sip-error", f"answer is not SIP: {exc}"
            return res
        if res.outcome == "ok":
            res.detail = f"101 with subprotocol sip; OPTIONS answered {res.sip_response.splitlines()[0]}"
        if sip_user and sip_password and res.outcome == "ok":
            res.register = await _register(ws, hop, sip_user, sip_password, domain or "127.0.0.1", left)
        return res
    except ConnectionClosed as exc:
        return HopResult("error", f"{_dial(hop)}: connection closed ({exc})", status=101, elapsed=time.monotonic() - t0)
    finally:
        try:
            await asyncio.wait_for(ws.close(), 0.3)
        except Exception:
            pass


# after the control's answer, how long the first answer may still trail it: sofia-sip handles one connection's
# messages in order, so it never should; a margin for scheduling only (this wait is on a run's critical path)
SETTLE = 0.02


def _other(transport: str) -> str:
    return "WS" if transport == "WSS" else "WSS"


async def _answer_or_proof(ws, req: sip.SipMessage, hop: HopTarget, uri: str, left) -> tuple[str | None, str | None]:
    """The answer to `req`, and a fast proof of a silent drop: an OPTIONS with the other Via transport goes out
    right behind it on the same connection. FreeSWITCH answers in order and drops whichever Via does not match
    the connection, so an answered control with no answer to `req` proves `req` was dropped.
    Returns (answer, control answer)."""
    call_id = req.header("Call-ID")
    ctrl = sip.options(uri, _other(hop.via_transport))
    control_id = ctrl.header("Call-ID")
    await ws.send(ctrl.serialize())
    control = None
    while True:
        wait = left() if control is None else min(SETTLE, left())
        try:
            msg = await asyncio.wait_for(ws.recv(), wait)
        except (asyncio.TimeoutError, TimeoutError):
            return None, control
        text = msg if isinstance(msg, str) else msg.decode(errors="replace")
        try:
            got = sip.parse(text).header("Call-ID")
        except ProtocolError:
            return text, None
        if got == call_id:
            return text, None
        if got == control_id:
            control = text


async def _register(ws, hop: HopTarget, user: str, password: str, domain: str, left) -> list[str]:
    call_id, tag = secrets.token_hex(16), secrets.token_hex(5)
    out = []
    req = sip.register(domain, user, hop.via_transport, call_id, 1, tag)
    await ws.send(req.serialize())
    try:
        first = sip.parse(await asyncio.wait_for(ws.recv(), left()))
    except (asyncio.TimeoutError, TimeoutError):
        return ["REGISTER: no answer"]
    out.append(f"REGISTER -> {first.start}")
    if first.status == 401 and first.header("WWW-Authenticate"):
        ch = sip.parse_challenge(first.header("WWW-Authenticate"))
        auth = sip.authorization(user, password, ch, "REGISTER", f"sip:{domain}")
        await ws.send(sip.register(domain, user, hop.via_transport, call_id, 2, tag, auth).serialize())
        try:
            second = sip.parse(await asyncio.wait_for(ws.recv(), left()))
            out.append(f"REGISTER (digest) -> {second.start}")
            if second.status == 200:   # clean up: unregister
                await ws.send(sip.register(domain, user, hop.via_transport, call_id, 3, tag,
                                           sip.authorization(user, password, ch, "REGISTER", f"sip:{domain}"), expires=0).serialize())
        except (asyncio.TimeoutError, TimeoutError):
            out.append("REGISTER (digest): no answer")
    return out


def _dial(hop: HopTarget) -> str:
    if hop.connect:
        return f"{hop.url} (via {hop.connect[0]}:{hop.connect[1]})"
    return hop.url


async def analysis_curl(host: str, port: int, timeout: float) -> tuple[str, str]:
    """The analysis' `curl -v -H 'Upgrade: websocket' -H 'Connection: Upgrade' http://localhost:7443/`, byte for byte."""
    req = (f"GET / HTTP/1.1\r\nHost: localhost:{port}\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n"
           "Upgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    except ConnectionRefusedError:
        return "refused", f"curl: (7) Failed to connect to {host} port {port}: Connection refused"
    except (asyncio.TimeoutError, OSError) as exc:
        return "error", f"curl: (28) connect: {exc}"
    try:
        writer.write(req.encode())
        try:
            data = await asyncio.wait_for(reader.read(4096), timeout)
        except asyncio.TimeoutError:
            return "timeout", f"curl: (28) Operation timed out after {int(timeout * 1000)} milliseconds with 0 bytes received"
        except ConnectionResetError:
            data = b""
        if not data:
            return "empty", "curl: (52) Empty reply from server"
        return "http", data.decode(errors="replace").split("\r\n\r\n")[0]
    finally:
        writer.close()
