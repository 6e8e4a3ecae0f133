"""SIP messages as carried over WebSocket (RFC 7118): build probes, parse answers, digest auth."""
from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, field

from fsnb.errors import ProtocolError

MAX_MESSAGE = 64 * 1024
_BRANCH = re.compile(r";\s*branch\s*=\s*([^;,\s]+)", re.IGNORECASE)


@dataclass
class SipMessage:
    start: str
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: str = ""

    @property
    def is_response(self) -> bool:
        return self.start.startswith("SIP/2.0 ")

    @property
    def status(self) -> int | None:
        if not self.is_response:
            return None
        return int(self.start.split(" ", 2)[1])

    @property
    def method(self) -> str | None:
        return None if self.is_response else self.start.split(" ", 1)[0]

    def header(self, name: str) -> str | None:
        name = name.lower()
        for k, v in self.headers:
            if k.lower() == name:
                return v
        return None

    @property
    def transaction(self) -> tuple[str, str, str]:
        """(Call-ID, CSeq as `<number> <METHOD>`, top Via branch): what ties a reply to its request (RFC 3261
        17.1.3). Compact header forms (i, v) count; absent parts are ""."""
        call_id = (self.header("Call-ID") or self.header("i") or "").strip()
        cseq = " ".join((self.header("CSeq") or "").split()[:2]).upper()
        via = (self.header("Via") or self.header("v") or "").split(",", 1)[0]
        m = _BRANCH.search(via)
        return call_id, cseq, m.group(1) if m else ""

    @property
    def via_transport(self) -> str | None:
        via = self.header("Via") or self.header("v")
        m = re.match(r"SIP/2\.0/([A-Za-z]+)\s", via or "")
        return m.group(1).upper() if m else None

    def serialize(self) -> str:
        return self.start + "\r\n" + "".join(f"{k}: {v}\r\n" for k, v in self.headers) + "\r\n" + self.body


def parse(text: str) -> SipMessage:
    """Parse one SIP message; anything else raises ProtocolError."""
    if len(text) > MAX_MESSAGE:
        raise ProtocolError(f"SIP message of {len(text)} bytes exceeds {MAX_MESSAGE}")
    head, sep, body = text.partition("\r\n\r\n")
    if not sep:
        raise ProtocolError("SIP message without the blank line that ends its headers")
    lines = head.split("\r\n")
    start = lines[0]
    if not (re.match(r"SIP/2\.0 \d{3} ", start + " ") or re.match(r"[A-Z]+ \S+ SIP/2\.0$", start)):
        raise ProtocolError(f"not a SIP start line: {start[:80]!r}")
    headers = []
    for line in lines[1:]:
        if ":" not in line:
            raise ProtocolError(f"not a SIP header line: {line[:80]!r}")
        k, v = line.split(":", 1)
        headers.append((k.strip(), v.strip()))
    return SipMessage(start, headers, body)


def _token(n: int = 5) -> str:
    return secrets.token_hex(n)


def options(uri: str, transport: str, host: str = "fsnb.invalid") -> SipMessage:
    """An OPTIONS probe shaped like the fixtures' (and a browser's) requests."""
    t = transport.upper()
    return SipMessage(f"OPTIONS {uri} SIP/2.0", [
        ("Via", f"SIP/2.0/{t} {host};branch=z9hG4bK{_token(8)};rport"),
        ("Max-Forwards", "70"),
        ("To", "<sip:127.0.0.1>"),
        ("From", f"<sip:probe@127.0.0.1>;tag={_token()}"),
        ("Call-ID", _token(16)),
        ("CSeq", "1 OPTIONS"),
        ("Contact", f"<sip:probe@{host};transport={t.lower()}>"),
        ("Accept", "application/sdp"),
        ("User-Agent", "fsnb-probe"),
        ("Content-Length", "0"),
    ])


