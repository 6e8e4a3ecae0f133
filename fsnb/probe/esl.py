"""ESL (mod_event_socket) frames: parse what FreeSWITCH sends, bounded and typed.

A frame is a block of `Name: value` header lines ended by an empty line; when it has
`Content-Length`, that many bytes of body follow (FreeSWITCH sends LF line endings).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import unquote

from fsnb.errors import ProtocolError

MAX_HEADER = 64 * 1024
MAX_BODY = 8 * 1024 * 1024
MAX_COMMAND = 4096


class FramingError(ProtocolError):
    """A peer's ESL frame that fsnb refuses to pass on: `reason` names what was wrong, for the report
    (bad-length | too-large | bad-header | no-header-end | unexpected-frames)."""

    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason = reason


class UnsafeCommand(ProtocolError):
    """A command or argument that could end its ESL line (and start another command) was refused unsent."""


def safe_line(value: str, what: str = "ESL command") -> str:
    """`value` if it can go on one ESL line as it is; else UnsafeCommand. mod_event_socket reads a command up to
    the first LF (a blank line ends the frame): a CR, LF, NUL or any other control character in an argument
    would let a value from a target file or a reply smuggle a second command. The value is never echoed."""
    if not isinstance(value, str) or not value or len(value) > MAX_COMMAND:
        raise UnsafeCommand(f"{what} refused: empty or longer than {MAX_COMMAND} characters")
    if any(ord(c) < 0x20 or ord(c) == 0x7F or 0x80 <= ord(c) < 0xA0 or c in "\u2028\u2029" for c in value):
        raise UnsafeCommand(f"{what} refused: it contains a line break or control character")
    return value


def command_frame(verb: str, *args: str) -> bytes:
    """`verb arg…` as one ESL command frame (`…\n\n`); every part is checked by safe_line."""
    parts = [safe_line(verb, "ESL verb")] + [safe_line(a, "ESL argument") for a in args]
    return (" ".join(parts) + "\n\n").encode()


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
                        raise FramingError("no-header-end", f"no end of ESL headers within {MAX_HEADER} bytes")
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
                        raise FramingError("bad-header", f"not an ESL header line: {line[:60]!r}")
                length = headers.get("Content-Length")
                if length is None:
                    frames.append(Frame(headers))
                    continue
                # ASCII digits only: int() would take "-2", "+5", " 7" and "1_000", which C's atol reads otherwise
                # (python-ESL read out of bounds on a negative length); at most 10 digits, so int() is cheap
                if not (length.isascii() and length.isdigit()):
                    raise FramingError("bad-length", f"ESL Content-Length {length[:24]!r} is not a non-negative integer")
                if len(length) > 10 or int(length) > self.max_body:
                    raise FramingError("too-large", f"ESL body of {length[:24]} bytes exceeds the limit of {self.max_body}")
                self._need = int(length)
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
    for k, v in headers:
        if any(c in k + v for c in "\r\n") or ":" in k:
            raise UnsafeCommand(f"ESL header {k[:40]!r}: a name or value with a line break would end the frame")
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
