"""A SIP-over-WebSocket call as a browser's UA places it: INVITE (with digest on 407), ACK, BYE (RFC 3261, 7118).

Rides on wsprobe.Exchange, which matches every answer to its request and bounds every wait by the hop's deadline.
"""
from __future__ import annotations

import asyncio
import re
import secrets
from dataclasses import dataclass, field

from fsnb.errors import ProtocolError
from fsnb.probe import sip
from fsnb.probe.wsprobe import Exchange

AUTH_RETRY_GAP = 0.05
HOST = "fsnb.invalid"     # the UA's Via/Contact host: a WebSocket client has no address of its own (RFC 7118)
_URI = re.compile(r"<(sips?:[^>\s]{1,256})>")


@dataclass
class Dialog:
    """One call leg, its identifiers and what the server said (first lines only: evidence)."""
    domain: str
    user: str
    callee: str
    transport: str
    call_id: str = field(default_factory=lambda: secrets.token_hex(16))
    from_tag: str = field(default_factory=lambda: secrets.token_hex(5))
    cseq: int = 0
    to_header: str = ""        # To of the 2xx (with the server's tag)
    remote_target: str = ""    # the 2xx's Contact URI: where in-dialog requests go
    lines: list[str] = field(default_factory=list)

    @property
    def uri(self) -> str:
        return f"sip:{self.callee}@{self.domain}"

    def request(self, method: str, cseq: int, *, body: str = "", auth: tuple[str, str] | None = None,
                branch: str | None = None, to: str | None = None, uri: str | None = None) -> sip.SipMessage:
        t = self.transport.upper()
        headers = [
            ("Via", f"SIP/2.0/{t} {HOST};branch={branch or 'z9hG4bK' + secrets.token_hex(8)};rport"),
            ("Max-Forwards", "70"),
            ("To", to or f"<{self.uri}>"),
            ("From", f"<sip:{self.user}@{self.domain}>;tag={self.from_tag}"),
            ("Call-ID", self.call_id),
            ("CSeq", f"{cseq} {method}"),
            ("Contact", f"<sip:{self.user}@{HOST};transport=ws>"),
        ]
        if auth:
            headers.append(auth)
        if body:
            headers.append(("Content-Type", "application/sdp"))
        headers += [("User-Agent", "fsnb-probe"), ("Content-Length", str(len(body.encode())))]
        return sip.SipMessage(f"{method} {uri or self.uri} SIP/2.0", headers, body)


@dataclass
class InviteResult:
    status: int | None          # final status; None: no final answer in time
    reason: str = ""
    answer_sdp: str = ""
    warning: str = ""           # Reason/Warning header of a failure (capped)


def _branch(req: sip.SipMessage) -> str:
    return req.transaction[2]


async def _ack_failure(ex: Exchange, d: Dialog, req: sip.SipMessage, resp: sip.SipMessage) -> None:
    """ACK a non-2xx final answer in its own transaction (same branch), so the server stops retransmitting it."""
    cseq = int(req.transaction[1].split()[0])
    ack = d.request("ACK", cseq, branch=_branch(req), to=resp.header("To") or f"<{d.uri}>")
    await ex.ws.send(ack.serialize())     # an ACK has no answer: not an Exchange transaction


async def invite(ex: Exchange, d: Dialog, offer: str, password: str) -> InviteResult:
    """INVITE with `offer`; on 401/407 once more with digest. The 2xx is ACKed; the dialog is set for bye()."""
    challenge_hdr = None
    for attempt in range(2):
        d.cseq += 1
        req = d.request("INVITE", d.cseq, body=offer, auth=challenge_hdr)
        await ex.send(req)
        if not await ex.until(lambda req=req: ex.answer(req) is not None):
            d.lines.append("INVITE: no final answer")
            return InviteResult(None)
        resp = sip.parse(ex.answer(req))
        d.lines.append(f"INVITE{' (digest)' if attempt else ''} -> {resp.start[:120]}")
        status = resp.status or 0
        if status in (401, 407) and attempt == 0:
            await _ack_failure(ex, d, req, resp)
            name = "WWW-Authenticate" if status == 401 else "Proxy-Authenticate"
            try:
                ch = sip.parse_challenge(resp.header(name) or "")
            except ProtocolError as exc:
                return InviteResult(status, f"challenge not usable: {exc}")
            auth_name = "Authorization" if status == 401 else "Proxy-Authorization"
            challenge_hdr = (auth_name, sip.authorization(d.user, password, ch, "INVITE", d.uri))
            # FreeSWITCH detaches the challenged call only when the 407's transaction ends (after the ACK, on its
            # own thread) and re-attaches the authenticated INVITE by Call-ID; one that arrives first is held ~10 s
            # and then runs as a new call (sofia.c:2408/2523, seen on loopback 2 of 5 times). A browser's network
            # gives it that time; on loopback fsnb waits for it.
            await asyncio.sleep(AUTH_RETRY_GAP)
            continue
        reason = resp.start.split(" ", 2)[2][:80] if resp.start.count(" ") >= 2 else ""
        if status >= 300:
            await _ack_failure(ex, d, req, resp)
            why = (resp.header("Reason") or resp.header("Warning") or "")[:200]
            return InviteResult(status, reason, warning=why)
        d.to_header = resp.header("To") or f"<{d.uri}>"
        m = _URI.search(resp.header("Contact") or resp.header("m") or "")
        d.remote_target = m.group(1) if m else d.uri
        await ex.ws.send(d.request("ACK", d.cseq, to=d.to_header, uri=d.remote_target).serialize())
        return InviteResult(status, reason, answer_sdp=resp.body)
    return InviteResult(None, "digest loop")


async def bye(ex: Exchange, d: Dialog, deadline: float) -> int | None:
    """BYE in the dialog; the final status, None without one by `deadline`."""
    d.cseq += 1
    req = d.request("BYE", d.cseq, to=d.to_header, uri=d.remote_target)
    await ex.send(req)
    if not await ex.until(lambda: ex.answer(req) is not None, deadline):
        d.lines.append("BYE: no answer")
        return None
    resp = sip.parse(ex.answer(req))
    d.lines.append(f"BYE -> {resp.start[:120]}")
    return resp.status
