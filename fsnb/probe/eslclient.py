"""Reaching mod_event_socket: a raw, bounded probe that tells failures apart, then python-ESL under a deadline.

fs_cli prints `Error Connecting []` for refused, ACL, wrong password and non-ESL servers alike (fixtures
205-209); the probe reads the first frame itself so each gets its own name. python-ESL's ESLconnection has
no timeout at all and trusts the peer's framing (a negative Content-Length crashed the process): it never
talks to the peer itself, only to fsnb's relay (fsnb/probe/eslrelay.py), in its own thread, with a deadline;
past the deadline the relay is closed so the blocked call returns.
"""
from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass

from fsnb import blocking
from fsnb.errors import AccessError, CheckTimeout, ProtocolError
from fsnb.probe.esl import FrameParser, UnsafeCommand, command_frame, safe_line
from fsnb.probe.eslrelay import Relay

GREETING_WAIT = 1.0


@dataclass
class Probe:
    outcome: str          # ok | refused | connect-timeout | unreachable | acl | bad-password | not-esl | no-answer | closed
    detail: str
    first_bytes: bytes = b""
    elapsed: float = 0.0


async def probe(host: str, port: int, password: str | None, timeout: float) -> Probe:
    """Connect, read the first frame, authenticate (if a password is given); never longer than `timeout`."""
    t0 = time.monotonic()
    deadline = t0 + timeout

    def left() -> float:
        """Time left; past the deadline an asyncio.TimeoutError, also for a peer that always has bytes ready (a floor
        on the wait alone never ends a loop whose reads return at once)."""
        rest = deadline - time.monotonic()
        if rest <= 0:
            raise asyncio.TimeoutError
        return rest

    try:
        wait = left()
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), wait)
    except ConnectionRefusedError:
        return Probe("refused", f"connection to {host}:{port} refused (nothing listens)", elapsed=time.monotonic() - t0)
    except asyncio.TimeoutError:
        return Probe("connect-timeout", f"TCP connect to {host}:{port} timed out", elapsed=time.monotonic() - t0)
    except OSError as exc:
        return Probe("unreachable", f"{host}:{port}: {exc.strerror or exc}", elapsed=time.monotonic() - t0)
    parser = FrameParser(max_body=1 << 20)
    got = b""
    try:
        async def first_frame(wait: float):
            nonlocal got
            end = time.monotonic() + wait
            while True:
                if time.monotonic() >= end:
                    raise asyncio.TimeoutError
                data = await asyncio.wait_for(reader.read(65536), end - time.monotonic())
                if not data:
                    return None
                got += data
                if len(got) > 1 << 20:
                    raise ProtocolError("more than 1 MiB without a complete ESL frame")
                frames = parser.feed(data)
                if frames:
                    return frames[0]
        try:
            frame = await first_frame(min(GREETING_WAIT, left()))
        except asyncio.TimeoutError:
            if got:
                if got.startswith(b"Content-Type:") or b"Content-Type:".startswith(got):
                    return Probe("no-answer", f"{host}:{port} sends an ESL greeting too slowly ({len(got)} bytes, "
                                 "incomplete)", got, time.monotonic() - t0)
                return Probe("not-esl", f"{host}:{port} sends bytes that are not ESL: {got[:60]!r}", got,
                             time.monotonic() - t0)
            # silent server: an HTTP server waits for a request, a tarpit waits forever. A harmless `exit` tells them apart.
            writer.write(b"exit\n\n")
            try:
                wait = left()   # evaluated first: past the deadline no read is even created
                more = await asyncio.wait_for(reader.read(4096), wait)
            except asyncio.TimeoutError:
                return Probe("no-answer", f"{host}:{port} accepts connections but sends nothing (no ESL greeting)",
                             got, time.monotonic() - t0)
            got += more
            kind = "an HTTP server" if got.startswith(b"HTTP/") else "not ESL"
            return Probe("not-esl", f"{host}:{port} answers, but it is {kind}: {got[:60]!r}", got, time.monotonic() - t0)
        except ProtocolError as exc:
            return Probe("not-esl", f"{host}:{port} sends something that is not ESL: {exc}", got, time.monotonic() - t0)
        if frame is None:
            return Probe("closed", f"{host}:{port} closed the connection without a greeting", got, time.monotonic() - t0)
        if frame.content_type == "text/rude-rejection":
            return Probe("acl", f"ESL rejects this client by ACL: {frame.text.strip()!r}", got, time.monotonic() - t0)
        if frame.content_type != "auth/request":
            return Probe("not-esl", f"unexpected first frame {frame.content_type!r}", got, time.monotonic() - t0)
        if password is None:
            return Probe("ok", "ESL greeting auth/request received", got, time.monotonic() - t0)
        try:
            auth = command_frame("auth", password)
        except UnsafeCommand:
            return Probe("no-password", "the ESL password contains a line break or control character: not sent",
                         got, time.monotonic() - t0)
        writer.write(auth)
        while True:
            wait = left()   # evaluated first: past the deadline no read is even created
            data = await asyncio.wait_for(reader.read(65536), wait)
            if not data:
                return Probe("closed", "ESL closed the connection after auth", got, time.monotonic() - t0)
            frames = parser.feed(data)
            if frames:
                reply = frames[0].reply_text
                if reply.startswith("+OK"):
                    writer.write(b"exit\n\n")
                    return Probe("ok", "ESL greeting and auth +OK accepted", got, time.monotonic() - t0)
                return Probe("bad-password", f"ESL answered the password with {reply!r}", got, time.monotonic() - t0)
    except asyncio.TimeoutError:
        return Probe("no-answer", f"ESL on {host}:{port} stopped answering within {timeout:.1f}s", got, time.monotonic() - t0)
    except ProtocolError as exc:
        return Probe("not-esl", f"{host}:{port} answered with something that is not ESL: {exc}", got[:200], time.monotonic() - t0)
    except (ConnectionError, OSError) as exc:
        return Probe("closed", f"connection lost: {exc}", got, time.monotonic() - t0)
    finally:
        writer.close()


