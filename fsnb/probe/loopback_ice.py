"""Keep aiortc's ICE sockets on the loopback: the one patch point, and how to prove it held.

aioice gathers host candidates from `aioice.ice.get_host_addresses()` (every interface address except 127.0.0.1)
and binds one UDP socket per address; RTCPeerConnection offers no option for it. fsnb wraps that function once:
inside `loopback_only()` (a context variable, so concurrent calls elsewhere in the process are untouched) it returns
the loopback addresses only. STUN/TURN servers are never implied: the probe passes `iceServers=[]` (aiortc's default
is a public STUN server, a DNS lookup).
"""
from __future__ import annotations

import contextlib
import contextvars
import ipaddress
import os

import aioice.ice

_ADDRESSES: contextvars.ContextVar[tuple[str, ...] | None] = contextvars.ContextVar("fsnb_ice_addresses", default=None)
_ORIGINAL = getattr(aioice.ice.get_host_addresses, "__wrapped__", aioice.ice.get_host_addresses)


def _host_addresses(use_ipv4: bool, use_ipv6: bool) -> list[str]:
    pinned = _ADDRESSES.get()
    if pinned is None:
        return _ORIGINAL(use_ipv4, use_ipv6)
    return [a for a in pinned if (":" in a and use_ipv6) or (":" not in a and use_ipv4)]


_host_addresses.__wrapped__ = _ORIGINAL     # type: ignore[attr-defined]
aioice.ice.get_host_addresses = _host_addresses


@contextlib.contextmanager
def loopback_only(addresses: tuple[str, ...] = ("127.0.0.1",)):
    """Candidates gathered inside this block are on `addresses`, which must be loopback addresses."""
    for a in addresses:
        if not ipaddress.ip_address(a).is_loopback:
            raise ValueError(f"{a} is not a loopback address")
    token = _ADDRESSES.set(addresses)
    try:
        yield
    finally:
        _ADDRESSES.reset(token)


def udp_sockets(pid: int | str = "self") -> list[tuple[str, int]]:
    """The local (address, port) of every UDP socket the process holds (/proc/PID/net/udp{,6} filtered by the
    process's own socket inodes): what a test compares with the loopback."""
    inodes = set()
    fd_dir = f"/proc/{pid}/fd"
    for fd in os.listdir(fd_dir):
        try:
            link = os.readlink(os.path.join(fd_dir, fd))
        except OSError:
            continue
        if link.startswith("socket:["):
            inodes.add(link[8:-1])
    out = []
    for name, size in (("udp", 4), ("udp6", 16)):
        try:
            with open(f"/proc/{pid}/net/{name}") as f:
                rows = f.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            cols = row.split()
            if len(cols) < 10 or cols[9] not in inodes:
                continue
            hexaddr, hexport = cols[1].split(":")
            raw = bytes.fromhex(hexaddr)
            # /proc prints each 32-bit word in host (little-endian) order
            raw = b"".join(raw[i:i + 4][::-1] for i in range(0, size, 4))
            out.append((str(ipaddress.ip_address(raw)), int(hexport, 16)))
    return out
