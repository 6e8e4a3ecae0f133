"""Schritt 3: Prüfe ob Port 7443 lauscht — inside the container (/proc/net/tcp) and reachable from here."""
from __future__ import annotations

import asyncio

from .. import observed as obs
from .. import procnet
from ..errors import AccessError, FsnbError
from ..result import Evidence
from . import check, fail, ok


async def _reachable(host: str, port: int, timeout: float) -> str:
    try:
        _, w = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
        w.close()
        return "open"
    except ConnectionRefusedError:
        return "refused"
    except asyncio.TimeoutError:
        return "timeout"
    except OSError as exc:
        return f"error: {exc.strerror or exc}"


@check("schritt3.ports", "schritt3", "Schritt 3: Ports 7443/5066/5060/8021/8082 lauschen (Adresse!)",
       "Step 3: ports 7443/5066/5060/8021/8082 listening (which address!)", observes=obs.Ports)
async def ports(ctx):
    fs, t = ctx.fs, ctx.target
    nhost, _, nport = t.nginx.address.rpartition(":")
    roles = {"wss": (fs.host, fs.wss_port), "ws": (fs.host, fs.ws_port), "sip": (fs.host, fs.sip_port),
             "esl": (fs.host, fs.esl_port), "nginx": (nhost or "127.0.0.1", int(nport))}
    try:
        socks = await ctx.listeners()
        source = ctx.host().via("cat /proc/net/tcp /proc/net/tcp6")
    except (AccessError, FsnbError) as exc:
        socks, source = None, f"not readable: {exc}"
    reach = await asyncio.gather(*(_reachable(h, p, min(ctx.timeout, 1.5)) for h, p in roles.values()))
    # where nginx sends its traffic: a listener elsewhere than that is a finding, not a pass
    upstream = None
    try:
        locs = await ctx.nginx_locations()
        if locs:
            upstream = (locs[0].host, locs[0].port)
    except FsnbError:
        pass
    observed, rows = {"source": source}, []
    for (role, (host, port)), r in zip(roles.items(), reach, strict=True):
        listening = sorted({s.ip for s in socks if s.port == port}) if socks is not None else None
        observed[role] = {"port": port, "listening_on": listening, "from_here": r, "expected": host}
        rows.append(f"{role:<6} {port:>5}  lauscht auf: {', '.join(listening) if listening else ('—' if listening is not None else '?')}"
                    f"   von hier ({host}): {r}")
    ev = [Evidence("Sockets", "\n".join(rows), source)]
    wss = observed["wss"]
    elsewhere = wss["listening_on"] and wss["from_here"] != "open"
    if upstream and socks is not None:
        up_listen = sorted({s.ip for s in socks if s.port == upstream[1]})
        observed["nginx_upstream"] = {"host": upstream[0], "port": upstream[1], "listening_on": up_listen,
                                      "covered": any(procnet.covers(s, _ip(upstream[0])) for s in socks if s.port == upstream[1])}
    if wss["from_here"] == "open":
        up = observed.get("nginx_upstream")
        if up and up["listening_on"] and not up["covered"]:
            return fail(f"nginx leitet an {up['host']}:{up['port']}, dort lauscht nichts — der Port lauscht auf "
                        f"{', '.join(up['listening_on'])}.",
                        f"nginx proxies to {up['host']}:{up['port']}, nothing listens there — the port listens on "
                        f"{', '.join(up['listening_on'])}.", evidence=ev, observed=observed)
        where = ", ".join(wss["listening_on"] or ["?"])
        owner = await _profile_owns_wss(ctx)
        observed["profile_running"] = owner
        if owner is False:
            return fail(f"{fs.wss_port} ist offen, aber das Profil {fs.profile} läuft nicht: ein anderes Programm hält den Port.",
                        f"{fs.wss_port} is open, but profile {fs.profile} is not running: another program holds the port.",
                        evidence=ev, observed=observed)
        return ok(f"7443 lauscht ({where}) und ist von hier erreichbar.", f"7443 listens ({where}) and is reachable from here.",
                  evidence=ev, observed=observed)
    if elsewhere:
        return fail(f"{fs.wss_port} lauscht auf {', '.join(wss['listening_on'])}, nicht auf {fs.host} — "
                    "leere IP in wss-binding heißt sip-ip, nicht 0.0.0.0.",
                    f"{fs.wss_port} listens on {', '.join(wss['listening_on'])}, not on {fs.host} — "
                    "an empty IP in wss-binding means sip-ip, not 0.0.0.0.", evidence=ev, observed=observed)
    return fail(f"Port {fs.wss_port} lauscht nicht ({wss['from_here']}).", f"Port {fs.wss_port} is not listening ({wss['from_here']}).",
                evidence=ev, observed=observed)


async def _profile_owns_wss(ctx) -> bool | None:
    """Is FreeSWITCH's profile up (so the open port is likely its own)? None when unknown."""
    from .. import sofiastatus
    from ..errors import ProtocolError
    try:
        return sofiastatus.parse_profile(await ctx.api(f"sofia status profile {ctx.fs.profile}")).exists
    except (FsnbError, ProtocolError):
        pass
    try:
        from .schritt2 import scan
        f = scan(await ctx.log_tail(), ctx.fs.profile)
        if f["bind_error"] or f["bad_pem"]:
            return False
    except FsnbError:
        pass
    return None


def _ip(host: str) -> str:
    return "127.0.0.1" if host == "localhost" else host