class GuardedESL:
    """python-ESL (ESL.ESLconnection) with a deadline on every call. Calls run in the shared pool, one at a time per
    connection (its lock); a call past its deadline gets its socket shut down and the connection is abandoned."""

    def __init__(self, host: str, port: int, password: str):
        safe_line(password, "ESL password")      # python-ESL sends `auth <password>\n\n` as it is
        self.host, self.port, self._password = host, port, password
        self._con = None
        self._connecting: asyncio.Future | None = None
        self._lock = threading.Lock()
        self._relay: Relay | None = None
        self.broken = False

    @property
    def via(self) -> str:
        return f"python-ESL {self.host}:{self.port}"

    def _connect_sync(self, timeout: float):
        import ESL  # python-ESL
        relay = Relay(self.host, self.port, self._password)
        self._relay = relay
        fd = relay.open(timeout)           # greeting and auth by fsnb, typed errors, within the deadline
        con = ESL.ESLconnection(fd)        # python-ESL owns fd now (it closes it on disconnect)
        if not con.connected():
            relay.close()
            raise relay.error("python-ESL attaching to the relay")
        return con

    def _abort(self) -> None:
        """Unblock a python-ESL call stuck in recv(), or a connect stuck in the handshake: close the relay, so
        python-ESL's end of the pair sees EOF and the pool thread returns (the process can exit)."""
        relay = self._relay
        if relay is not None:
            relay.close()

    async def _run(self, fn, timeout: float):
        if self.broken:
            raise CheckTimeout("python-ESL connection was abandoned after an earlier timeout")
        loop = asyncio.get_running_loop()
        fut = blocking.submit(loop, fn)
        # a caller that stops waiting (its run ended) leaves the thread's outcome behind: retrieve it, never log it
        fut.add_done_callback(lambda f: f.cancelled() or f.exception())
        try:
            return await asyncio.wait_for(asyncio.shield(fut), timeout)
        except asyncio.TimeoutError:
            self.broken = True
            self._abort()
            raise CheckTimeout(f"python-ESL call to {self.host}:{self.port} did not return within {timeout:.1f}s") from None

    async def connect(self, timeout: float) -> None:
        """One connection, however many calls arrive before it is up (each extra one was a leaked connection)."""
        if self._con is not None:
            return
        if self._connecting is None:
            def connect():
                with self._lock:
                    return self._connect_sync(timeout)

            async def go():
                self._con = await self._run(connect, timeout)
            self._connecting = asyncio.ensure_future(go())
        await asyncio.shield(self._connecting)

    async def api(self, command: str, timeout: float) -> str:
        """`api <command>`: python-ESL writes it as it is, so it is refused unsent (UnsafeCommand) when anything in
        it could end the line — no value can add a second command to a read-only run."""
        safe_line(command)
        await self.connect(timeout)
        con = self._con
        if con is None:   # closed while we waited (the run is ending)
            raise AccessError("python-ESL connection already closed (the run is ending)")

        relay = self._relay

        def call():
            with self._lock:
                ev = con.api(command)
                if ev is None or not con.connected():
                    raise relay.error(f"api {command.split(' ', 1)[0]}")
                try:
                    return ev.getBody() or ""
                except UnicodeDecodeError:   # the relay sends UTF-8 only; kept typed should that ever change
                    raise ProtocolError(f"ESL reply to api {command.split(' ', 1)[0]} is not UTF-8") from None
        return await self._run(call, timeout)

    def close(self) -> None:
        con, self._con = self._con, None
        relay = self._relay
        if con is not None and not self.broken:
            def bye():
                with self._lock:
                    con.disconnect()
                if relay is not None:
                    relay.close()
            try:
                blocking.POOL.submit(blocking.counted(bye))
            except RuntimeError:   # interpreter shutting down
                pass
