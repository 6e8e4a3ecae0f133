"""The static side of media in FreeSWITCH's config: where it says RTP is, and who can reach that.

Read from what the target's FreeSWITCH uses: the sofia profile's rtp-ip/ext-rtp-ip (vars expanded), vars.xml's
external_rtp_ip (`set` or `stun-set`; values `stun:`, `autonat:`, `host:` or an address), switch.conf.xml's
rtp-start-port/rtp-end-port (FreeSWITCH's defaults 16384–32768 when commented out). Pure functions of the texts.
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from fsnb.read import fsconfig

DEFAULT_RTP = (16384, 32768)


@dataclass
class MediaConf:
    rtp_ip: str = ""
    ext_rtp_ip: str = ""
    ext_kind: str = "none"       # ip | stun | autonat | host | none
    rtp_start: int = DEFAULT_RTP[0]
    rtp_end: int = DEFAULT_RTP[1]
    rtp_range_set: bool = False
    codec_prefs: str = ""


def ext_kind(value: str) -> str:
    v = value.strip().lower()
    if not v:
        return "none"
    for prefix in ("stun", "autonat", "host"):
        if v.startswith(prefix + ":") or v == "auto-nat" and prefix == "autonat":
            return prefix
    return "ip" if address(v) else "host"


def address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None


def vars_with_stun(text: str) -> dict[str, str]:
    """vars.xml's variables, `stun-set` lines included (fsconfig.parse_vars takes `set` only): FreeSWITCH resolves a
    stun-set value at start; fsnb keeps what is written (it asks no STUN server)."""
    root = fsconfig._parse(text, "vars.xml")
    out: dict[str, str] = {}
    for el in root.iter("X-PRE-PROCESS"):
        data = el.get("data") or ""
        if el.get("cmd") in ("set", "stun-set") and "=" in data:
            name, value = data.split("=", 1)
            out[name.strip()] = fsconfig.expand(value, out)
    return out


def rtp_range(switch_conf: str) -> tuple[int, int, bool]:
    """(start, end, configured) from switch.conf.xml's <settings>; commented-out params are not in effect."""
    root = fsconfig._parse(switch_conf, "autoload_configs/switch.conf.xml")
    got: dict[str, int] = {}
    for p in root.iter("param"):
        name, value = p.get("name", ""), (p.get("value") or "").strip()
        if name in ("rtp-start-port", "rtp-end-port") and value.isascii() and value.isdigit() and 0 < int(value) < 65536:
            got[name] = int(value)
    start, end = got.get("rtp-start-port", DEFAULT_RTP[0]), got.get("rtp-end-port", DEFAULT_RTP[1])
    return start, end, bool(got)


def read(vars_text: str, profile: fsconfig.ProfileConfig, switch_conf: str | None) -> MediaConf:
    variables = vars_with_stun(vars_text)
    ext = profile.get("ext-rtp-ip") or ""
    if "$${" in ext:      # a variable parse_vars did not know (a stun-set one): expand with stun-set included
        ext = fsconfig.expand(ext, variables)
    start, end, configured = rtp_range(switch_conf) if switch_conf else (*DEFAULT_RTP, False)
    return MediaConf(rtp_ip=profile.get("rtp-ip") or "", ext_rtp_ip=ext[:200], ext_kind=ext_kind(ext),
                     rtp_start=start, rtp_end=end, rtp_range_set=configured,
                     codec_prefs=(profile.get("inbound-codec-prefs") or "")[:200])


def reachable_from(addr: str, client: str, container: tuple[str, ...] | list[str] = ()) -> bool | None:
    """Can a browser at `client` (host | lan | internet) send to `addr`? None when `addr` is no address.

    `container`: the container's own addresses on its Docker networks, from Docker's record (dockerview.addresses;
    empty without it). Such an address (172.17.0.2 on docker0) is the Docker host's to reach, not the LAN's: a LAN
    browser reaches the host's address. Without Docker's record a private address stays reachable from the LAN —
    an address range alone does not say it is a container's."""
    ip = address(addr)
    if ip is None:
        return None
    if client == "host":
        return True
    if ip.is_loopback or ip.is_unspecified:
        return False
    if is_container_address(addr, container):
        return False
    if client == "lan":
        return True
    return ip.is_global


def is_container_address(addr: str, container: tuple[str, ...] | list[str]) -> bool:
    """`addr` is one of the container's own network addresses (compared as addresses, not as text)."""
    ip = address(addr)
    if ip is None or not container:
        return False
    return any(address(c) == ip for c in container)
