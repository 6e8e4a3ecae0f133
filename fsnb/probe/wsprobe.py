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
MAX_UNMATCHED = 256   # SIP messages answering nothing fsnb sent, before it stops listening (a flood)


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
    unmatched: int = 0             # SIP messages that answered none of fsnb's requests: ignored, counted up to MAX_UNMATCHED
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


class _NoRedirect(websockets.connect):
    """A browser's WebSocket never follows a redirect (RFC 6455 4.1: any status but 101 fails the connection): the
    3xx is the answer, not a hop to take (websockets ≥ 14 would follow it, and raise on an https:// Location)."""

    def process_redirect(self, exc: Exception) -> Exception:
        return exc


async def run(hop: HopTarget, timeout: float, sip_user: str = "", sip_password: str = "", domain: str = "") -> HopResult:
    t0 = time.monotonic()
    deadline = t0 + timeout
    left = lambda: max(0.05, deadline - time.monotonic())     # the handshake's open_timeout (SIP waits use `deadline`)
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
            ws = await _NoRedirect(hop.url, subprotocols=["sip"], open_timeout=left(), close_timeout=0.2,
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
        ex = Exchange(ws, deadline)
        req = sip.options(target_uri, hop.via_transport)
        res.sip_request = req.serialize()
        try:
            answer, control = await _answer_or_proof(ex, req, hop, target_uri)
            if answer is not None and sip_user and sip_password and res.outcome == "ok":
                res.register = await _register(ex, hop, sip_user, sip_password, domain or "127.0.0.1")
        finally:
            res.unmatched = ex.unmatched
        if answer is None:
            if ex.not_sip is not None:
                res.outcome, res.detail = "sip-error", f"answer is not SIP: {ex.not_sip[1]}"
                res.sip_response = ex.not_sip[0]
                return res
            if res.outcome == "ok":
                res.outcome = "sip-no-answer"
                if control:
                    res.detail = (f"WebSocket open, but OPTIONS with Via SIP/2.0/{hop.via_transport} got no answer, while the "
                                  f"same OPTIONS with Via SIP/2.0/{_other(hop.via_transport)} on this connection got "
                                  f"'{control.splitlines()[0]}': the request was dropped for its Via transport")
                else:
                    res.detail = (f"WebSocket open, but no SIP answer to OPTIONS (Via SIP/2.0/{hop.via_transport}) "
                                  f"within {timeout:.1f}s")
                if ex.unmatched:
                    res.detail += f"; {ex.unmatched_note()}"
            res.sip_response = control or ""
            return res
        res.sip_response = answer
        res.sip_status = sip.parse(answer).status
        if res.outcome == "ok":
            res.detail = f"101 with subprotocol sip; OPTIONS answered {res.sip_response.splitlines()[0]}"
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


class Exchange:
    """SIP over one WebSocket: requests sent, and every message read matched to one of them by Call-ID, CSeq (number
    and method) and top Via branch. A message that answers none of them (another call's, a request from the peer,
    a provisional answer to nothing) is counted and ignored; past MAX_UNMATCHED fsnb stops listening. Every wait ends
    at the hop's deadline, however fast the peer sends."""

    def __init__(self, ws, deadline: float):
        self.ws, self.deadline = ws, deadline
        self._sent: set[tuple[str, str, str]] = set()
        self._final: dict[tuple[str, str, str], str] = {}
        self.unmatched = 0
        self.not_sip: tuple[str, str] | None = None    # (text, why) of the first message that is not SIP at all

    async def send(self, req: sip.SipMessage) -> None:
        self._sent.add(req.transaction)
        await self.ws.send(req.serialize())

    def answer(self, req: sip.SipMessage) -> str | None:
        """The final answer (>= 200) to `req`, as received; None while there is none."""
        return self._final.get(req.transaction)

    @property
    def flooded(self) -> bool:
        return self.unmatched >= MAX_UNMATCHED

    def unmatched_note(self) -> str:
        more = f" (stopped listening after {MAX_UNMATCHED})" if self.flooded else ""
        return f"{self.unmatched} SIP message(s) on this connection answer none of fsnb's requests{more}"

    async def until(self, done, deadline: float | None = None) -> bool:
        """Read until done() is true (True), or until the deadline, a flood or a message that is not SIP (False)."""
        end = self.deadline if deadline is None else min(deadline, self.deadline)
        while not done():
            left = end - time.monotonic()
            if left <= 0 or self.flooded or self.not_sip is not None:
                return False
            try:
                msg = await asyncio.wait_for(self.ws.recv(), left)
            except (asyncio.TimeoutError, TimeoutError):
                return False
            self._take(msg if isinstance(msg, str) else msg.decode(errors="replace"))
        return True

    def _take(self, text: str) -> None:
        try:
            m = sip.parse(text)
        except ProtocolError as exc:
            self.not_sip = (text[:2000], str(exc))
            return
        key = m.transaction
        if not m.is_response or key not in self._sent:
            self.unmatched += 1
        elif (m.status or 0) >= 200:
            self._final.setdefault(key, text)      # a retransmitted final answer changes nothing


async def _answer_or_proof(ex: Exchange, req: sip.SipMessage, hop: HopTarget, uri: str) -> tuple[str | None, str | None]:
    """The answer to `req`, and a fast proof of a silent drop: an OPTIONS with the other Via transport goes out
    right behind it on the same connection. FreeSWITCH answers in order and drops whichever Via does not match
    the connection, so an answered control with no answer to `req` proves `req` was dropped.
    Returns (answer, None) or (None, control answer)."""
    ctrl = sip.options(uri, _other(hop.via_transport))
    await ex.send(req)
    await ex.send(ctrl)
    await ex.until(lambda: ex.answer(req) is not None or ex.answer(ctrl) is not None)
    if ex.answer(req) is None and ex.answer(ctrl) is not None:
        await ex.until(lambda: ex.answer(req) is not None, time.monotonic() + SETTLE)
    answer = ex.answer(req)
    return (answer, None) if answer is not None else (None, ex.answer(ctrl))


async def _register(ex: Exchange, hop: HopTarget, user: str, password: str, domain: str) -> list[str]:
    call_id, tag = secrets.token_hex(16), secrets.token_hex(5)
    out = []
    req = sip.register(domain, user, hop.via_transport, call_id, 1, tag)
    await ex.send(req)
    if not await ex.until(lambda: ex.answer(req) is not None):
        return ["REGISTER: no answer"]
    first = sip.parse(ex.answer(req))
    out.append(f"REGISTER -> {first.start}")
    if first.status == 401 and first.header("WWW-Authenticate"):
        try:
            ch = sip.parse_challenge(first.header("WWW-Authenticate"))
        except ProtocolError as exc:
            out.append(f"REGISTER (digest): challenge not usable: {exc}")
            return out
        auth = sip.authorization(user, password, ch, "REGISTER", f"sip:{domain}")
        second_req = sip.register(domain, user, hop.via_transport, call_id, 2, tag, auth)
        await ex.send(second_req)
        if not await ex.until(lambda: ex.answer(second_req) is not None):
            out.append("REGISTER (digest): no answer")
            return out
        second = sip.parse(ex.answer(second_req))
        out.append(f"REGISTER (digest) -> {second.start}")
        if second.status == 200:   # clean up: unregister (its answer is not waited for)
            await ex.send(sip.register(domain, user, hop.via_transport, call_id, 3, tag,
                                       sip.authorization(user, password, ch, "REGISTER", f"sip:{domain}"), expires=0))
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
