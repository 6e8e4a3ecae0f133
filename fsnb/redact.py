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


class Redactor:
    def __init__(self, secrets: list[str] | None = None):
        self.secrets = sorted({s for s in (secrets or []) if s and len(s) >= 3}, key=len, reverse=True)

    def add(self, secret: str) -> None:
        if secret and len(secret) >= 3 and secret not in self.secrets:
            self.secrets = sorted(self.secrets + [secret], key=len, reverse=True)

    def text(self, s: str) -> str:
        if not isinstance(s, str):
            return s
        for secret in self.secrets:
            s = s.replace(secret, MASK)
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