def register(domain: str, user: str, transport: str, call_id: str, cseq: int, from_tag: str,
             authorization: str | None = None, expires: int = 600, host: str = "fsnb.invalid") -> SipMessage:
    t = transport.upper()
    headers = [
        ("Via", f"SIP/2.0/{t} {host};branch=z9hG4bK{_token(8)};rport"),
        ("Max-Forwards", "70"),
        ("To", f"<sip:{user}@{domain}>"),
        ("From", f"<sip:{user}@{domain}>;tag={from_tag}"),
        ("Call-ID", call_id),
        ("CSeq", f"{cseq} REGISTER"),
        ("Contact", f"<sip:{user}@{host};transport={t.lower()}>"),
        ("Expires", str(expires)),
    ]
    if authorization:
        headers.append(("Authorization", authorization))
    headers += [("User-Agent", "fsnb-probe"), ("Content-Length", "0")]
    return SipMessage(f"REGISTER sip:{domain} SIP/2.0", headers)


MAX_CHALLENGE = 8 * 1024     # a real Digest challenge is a few hundred characters
_SEP = " \t,"


def parse_challenge(value: str) -> dict[str, str]:
    """`Digest realm="x", nonce="y", ...` -> dict (names lowercased; a quoted value may hold commas and \\-escapes).

    One pass over at most MAX_CHALLENGE characters: the former regex (findall of a word then `=`) restarted at every
    position of a long run of word characters without `=`, quadratic: 10 s for a 60 KB header."""
    if len(value) > MAX_CHALLENGE:
        raise ProtocolError(f"Digest challenge of {len(value)} characters exceeds the limit of {MAX_CHALLENGE}")
    if not value.lower().startswith("digest "):
        raise ProtocolError(f"not a Digest challenge: {value[:60]!r}")
    out: dict[str, str] = {}
    s, i, n = value, 7, len(value)
    while i < n:
        while i < n and s[i] in _SEP:
            i += 1
        j = i
        while j < n and (s[j].isalnum() or s[j] == "_"):
            j += 1
        if j == i or j >= n or s[j] != "=":      # not `name=`: skip this token
            while j < n and s[j] not in _SEP:
                j += 1
            i = max(j, i + 1)
            continue
        key, j = s[i:j].lower(), j + 1
        if j < n and s[j] == '"':
            k, buf = j + 1, []
            while k < n and s[k] != '"':
                if s[k] == "\\" and k + 1 < n:
                    k += 1
                buf.append(s[k])
                k += 1
            val, i = "".join(buf), k + 1
        else:
            k = j
            while k < n and s[k] not in _SEP:
                k += 1
            val, i = s[j:k], k
        out[key] = val
    return out


def digest_response(user: str, realm: str, password: str, method: str, uri: str, nonce: str,
                    qop: str | None = None, nc: str = "00000001", cnonce: str = "") -> str:
    ha1 = hashlib.md5(f"{user}:{realm}:{password}".encode()).hexdigest()
    ha2 = hashlib.md5(f"{method}:{uri}".encode()).hexdigest()
    if qop:
        return hashlib.md5(f"{ha1}:{nonce}:{nc}:{cnonce}:{qop}:{ha2}".encode()).hexdigest()
    return hashlib.md5(f"{ha1}:{nonce}:{ha2}".encode()).hexdigest()


def authorization(user: str, password: str, challenge: dict[str, str], method: str, uri: str) -> str:
    cnonce = _token(4)
    qop = "auth" if "auth" in (challenge.get("qop") or "").split(",") else None
    resp = digest_response(user, challenge.get("realm", ""), password, method, uri,
                           challenge.get("nonce", ""), qop, "00000001", cnonce)
    out = (f'Digest username="{user}", realm="{challenge.get("realm", "")}", nonce="{challenge.get("nonce", "")}", '
           f'uri="{uri}", response="{resp}", algorithm=MD5')
    if qop:
        out += f', cnonce="{cnonce}", qop={qop}, nc=00000001'
    return out
