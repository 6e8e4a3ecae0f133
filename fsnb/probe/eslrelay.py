"""A relay between an ESL peer and python-ESL: no byte from the peer reaches python-ESL before fsnb checked its framing.

python-ESL 1.4.18 trusts the peer's `Content-Length`: -2, -100, -2**32 or 2**63-1 make it read out of bounds and
the whole process dies (SIGSEGV, exit 139); -1 hands back uninitialised heap bytes as the reply's body. No Python
code can catch that, so the peer must never talk to python-ESL directly.

Why a relay thread, not an isolated process: python-ESL gets a connected socket either way (its `ESLconnection(int
socket)` constructor attaches to a descriptor), and a relay in fsnb's process costs one thread and a socketpair per
target, where a helper process per target would cost ~30 ms and ~20 MB each (a fleet checks hundreds) and would need
its own result protocol, deadline and cleanup. The relay's safety does not rest on isolation but on python-ESL never
seeing a frame fsnb did not build itself: each frame from the peer is parsed with fsnb's bounded parser (headers
within 64 KiB, Content-Length ASCII digits only, at most 1 MiB), checked (header names, no control characters), and
written anew with a Content-Length fsnb computed, the body as UTF-8. The first violation closes both sides; its typed
reason (FramingError.reason) is what the caller reports instead of whatever python-ESL would have made of it.

The relay also answers what python-ESL needs locally: the greeting and `auth` are done by fsnb (with deadlines: the
greeting python-ESL waits for has none), and the `connect` python-ESL sends when it attaches to a descriptor (outbound
mode) is answered on the pair, never sent to the peer. Replies are passed on only while a command is outstanding;
anything else (events, logs, replies nobody asked for) is counted and dropped, and more than MAX_UNMATCHED of them end
the connection: python-ESL would queue them without bound.
"""
from __future__ import annotations

import select
import socket
import threading
import time

from fsnb.errors import AccessError, CheckTimeout, ProtocolError
from fsnb.probe.esl import MAX_COMMAND, Frame, FrameParser, FramingError, command_frame

MAX_BODY = 1 << 20
MAX_UNMATCHED = 64
CONNECT_REPLY = b"Content-Type: command/reply\nReply-Text: +OK\n\n"
REPLIES = ("api/response", "command/reply")


def _check_headers(frame: Frame) -> None:
    for k, v in frame.headers.items():
        if not k or any(c in k for c in ": \t") or any(ord(c) < 0x20 and c != "\t" or ord(c) == 0x7F for c in k + v):
            raise FramingError("bad-header", f"ESL header {k[:40]!r} has a control character or a malformed name")


def encode(frame: Frame) -> bytes:
    """The frame as fsnb writes it for python-ESL: checked headers, the body as UTF-8 (invalid bytes replaced) and its
    own Content-Length."""
    _check_headers(frame)
    body = frame.body.decode("utf-8", errors="replace").encode() if frame.body else b""
    head = "".join(f"{k}: {v}\n" for k, v in frame.headers.items() if k.lower() != "content-length")
    if body:
        head += f"Content-Length: {len(body)}\n"
    return head.encode() + b"\n" + body


