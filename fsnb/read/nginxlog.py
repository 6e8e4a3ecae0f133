"""nginx's error log: what it says about the hop that just failed, as a typed reason.

The lines come from the target (hostile data): matched by fixed substrings, never by backtracking patterns.
Request-time errors count only when written during this check (the log keeps its history); start-up errors
(a port nginx could not bind) count from the last start attempt on, since they explain a port answered by
something else.
"""
from __future__ import annotations

import datetime as _dt

# (substring, reason) in the order they are tested; the recorded nginx 1.22 messages (fixtures 503, 505, 506)
REQUEST_REASONS = (
    # limit_req/limit_conn answering 503 itself: behind a tunnel every browser comes from cloudflared's one address
    ("limiting requests", "rate-limited"),
    ("limiting connections", "rate-limited"),
    ("upstream SSL certificate verify error", "upstream-cert-rejected"),
    ("connect() failed (111", "upstream-refused"),
    ("upstream prematurely closed connection", "upstream-closed"),
    # a TLS handshake both ends speak but cannot agree on (OpenSSL's words for version and cipher refusals) — tested
    # before the generic handshake failure, which means nothing speaks TLS there
    ("alert protocol version", "upstream-tls-params"),
    ("unsupported protocol", "upstream-tls-params"),
    ("no protocols available", "upstream-tls-params"),
    ("no ciphers available", "upstream-tls-params"),
    ("no shared cipher", "upstream-tls-params"),
    ("alert handshake failure", "upstream-tls-params"),
    ("SSL handshak", "upstream-tls-handshake"),
    ("upstream timed out", "upstream-timeout"),
)
START_REASONS = (
    ("Address already in use", "port-taken"),
    ("still could not bind()", "port-taken"),
)


def _when(line: str) -> _dt.datetime | None:
    """`2026/11/26 16:55:26 [emerg] …` → its time (nginx writes local time)."""
    try:
        return _dt.datetime.strptime(line[:19], "%Y/%m/%d %H:%M:%S")
    except ValueError:
        return None


def relevant(lines: list[str], since: _dt.datetime) -> list[str]:
    """The [error]/[crit]/[emerg] lines that can explain a hop failing now."""
    out = []
    for line in lines:
        if not any(level in line for level in ("[error]", "[crit]", "[emerg]", "[alert]")):
            continue
        when = _when(line)
        if "[emerg]" in line or (when is not None and when >= since):
            out.append(line)
    return out


def reason(lines: list[str]) -> str | None:
    """The newest line's reason: request-time reasons first (they are about this very request)."""
    for table in (REQUEST_REASONS, START_REASONS):
        for line in reversed(lines):
            for needle, why in table:
                if needle in line:
                    return why
    return None
