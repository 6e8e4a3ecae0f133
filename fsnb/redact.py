"""Redaction before anything is shown or written: configured secrets, auth lines, digest responses."""
from __future__ import annotations

import re
from typing import Any

MASK = "********"
_PATTERNS = [
    (re.compile(r"(?im)^(Authorization|Proxy-Authorization|WWW-Authenticate-Response):[^\r\n]*"), r"\1: " + MASK),
    (re.compile(r'(?i)\bresponse="[0-9a-f]+"'), f'response="{MASK}"'),
    (re.compile(r"(?im)^(auth)\s+\S+"), r"\1 " + MASK),
    (re.compile(r'(?i)(<param\s+name="password"\s+value=")[^"]*(")'), r"\1" + MASK + r"\2"),
    (re.compile(r"(?i)(default_password=)[^\"'\s]*"), r"\1" + MASK),
]
# Every pattern above needs one of these words; most texts have none, and a miss skips five regex passes
# (a fleet run redacts thousands of strings).
_GATE = re.compile(r"(?i)auth|response=|password")


class Redactor:
    def __init__(self, secrets: list[str] | None = None):
        self.secrets: list[str] = []
        for s in secrets or []:
            self.add(s)

    def add(self, secret: str) -> None:
        if secret and len(secret) >= 3 and secret not in self.secrets:
            self.secrets.append(secret)

    def _mask_secrets(self, s: str) -> str:
        """Mask the union of every occurrence of every secret: overlapping secrets leave no fragment behind."""
        spans = []
        for secret in self.secrets:
            i = s.find(secret)
            while i != -1:
                spans.append((i, i + len(secret)))
                i = s.find(secret, i + 1)
        if not spans:
            return s
        spans.sort()
        out, pos, start, end = [], 0, *spans[0]
        for a, b in spans[1:]:
            if a <= end:
                end = max(end, b)
                continue
            out += [s[pos:start], MASK]
            pos, start, end = end, a, b
        out += [s[pos:start], MASK, s[end:]]
        return "".join(out)

    def text(self, s: str) -> str:
        if not isinstance(s, str) or not s:
            return s
        s = self._mask_secrets(s)
        if _GATE.search(s):
            for pat, repl in _PATTERNS:
                s = pat.sub(repl, s)
        return s

    def any(self, obj: Any) -> Any:
        """Redact every string inside dicts/lists/dataclass-like dicts."""
        if isinstance(obj, str):
            return self.text(obj)
        if isinstance(obj, dict):
            return {self.text(k) if isinstance(k, str) else k: self.any(v) for k, v in obj.items()}
        if isinstance(obj, (list, tuple)):
            return type(obj)(self.any(v) for v in obj)
        return obj
