"""Docker's own view of the FreeSWITCH container (issue #18): network mode, its own addresses, published ports,
mounts, restart state.

All of it from the one call fsnb already makes (GET /containers/<name>/json, procroot.inspect or the SDK's
inspect_container). Hostile data: only typed fields are taken, lists bounded, addresses parsed.
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field


@dataclass
class Published:
    container_port: int
    proto: str                 # tcp | udp | sctp
    host_ip: str               # "", 0.0.0.0 or ::: every address of the host
    host_port: int

    @property
    def loopback(self) -> bool:
        """Published on a loopback address of the host only (`-p 127.0.0.1:…`): only the host itself reaches it."""
        return is_loopback(self.host_ip)

    def text(self) -> str:
        return f"{self.host_ip or '0.0.0.0'}:{self.host_port} -> {self.container_port}/{self.proto}"


@dataclass
class DockerView:
    network_mode: str = ""            # host | none | bridge | default | container:<id> | <network name>
    own_netns: bool = False           # the container has its own network namespace (not the host's)
    networks: dict[str, str] = field(default_factory=dict)   # network name -> the container's IPv4 address there
    # with its own network namespace: the container's own addresses on its Docker networks (IPv4 and global IPv6,
    # parsed and normalised; never loopback or unspecified) — a bridge address only the Docker host reaches
    addresses: list[str] = field(default_factory=list)
    published: list[Published] = field(default_factory=list)
    # the container's UDP ports Docker publishes on the same host port, as (first, last) runs — over every entry of the
    # engine's record, not the capped `published`: a published RTP range is one entry per port (issue #22)
    udp_same_port: list[tuple[int, int]] = field(default_factory=list)
    # of those, the ones published on an address other than the host's loopback (0.0.0.0, ::, a LAN address): what a
    # browser on the LAN or the internet can reach (`-p 127.0.0.1:…` reaches the host itself only)
    udp_same_port_open: list[tuple[int, int]] = field(default_factory=list)
    udp_loopback_ips: list[str] = field(default_factory=list)   # the loopback host IPs such ports are published on
    mounts: list[str] = field(default_factory=list)          # "source -> destination (rw|ro)"
    binds: list[tuple[str, str, bool]] = field(default_factory=list)   # (source on the host, destination, rw)
    status: str = ""
    restart_count: int = 0
    restarting: bool = False
    restart_policy: str = ""
    exit_code: int | None = None

    def published_for(self, port: int, proto: str = "tcp") -> list[Published]:
        return [p for p in self.published if p.container_port == port and p.proto == proto]

    def udp_unpublished(self, start: int, end: int, loopback: bool = True) -> list[tuple[int, int]]:
        """The runs of start..end that Docker does not publish as UDP on the same host port (FreeSWITCH names its
        own port in the SDP: a browser sends there, so a port published elsewhere does not carry it). loopback=False:
        a port published on the host's loopback only counts as not published (browsers off the host)."""
        return _gaps(self.udp_same_port if loopback else self.udp_same_port_open, start, end)

    def udp_loopback_only(self, start: int, end: int) -> list[tuple[int, int]]:
        """The runs of start..end Docker publishes as UDP on the same host port, but on the host's loopback only."""
        return _intersect(_gaps(self.udp_same_port_open, start, end), self.udp_same_port)

    def host_path(self, path: str) -> tuple[str, bool] | None:
        """Where a path of the container lies on the Docker host, when a mount provides it: (host path, rw)."""
        best = None
        for src, dst, rw in self.binds:
            d = dst.rstrip("/") or "/"
            if path == d or path.startswith(d + "/"):
                if best is None or len(d) > len(best[1]):
                    best = (src, d, rw)
        if best is None:
            return None
        src, d, rw = best
        return src.rstrip("/") + path[len(d):], rw

    def summary(self) -> str:
        pub = ", ".join(p.text() for p in self.published) or "none"
        return (f"network mode {self.network_mode or '?'}" + (" (own network namespace)" if self.own_netns else "")
                + f"; published ports: {pub}; status {self.status or '?'}"
                + (" (restarting)" if self.restarting else "") + f", restarts {self.restart_count}"
                + (f", policy {self.restart_policy}" if self.restart_policy else "")
                + ("\nmounts:\n  " + "\n  ".join(self.mounts) if self.mounts else ""))


def _port(v) -> int | None:
    try:
        p = int(v)
    except (TypeError, ValueError):
        return None
    return p if 0 < p < 65536 else None


def _d(v) -> dict:
    return v if isinstance(v, dict) else {}


def _l(v) -> list:
    return v if isinstance(v, list) else []


MAX_TEXT = 4096
MAX_PORT_KEYS = 65536 * 3       # one key per port and protocol (tcp, udp, sctp): more is no engine's record


def is_loopback(host_ip: str) -> bool:
    """A HostIp of the engine's record on the host's loopback (127.0.0.0/8, ::1, ::ffff:127.x). "" (every address),
    0.0.0.0, :: and anything that is no address are not: only a proven loopback publication is one."""
    ip = _ip(host_ip)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return bool(ip and ip.is_loopback)


def _ip(text) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    if not isinstance(text, str) or not text or len(text) > 64:
        return None
    try:
        return ipaddress.ip_address(text.strip().strip("[]").split("%", 1)[0])
    except ValueError:
        return None


MAX_LOOPBACK_IPS = 4


