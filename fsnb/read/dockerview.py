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
    mounts: list[str] = field(default_factory=list)          # "source -> destination (rw|ro)"
    binds: list[tuple[str, str, bool]] = field(default_factory=list)   # (source on the host, destination, rw)
    status: str = ""
    restart_count: int = 0
    restarting: bool = False
    restart_policy: str = ""
    exit_code: int | None = None

    def published_for(self, port: int, proto: str = "tcp") -> list[Published]:
        return [p for p in self.published if p.container_port == port and p.proto == proto]

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


def of(info: dict | None) -> DockerView | None:
    if not isinstance(info, dict):
        return None
    hc = info.get("HostConfig") or {}
    ns = info.get("NetworkSettings") or {}
    st = info.get("State") or {}
    mode = str(hc.get("NetworkMode") or "")
    v = DockerView(network_mode=mode, own_netns=mode != "host" and not mode.startswith("container:"))
    for name, n in list((ns.get("Networks") or {}).items())[:16]:
        if isinstance(n, dict):
            v.networks[str(name)] = str(n.get("IPAddress") or "")
    # NetworkSettings.Ports: what the engine really published (running); HostConfig.PortBindings: what was asked
    ports = ns.get("Ports") if isinstance(ns.get("Ports"), dict) and ns.get("Ports") else hc.get("PortBindings") or {}
    for key, binds in list(ports.items())[:256] if isinstance(ports, dict) else []:
        cport, _, proto = str(key).partition("/")
        cp = _port(cport)
        if cp is None:
            continue
        for b in (binds or [])[:16]:
            if isinstance(b, dict) and _port(b.get("HostPort")):
                v.published.append(Published(cp, proto or "tcp", str(b.get("HostIp") or ""), _port(b.get("HostPort"))))
    for m in (info.get("Mounts") or [])[:64]:
        if isinstance(m, dict):
            v.mounts.append(f"{m.get('Source', '?')} -> {m.get('Destination', '?')} ({'rw' if m.get('RW') else 'ro'})")
            if isinstance(m.get("Source"), str) and isinstance(m.get("Destination"), str):
                v.binds.append((m["Source"], m["Destination"], bool(m.get("RW"))))
    v.status = str(st.get("Status") or "")
    v.restarting = bool(st.get("Restarting"))
    v.exit_code = st.get("ExitCode") if isinstance(st.get("ExitCode"), int) else None
    rc = info.get("RestartCount")
    v.restart_count = rc if isinstance(rc, int) else 0
    v.restart_policy = str(((hc.get("RestartPolicy") or {}).get("Name")) or "")
    return v
