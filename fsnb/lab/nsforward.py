"""The lab's port publishing for a container in its own network namespace: `python -m fsnb.lab.nsforward
--netns /proc/<pid>/ns/net PORT...` listens on this machine's 127.0.0.1:PORT and relays each connection to
127.0.0.1:PORT inside the namespace. With `--reverse` it is the other way round: it listens on 127.0.0.1:PORT
inside the namespace and relays to this machine's 127.0.0.1:PORT — how a browser placed in a namespace of its own
(another machine, as far as its loopback goes) reaches the lab's public URL and TURN server over TCP only.

Why not Docker's own `-p 127.0.0.1:7443:7443`: the lab's engine runs `--bridge=none --iptables=false` (nothing may
be routed off the machine), so a container with its own namespace has only a loopback — no address docker-proxy
could forward to. This forwarder stands in for docker-proxy and stays on the loopback on both sides. It differs in
one way, said wherever it is used: docker-proxy connects to the container's address, this connects to the
container's loopback (a FreeSWITCH bound to 127.0.0.1 is reachable here, through Docker it would not be).

How: the listening sockets are made first, in this machine's namespace; then the process enters the container's
namespace (setns, CAP_SYS_ADMIN), so every socket it makes afterwards — the connections to FreeSWITCH — is made
there. A socket keeps the namespace it was made in.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import socket

CLONE_NEWNET = 0x40000000


def _setns(path: str) -> None:
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"setns({path}): {os.strerror(err)}")
    finally:
        os.close(fd)


async def _pipe(r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
    try:
        while data := await r.read(65536):
            w.write(data)
            await w.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        try:
            w.close()
        except OSError:
            pass


def _handler(port: int):
    async def handle(cr: asyncio.StreamReader, cw: asyncio.StreamWriter) -> None:
        try:
            ur, uw = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 5)
        except (OSError, asyncio.TimeoutError):
            cw.close()          # nothing listens inside: the client sees the connection closed
            return
        await asyncio.gather(_pipe(cr, uw), _pipe(ur, cw))
    return handle


def _listeners(ports: list[int]) -> list[tuple[int, socket.socket]]:
    out = []
    for port in ports:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", port))
        s.listen(64)
        s.setblocking(False)
        out.append((port, s))
    return out


async def main(netns: str, ports: list[int], reverse: bool = False) -> None:
    if reverse:                 # listen inside, then come back: the relayed connections are made here
        home = f"/proc/{os.getpid()}/ns/net"
        fd = os.open(home, os.O_RDONLY | os.O_CLOEXEC)    # held open: the way back into this namespace
        _setns(netns)
        listeners = _listeners(ports)
        _setns(f"/proc/self/fd/{fd}")
        os.close(fd)
    else:
        listeners = _listeners(ports)
        _setns(netns)           # from here on, new sockets live in the container's namespace
    servers = [await asyncio.start_server(_handler(port), sock=s) for port, s in listeners]
    print(f"forwarding 127.0.0.1:{','.join(map(str, ports))} {'out of' if reverse else 'into'} {netns}", flush=True)
    await asyncio.gather(*(srv.serve_forever() for srv in servers))


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--netns", required=True)
    ap.add_argument("--reverse", action="store_true", help="listen inside the namespace, relay to this machine")
    ap.add_argument("ports", nargs="+", type=int)
    a = ap.parse_args()
    asyncio.run(main(a.netns, a.ports, a.reverse))
