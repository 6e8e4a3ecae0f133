"""The SDP answer of a peer, read as hostile data: size-capped, line-capped, only the fields Step 5 judges.

Also the one repair aiortc needs for FreeSWITCH's answer (../shared/knowledge/webrtc-media.md): FreeSWITCH 1.11
answers a WebRTC offer without `a=mid` and without a direction attribute; aiortc then rejects the answer ("Media
sections in answer do not match offer") or accepts it without starting its sender.
"""
from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field

from fsnb.errors import ProtocolError

MAX_SDP = 16 * 1024          # a real audio answer is ~1 KB
MAX_LINES = 200
MAX_CANDIDATES = 32
DIRECTIONS = ("sendrecv", "sendonly", "recvonly", "inactive")


@dataclass(frozen=True)
class Candidate:
    address: str
    port: int
    protocol: str            # udp | tcp
    kind: str                # host | srflx | relay | prflx


@dataclass
class Answer:
    """What the answer advertises for the first audio section."""
    connection: str = ""                     # the c= address (media level, else session level)
    port: int = 0                            # m=audio port (0: rejected)
    codecs: list[str] = field(default_factory=list)          # rtpmap names in order, e.g. ["PCMU/8000", ...]
    candidates: list[Candidate] = field(default_factory=list)
    fingerprint: str = ""                    # a=fingerprint algorithm (sha-256 …): DTLS-SRTP offered
    setup: str = ""                          # a=setup
    direction: str = ""                      # a=sendrecv … as answered ("" = none: FreeSWITCH)
    mid: str = ""
    ssrcs: list[int] = field(default_factory=list)
    profile: str = ""                        # m= transport, e.g. UDP/TLS/RTP/SAVPF
    ice_lite: bool = False
    dropped: int = 0                         # candidate lines that were not usable (hostname, malformed, too many)

    def addresses(self) -> list[str]:
        """Every address the answer asks the client to send media to (c= and candidates), unique, in order."""
        out = [self.connection] if self.connection else []
        for c in self.candidates:
            if c.address not in out:
                out.append(c.address)
        return out


def _ip(text: str) -> str | None:
    """An IP literal, else None: names are never resolved (no DNS, no mDNS from a probe)."""
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


def parse(text: str) -> Answer:
    if len(text) > MAX_SDP:
        raise ProtocolError(f"SDP of {len(text)} bytes exceeds {MAX_SDP}")
    lines = text.replace("\r\n", "\n").split("\n")
    if len(lines) > MAX_LINES:
        raise ProtocolError(f"SDP with {len(lines)} lines exceeds {MAX_LINES}")
    if not lines or not lines[0].startswith("v=0"):
        raise ProtocolError("not an SDP body (no v=0 first)")
    a, session_c, in_audio, seen_audio, rtpmap = Answer(), "", False, False, {}
    for line in lines:
        key, _, value = line.partition("=")
        if key == "m":
            in_audio = value.startswith("audio ") and not seen_audio
            if in_audio:
                seen_audio = True
                parts = value.split()
                try:
                    a.port = int(parts[1].split("/")[0])
                except (IndexError, ValueError):
                    raise ProtocolError(f"m= line without a port: {line[:80]!r}") from None
                a.profile = parts[2] if len(parts) > 2 else ""
                a.codecs = parts[3:20]      # payload types, named below
        elif key == "c":
            parts = value.split()
            addr = _ip(parts[2].split("/")[0]) if len(parts) >= 3 else None
            if in_audio and addr:
                a.connection = addr
            elif not seen_audio and addr:
                session_c = addr
        elif key == "a" and value == "ice-lite":
            a.ice_lite = True
        elif key == "a" and in_audio:
            name, _, rest = value.partition(":")
            if name == "rtpmap":
                pt, _, enc = rest.partition(" ")
                rtpmap[pt] = enc[:40]
            elif name == "candidate":
                _candidate(a, rest)
            elif name == "fingerprint":
                a.fingerprint = rest.split(" ")[0][:16]
            elif name == "setup":
                a.setup = rest[:16]
            elif name == "mid":
                a.mid = rest[:32]
            elif name == "ssrc":
                _ssrc(a, rest)
            elif name in DIRECTIONS:
                a.direction = name
    if not seen_audio:
        raise ProtocolError("SDP without an audio section")
    a.connection = a.connection or session_c
    a.codecs = [rtpmap.get(pt, pt) for pt in a.codecs]
    return a


def _candidate(a: Answer, rest: str) -> None:
    p = rest.split()
    # foundation component transport priority address port typ kind ...
    addr = _ip(p[4]) if len(p) >= 8 else None
    if addr is None or p[6] != "typ" or not p[5].isdigit() or len(a.candidates) >= MAX_CANDIDATES:
        a.dropped += 1
        return
    if p[1] == "1":       # RTP; RTCP is muxed or the same address
        c = Candidate(addr, int(p[5]), p[2].lower()[:8], p[7][:8])
        if c not in a.candidates:
            a.candidates.append(c)


def _ssrc(a: Answer, rest: str) -> None:
    head = rest.split(" ", 1)[0]
    if head.isdigit() and int(head) < 2**32 and int(head) not in a.ssrcs and len(a.ssrcs) < 8:
        a.ssrcs.append(int(head))


def offer_mid(offer: str) -> str:
    m = re.search(r"^a=mid:(\S{1,32})\r?$", offer, re.M)
    return m.group(1) if m else "0"


def repair_answer(answer: str, mid: str) -> tuple[str, list[str]]:
    """Add what aiortc needs and FreeSWITCH leaves out: `a=mid:<the offer's mid>` and `a=sendrecv` in the audio
    section. Returns the repaired SDP and what was added (evidence: the repair is part of what fsnb did)."""
    lines = answer.replace("\r\n", "\n").rstrip("\n").split("\n")
    out, added, in_audio, has_mid, has_dir = [], [], False, False, False

    def close():
        if in_audio and not has_mid:
            out.append(f"a=mid:{mid}")
            added.append(f"a=mid:{mid}")
        if in_audio and not has_dir:
            out.append("a=sendrecv")
            added.append("a=sendrecv")
    for line in lines:
        if line.startswith("m="):
            close()
            in_audio, has_mid, has_dir = line.startswith("m=audio "), False, False
        elif line.startswith("a=mid:"):
            has_mid = True
        elif line[2:] in DIRECTIONS and line.startswith("a="):
            has_dir = True
        out.append(line)
    close()
    return "\r\n".join(out) + "\r\n", added
