"""Docker's own view of the FreeSWITCH container (issue #18): network mode, published ports, mounts, restart state.

All of it from the one call fsnb already makes (GET /containers/<name>/json, procroot.inspect or the SDK's
inspect_container). Hostile data: only typed fields are taken, lists bounded.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Published:
    container_port: int
    proto: str                 # tcp | udp | sctp
    host_ip: str               # "" or 0.0.0.0: every address of the host
    host_port: int

    def text(self) -> str:
        return f"{self.host_ip or '0.0.0.0'}:{self.host_port} -> {self.container_port}/{self.proto}"


@dataclass
class DockerView:
    network_mode: str = ""            # host | none | bridge | default | container:<id> | <network name>
    own_netns: bool = False           # the container has its own network namespace (not the host's)
    networks: dict[str, str] = field(default_factory=dict)   # network name -> the container's IPv4 address there
    published: list[Published] = field(default_factory=list)
    # the container's UDP ports Docker publishes on the same host port, as (first, last) runs — over every entry of the
    # engine's record, not the capped `published`: a published RTP range is one entry per port (issue #22)
    udp_same_port: list[tuple[int, int]] = field(default_factory=list)
    mounts: list[str] = field(default_factory=list)          # "source -> destination (rw|ro)"
    binds: list[tuple[str, str, bool]] = field(default_factory=list)   # (source on the host, destination, rw)
    status: str = ""
    restart_count: int = 0
    restarting: bool = False
    restart_policy: str = ""
    exit_code: int | None = None

    def published_for(self, port: int, proto: str = "tcp") -> list[Published]:
        return [p for p in self.published if p.container_port == port and p.proto == proto]

    def udp_unpublished(self, start: int, end: int) -> list[tuple[int, int]]:
        """The runs of start..end that Docker does not publish as UDP on the same host port (FreeSWITCH names its
        own port in the SDP: a browser sends there, so a port published elsewhere does not carry it)."""
        missing, at = [], start
        for a, b in self.udp_same_port:
            if b < at or a > end:
                continue
            if a > at:
                missing.append((at, a - 1))
            at = max(at, b + 1)
        if at <= end:
            missing.append((at, end))
        return missing

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


def _udp_same_port(ports: dict) -> set[int]:
    out = set()
    for key, binds in list(ports.items())[:MAX_PORT_KEYS]:
        cport, _, proto = _s(key).partition("/")
        cp = _port(cport)
        if cp is not None and proto == "udp" and any(isinstance(b, dict) and _port(b.get("HostPort")) == cp
                                                     for b in _l(binds)[:16]):
            out.add(cp)
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
    v.udp_same_port = _runs(_udp_same_port(ports))
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
