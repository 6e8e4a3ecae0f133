"""ESL (mod_event_socket) frames: parse what FreeSWITCH sends, bounded and typed.

A frame is a block of `Name: value` header lines ended by an empty line; when it has
`Content-Length`, that many bytes of body follow (FreeSWITCH sends LF line endings).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import unquote

from .errors import ProtocolError

MAX_HEADER = 64 * 1024
MAX_BODY = 8 * 1024 * 1024


@dataclass
class Frame:
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "")

    @property
    def reply_text(self) -> str:
        return self.headers.get("Reply-Text", "")

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def event(self) -> dict[str, str]:
        """Body of a `text/event-plain` frame as URL-decoded headers (its own body under `_body`)."""
        head, _, rest = self.text.partition("\n\n")
        out = {}
        for line in head.split("\n"):
            if ": " in line:
                k, v = line.split(": ", 1)
                out[k] = unquote(v)
        if rest:
            out["_body"] = rest
        return out


class FrameParser:
    """Incremental parser: `feed(bytes)` returns the frames completed so far."""

    def __init__(self, max_body: int = MAX_BODY):
        self._buf = bytearray()
        self._pending: dict[str, str] | None = None
        self._need = 0
        self.max_body = max_body

    def feed(self, data: bytes) -> list[Frame]:
        self._buf += data
        frames = []
        while True:
            if self._pending is None:
                # FreeSWITCH may put blank lines between frames; skip them.
                while self._buf[:1] == b"\n":
                    del self._buf[:1]
                end = self._buf.find(b"\n\n")
                if end < 0:
                    if len(self._buf) > MAX_HEADER:
                        raise ProtocolError(f"no end of ESL headers within {MAX_HEADER} bytes")
                    return frames
                head = bytes(self._buf[:end]).decode("utf-8", errors="replace")
                del self._buf[:end + 2]
                headers = {}
                for line in head.split("\n"):
                    if ": " in line:
                        k, v = line.split(": ", 1)
                        headers[k] = v
                    elif line.endswith(":"):
                        headers[line[:-1]] = ""
                    else:
                        raise ProtocolError(f"not an ESL header line: {line[:60]!r}")
                length = headers.get("Content-Length")
                if length is None:
                    frames.append(Frame(headers))
                    continue
                try:
                    self._need = int(length)
                except ValueError:
                    raise ProtocolError(f"bad Content-Length {length[:20]!r}") from None
                if not 0 <= self._need <= self.max_body:
                    raise ProtocolError(f"ESL body of {self._need} bytes exceeds the limit of {self.max_body}")
                self._pending = headers
            if len(self._buf) < self._need:
                return frames
            body = bytes(self._buf[:self._need])
            del self._buf[:self._need]
            frames.append(Frame(self._pending, body))
            self._pending = None


def parse_frames(data: bytes) -> list[Frame]:
    """All complete frames in `data` (a transcript or a captured stream)."""
    return FrameParser().feed(data)


def encode_frame(headers: list[tuple[str, str]], body: bytes = b"") -> bytes:
    """Serialize as FreeSWITCH does: headers, blank line, body (Content-Length supplied by caller)."""
    head = "".join(f"{k}: {v}\n" for k, v in headers)
    return head.encode() + b"\n" + body


def recv_frame(sock, parser: FrameParser, pending: list) -> Frame:
    """Next frame from a blocking socket (its timeout applies); ConnectionError when the peer closes."""
    while not pending:
        data = sock.recv(65536)
        if not data:
            raise ConnectionError("ESL peer closed the connection")
        pending.extend(parser.feed(data))
    return pending.pop(0)