def _udp_same_port(ports: dict) -> tuple[set[int], set[int], list[str]]:
    """(ports published on the same host port on any address, those of them published on a non-loopback one, the
    loopback host IPs seen for the others)."""
    out, open_, lo_ips = set(), set(), []
    for key, binds in list(ports.items())[:MAX_PORT_KEYS]:
        cport, _, proto = _s(key).partition("/")
        cp = _port(cport)
        if cp is None or proto != "udp":
            continue
        same = [_s(b.get("HostIp")) for b in _l(binds)[:16] if isinstance(b, dict) and _port(b.get("HostPort")) == cp]
        if not same:
            continue
        out.add(cp)
        if not all(is_loopback(h) for h in same):
            open_.add(cp)
        elif len(lo_ips) < MAX_LOOPBACK_IPS:
            for h in same:
                text = str(_ip(h))
                if text not in lo_ips and len(lo_ips) < MAX_LOOPBACK_IPS:
                    lo_ips.append(text)
    return out, open_, lo_ips


def _gaps(runs: list[tuple[int, int]], start: int, end: int) -> list[tuple[int, int]]:
    """The runs of start..end that sorted, disjoint `runs` do not cover."""
    missing, at = [], start
    for a, b in runs:
        if b < at or a > end:
            continue
        if a > at:
            missing.append((at, a - 1))
        at = max(at, b + 1)
    if at <= end:
        missing.append((at, end))
    return missing


def _intersect(x: list[tuple[int, int]], y: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The overlap of two sorted lists of disjoint runs (one pass over both)."""
    out, i, j = [], 0, 0
    while i < len(x) and j < len(y):
        a, b = max(x[i][0], y[j][0]), min(x[i][1], y[j][1])
        if a <= b:
            out.append((a, b))
        if x[i][1] < y[j][1]:
            i += 1
        else:
            j += 1
    return out


def _runs(ports: set[int]) -> list[tuple[int, int]]:
    """Sorted ports as (first, last) runs of consecutive ones."""
    out: list[tuple[int, int]] = []
    for p in sorted(ports):
        if out and p == out[-1][1] + 1:
            out[-1] = (out[-1][0], p)
        else:
            out.append((p, p))
    return out


def _s(v) -> str:
    """A value of the engine's answer as text, capped: the engine answering is the target's, not fsnb's."""
    return (v if isinstance(v, str) else "" if v is None else str(v) if isinstance(v, (int, float, bool)) else "")[:MAX_TEXT]


def _own_addresses(ns: dict) -> list[str]:
    """The container's addresses on Docker's default bridge (NetworkSettings.Networks.bridge.IPAddress /
    GlobalIPv6Address, and the legacy NetworkSettings.IPAddress, which is that bridge's): parsed, normalised,
    bounded; loopback and unspecified ones are no network's address."""
    out: list[str] = []
    # Docker's default bridge only: a container inspect does not name a user network's driver, and a macvlan or
    # ipvlan container's address is the LAN's to reach (not the host's) — those stay unjudged
    nets = [n for k, n in list(_d(ns.get("Networks")).items())[:16] if k == "bridge" and isinstance(n, dict)]
    for n in [ns, *nets]:
        for key in ("IPAddress", "GlobalIPv6Address"):
            ip = _ip(n.get(key))
            if ip is not None and not (ip.is_loopback or ip.is_unspecified) and str(ip) not in out:
                out.append(str(ip))
    return out


def of(info: dict | None) -> DockerView | None:
    """Only typed fields are taken: an object where a list belongs (or a string where an object does) is ignored,
    never an AttributeError in a check; strings are capped at MAX_TEXT."""
    if not isinstance(info, dict):
        return None
    hc, ns, st = _d(info.get("HostConfig")), _d(info.get("NetworkSettings")), _d(info.get("State"))
    mode = _s(hc.get("NetworkMode"))
    v = DockerView(network_mode=mode, own_netns=mode != "host" and not mode.startswith("container:"))
    for name, n in list(_d(ns.get("Networks")).items())[:16]:
        if isinstance(n, dict):
            v.networks[_s(name)] = _s(n.get("IPAddress"))
    if v.own_netns:
        v.addresses = _own_addresses(ns)
    # NetworkSettings.Ports: what the engine really published (running); HostConfig.PortBindings: what was asked
    ports = _d(ns.get("Ports")) or _d(hc.get("PortBindings"))
    for key, binds in list(ports.items())[:256]:
        cport, _, proto = _s(key).partition("/")
        cp = _port(cport)
        if cp is None:
            continue
        for b in _l(binds)[:16]:
            if isinstance(b, dict) and _port(b.get("HostPort")):
                v.published.append(Published(cp, proto[:8] or "tcp", _s(b.get("HostIp")), _port(b.get("HostPort"))))
    same, open_, v.udp_loopback_ips = _udp_same_port(ports)
    v.udp_same_port, v.udp_same_port_open = _runs(same), _runs(open_)
    for m in _l(info.get("Mounts"))[:64]:
        if isinstance(m, dict):
            v.mounts.append(f"{_s(m.get('Source')) or '?'} -> {_s(m.get('Destination')) or '?'} ({'rw' if m.get('RW') else 'ro'})")
            if isinstance(m.get("Source"), str) and isinstance(m.get("Destination"), str):
                v.binds.append((m["Source"], m["Destination"], bool(m.get("RW"))))
    v.status = _s(st.get("Status"))
    v.restarting = bool(st.get("Restarting"))
    v.exit_code = st.get("ExitCode") if isinstance(st.get("ExitCode"), int) else None
    rc = info.get("RestartCount")
    v.restart_count = rc if isinstance(rc, int) else 0
    v.restart_policy = _s(_d(hc.get("RestartPolicy")).get("Name"))
    return v
