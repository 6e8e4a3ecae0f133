"""/proc/net/tcp and tcp6: listening sockets when a container has no ss/netstat (fixture 604)."""
from __future__ import annotations

import ipaddress
import struct
from dataclasses import dataclass

from fsnb.errors import ProtocolError

LISTEN = "0A"


@dataclass(frozen=True)
class Socket:
    ip: str
    port: int
    state: str
    family: int

    @property
    def listening(self) -> bool:
        return self.state == LISTEN


def _addr(hexaddr: str, family: int) -> tuple[str, int]:
    host, _, port = hexaddr.partition(":")
    try:
        p = int(port, 16)
        raw = bytes.fromhex(host)
    except ValueError:
        raise ProtocolError(f"bad address {hexaddr[:40]!r}") from None
    if family == 4:
        if len(raw) != 4:
            raise ProtocolError(f"bad IPv4 address {host!r}")
        return str(ipaddress.IPv4Address(raw[::-1])), p
    if len(raw) != 16:
        raise ProtocolError(f"bad IPv6 address {host!r}")
    words = struct.unpack("<4I", raw)
    addr = ipaddress.IPv6Address(struct.pack(">4I", *words))
    return (str(addr.ipv4_mapped) if addr.ipv4_mapped else str(addr)), p


def parse(text: str, family: int = 4, state: str | None = None) -> list[Socket]:
    """Rows of a /proc/net/tcp{,6} table; with `state`, only rows in that state (decoded lazily: a busy host has
    thousands of TIME_WAIT rows)."""
    out = []
    for line in text.splitlines()[1:]:
        parts = line.split(None, 4)
        if len(parts) < 4 or (state and parts[3].upper() != state):
            continue
        ip, port = _addr(parts[1], family)
        out.append(Socket(ip, port, parts[3].upper(), family))
    return out


def inodes_connected_to(text: str, family: int, port: int, ip: str | None = None) -> set[int]:
    """Socket inodes of rows whose remote end is `port` (and `ip`, if given): which of our sockets talk to a peer."""
    out = set()
    for line in text.splitlines()[1:]:
        parts = line.split()
        if len(parts) < 10:
            continue
        try:
            rip, rport = _addr(parts[2], family)
            inode = int(parts[9])
        except (ProtocolError, ValueError):
            continue
        if rport == port and (ip is None or rip == ip):
            out.add(inode)
    return out


def listeners(tcp: str, tcp6: str = "") -> list[Socket]:
    socks = parse(tcp, 4, LISTEN) + (parse(tcp6, 6, LISTEN) if tcp6 else [])
    return sorted(set(socks), key=lambda s: (s.port, s.ip))


def covers(sock: Socket, ip: str) -> bool:
    """Does a listener on sock.ip accept connections to `ip`? (wildcards cover all)."""
    return sock.ip in ("0.0.0.0", "::") or sock.ip == ip
