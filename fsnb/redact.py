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


def _encoders():
    import html
    import json
    import shlex
    from urllib.parse import quote, quote_plus
    return (lambda x: repr(x)[1:-1], repr, lambda x: ascii(x)[1:-1], lambda x: json.dumps(x)[1:-1], json.dumps,
            lambda x: json.dumps(x, ensure_ascii=False)[1:-1], html.escape, lambda x: html.escape(x, quote=False),
            lambda x: quote(x, safe=""), quote_plus, shlex.quote,
            lambda x: x.encode("unicode_escape").decode("ascii"))


def encodings(secret: str) -> list[str]:
    """The secret as written, and as repr/ascii, JSON (ASCII or not), HTML, URL (path or form) and shell quoting
    turn it — once or twice (a repr of a JSON string) — so a peer that echoes it, or an output that quotes it,
    cannot carry it past redaction in another spelling (a backslash, an NBSP, both quotes)."""
    forms = [secret]
    for _depth in range(2):     # once, and composed twice (a repr of a JSON string)
        for form in list(forms):
            for enc in _encoders():
                new = enc(form)
                if new not in forms:
                    forms.append(new)
    # the longest first: a form that contains another is masked whole
    return sorted(forms, key=len, reverse=True)


class Redactor:
    def __init__(self, secrets: list[str] | None = None):
        self.secrets: list[str] = []
        # a quick "could any secret be in this text?": a secret's longest run of ASCII letters and digits survives
        # every encoding unchanged; None when some secret has no such run (then every text is searched)
        self._gates: set[str] | None = set()
        for s in secrets or []:
            self.add(s)

    def add(self, secret: str) -> None:
        """A secret and every encoding it can take on the way out (see `encodings`)."""
        if secret and len(secret) >= 3:
            run = max(re.findall(r"[A-Za-z0-9]+", secret), key=len, default="")
            if len(run) >= 3 and self._gates is not None:
                self._gates.add(run)
            else:
                self._gates = None
            for form in encodings(secret):
                if form not in self.secrets:
                    self.secrets.append(form)

    def _mask_secrets(self, s: str) -> str:
        """Mask the union of every occurrence of every secret: overlapping secrets leave no fragment behind."""
        if self._gates is not None and not any(g in s for g in self._gates):
            return s
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