class Relay:
    """One connection to an ESL peer, authenticated by fsnb, relayed frame by checked frame to python-ESL's end of a
    socketpair. `open()` returns that end's descriptor (python-ESL owns it from then on: it closes it itself)."""

    def __init__(self, host: str, port: int, password: str):
        self.host, self.port, self._password = host, port, password
        self.violation: FramingError | None = None   # the first frame fsnb refused
        self.ended: str = ""                          # why the relay stopped (peer closed, said goodbye, violation)
        self.unmatched = 0                            # frames dropped: events, logs, replies no command waited for
        self._real: socket.socket | None = None
        self._inner: socket.socket | None = None
        self._closed = threading.Event()
        self._lock = threading.Lock()

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"

    # -- the handshake, done by fsnb -------------------------------------------------------------------
    def _frame(self, sock: socket.socket, parser: FrameParser, pending: list, deadline: float, what: str) -> Frame:
        while not pending:
            left = deadline - time.monotonic()
            if left <= 0 or self._closed.is_set():
                raise CheckTimeout(f"ESL {self.where}: no {what} within the deadline")
            sock.settimeout(left)
            try:
                data = sock.recv(65536)
            except socket.timeout:
                raise CheckTimeout(f"ESL {self.where}: no {what} within the deadline") from None
            except OSError as exc:
                raise AccessError(f"ESL {self.where}: connection lost waiting for the {what}: {exc}") from None
            if not data:
                raise AccessError(f"ESL {self.where}: the peer closed the connection before the {what}")
            pending.extend(parser.feed(data))
        return pending.pop(0)

    def open(self, timeout: float) -> int:
        """Connect, read the greeting, authenticate (all within `timeout`), start relaying; the descriptor for
        python-ESL. Typed errors only: AccessError, CheckTimeout, ProtocolError (FramingError)."""
        deadline = time.monotonic() + timeout
        try:
            sock = socket.create_connection((self.host, self.port), timeout=max(0.01, timeout))
        except socket.timeout:
            raise CheckTimeout(f"ESL {self.where}: TCP connect timed out") from None
        except OSError as exc:
            raise AccessError(f"ESL {self.where}: {exc.strerror or exc}") from None
        with self._lock:
            self._real = sock
        if self._closed.is_set():
            self._shut()
            raise CheckTimeout(f"ESL {self.where}: abandoned while connecting")
        parser, pending = FrameParser(max_body=MAX_BODY), []
        try:
            greeting = self._frame(sock, parser, pending, deadline, "greeting")
            if greeting.content_type == "text/rude-rejection":
                raise AccessError(f"ESL {self.where} rejects this client by ACL")
            if greeting.content_type != "auth/request":
                raise ProtocolError(f"ESL {self.where}: first frame is {greeting.content_type[:40]!r}, not auth/request")
            sock.sendall(command_frame("auth", self._password))
            reply = self._frame(sock, parser, pending, deadline, "answer to auth")
            if not reply.reply_text.startswith("+OK"):
                raise AccessError(f"ESL {self.where} rejected the password ({reply.reply_text[:60]!r})")
            inner, outer = socket.socketpair()
        except FramingError as exc:
            self.violation = exc
            self._shut()
            raise
        except OSError as exc:
            self._shut()
            raise AccessError(f"ESL {self.where}: {exc.strerror or exc}") from None
        except BaseException:
            self._shut()
            raise
        with self._lock:
            self._inner = inner
        threading.Thread(target=self._loop, args=(sock, inner, parser, pending), daemon=True,
                         name=f"fsnb-esl-relay {self.where}").start()
        return outer.detach()

    # -- relaying --------------------------------------------------------------------------------------
    def _loop(self, real: socket.socket, inner: socket.socket, parser: FrameParser, pending: list) -> None:
        outstanding = 0
        commands = bytearray()
        real.settimeout(5.0)      # sendall of a command to a peer that never reads; recv only after select
        inner.settimeout(5.0)     # python-ESL reads while it waits for a reply

        def deliver(frames):
            nonlocal outstanding
            for f in frames:
                if f.content_type in REPLIES and outstanding > 0:
                    inner.sendall(encode(f))
                    outstanding -= 1
                elif f.content_type == "text/disconnect-notice":
                    raise EOFError("the peer said goodbye (text/disconnect-notice)")
                else:
                    self.unmatched += 1
                    if self.unmatched > MAX_UNMATCHED:
                        raise FramingError("unexpected-frames", f"more than {MAX_UNMATCHED} ESL frames nobody asked "
                                           f"for (last: {f.content_type[:40]!r})")
        try:
            deliver(pending)
            while not self._closed.is_set():
                ready, _, _ = select.select([real, inner], [], [], 1.0)
                if inner in ready:
                    data = inner.recv(65536)
                    if not data:
                        self.ended = self.ended or "python-ESL closed its end"
                        return
                    commands += data
                    while (end := commands.find(b"\n\n")) >= 0:
                        cmd = bytes(commands[:end])
                        del commands[:end + 2]
                        if cmd.strip() == b"connect":    # python-ESL attaching to a descriptor: answered here
                            inner.sendall(CONNECT_REPLY)
                            continue
                        real.sendall(cmd + b"\n\n")
                        outstanding += 1
                    if len(commands) > 4 * MAX_COMMAND:
                        raise EOFError("python-ESL sent an unterminated command")
                if real in ready:
                    data = real.recv(65536)
                    if not data:
                        self.ended = self.ended or "the peer closed the connection"
                        return
                    deliver(parser.feed(data))
        except FramingError as exc:
            self.violation = exc
            self.ended = f"refused a frame: {exc}"
        except EOFError as exc:
            self.ended = str(exc)
        except OSError as exc:
            self.ended = self.ended or f"connection lost: {exc}"
        finally:
            self._shut()

    def error(self, doing: str) -> Exception:
        """The typed error for a python-ESL call that got no reply: the violation if there was one."""
        if self.violation is not None:
            return FramingError(self.violation.reason, f"ESL {self.where} sent a frame fsnb refused ({self.violation}); "
                                "the connection was closed before python-ESL read it")
        return AccessError(f"ESL {self.where}: no answer to {doing} ({self.ended or 'connection lost'})")

    def _shut(self, close: bool = True) -> None:
        """Shut both sockets down (wakes a select or recv on them); close them only from the thread that uses them
        (closing a descriptor under another thread's select could hit a reused one)."""
        with self._lock:
            socks = [s for s in (self._real, self._inner) if s is not None]
        for s in socks:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            if close:
                try:
                    s.close()
                except OSError:
                    pass

    def close(self) -> None:
        """Stop relaying; python-ESL's end sees EOF, so a call blocked on it returns."""
        self._closed.set()
        self.ended = self.ended or "closed by fsnb"
        self._shut(close=False)
