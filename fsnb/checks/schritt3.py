"""Schritt 3: Prüfe ob Port 7443 lauscht — inside the container (/proc/net/tcp) and reachable from here."""
from __future__ import annotations

import asyncio

from fsnb.checks import T, check, fail, ok
from fsnb.diagnosis import observed as obs
from fsnb.errors import AccessError, FsnbError
from fsnb.read import procnet
from fsnb.result import Evidence

TEXTS = {
    "row": T("{role:<6} {port:>5}  lauscht auf: {on}   von hier ({host}): {r}",
             "{role:<6} {port:>5}  listening on: {on}   from here ({host}): {r}"),
    "upstream-elsewhere": T("nginx leitet an {h}:{p}, dort lauscht nichts — der Port lauscht auf {on}.",
                            "nginx proxies to {h}:{p}, nothing listens there — the port listens on {on}."),
    "foreign-holder": T("{p} ist offen, aber das Profil {n} läuft nicht: ein anderes Programm hält den Port.",
                        "{p} is open, but profile {n} is not running: another program holds the port."),
    "ok": T("{p} lauscht ({on}) und ist von hier erreichbar.", "{p} listens ({on}) and is reachable from here."),
    "ok-netns": T("{p} lauscht ({on}, im eigenen Netzwerk-Namespace des Containers, network mode {mode}) und ist von "
                  "hier erreichbar ({pub}).",
                  "{p} listens ({on}, in the container's own network namespace, network mode {mode}) and is reachable "
                  "from here ({pub})."),
    "paused": T("Der Container {c} ist pausiert (Docker-Status 'paused', `docker pause`): die Ports nehmen Verbindungen "
                "an, aber kein Prozess darin antwortet.", "Container {c} is paused (Docker status 'paused', `docker "
                "pause`): its ports accept connections, but no process in it answers."),
    "process-stopped": T("Der FreeSWITCH-Prozess ist angehalten (Zustand {s} in /proc, {src}: SIGSTOP, Strg-Z einer "
                         "Vordergrund-Sitzung oder ein Debugger): die Ports nehmen Verbindungen an, nichts antwortet.",
                         "FreeSWITCH's process is stopped (state {s} in /proc, {src}: SIGSTOP, Ctrl-Z of a foreground "
                         "session or a debugger): its ports accept connections, nothing answers."),
    "pub-by-docker": T("von Docker veröffentlicht: {x}", "published by Docker: {x}"),
    "pub-other": T("Docker veröffentlicht ihn nicht: etwas anderes leitet weiter",
                   "Docker does not publish it: something else forwards it"),
    "elsewhere": T("{p} lauscht auf {on}, nicht auf {h} — leere IP in wss-binding heißt sip-ip, nicht 0.0.0.0.",
                   "{p} listens on {on}, not on {h} — an empty IP in wss-binding means sip-ip, not 0.0.0.0."),
    "not-listening": T("Port {p} lauscht nicht ({r}).", "Port {p} is not listening ({r})."),
    # FreeSWITCH in the container's own network namespace: its 127.0.0.1 is not this machine's
    "container-unpublished": T(
        "{p} lauscht auf {on} — im eigenen Netzwerk-Namespace des Containers (Docker network mode {mode}), nicht "
        "auf diesem Rechner; Docker veröffentlicht {p}/tcp nicht (veröffentlicht: {pub}): von hier ({h}) {r}.",
        "{p} listens on {on} — in the container's own network namespace (Docker network mode {mode}), not on this "
        "machine; Docker publishes no {p}/tcp (published: {pub}): from here ({h}) {r}."),
    "container-loopback-only": T(
        "{p} ist veröffentlicht ({pub}), aber FreeSWITCH lauscht nur auf {on} im Namespace des Containers: Dockers "
        "Weiterleitung verbindet zur Container-Adresse, nicht zu dessen Loopback — von hier ({h}) {r}.",
        "{p} is published ({pub}), but FreeSWITCH listens only on {on} in the container's namespace: Docker's "
        "forwarding connects to the container's address, not its loopback — from here ({h}) {r}."),
    "other-netns": T("{p} lauscht laut Socket-Tabelle auf {on}, doch {h}:{p} ist von hier {r}: die Tabelle gehört "
                     "zu einem anderen Netzwerk-Namespace als dem, aus dem fsnb verbindet.",
                     "The socket table says {p} listens on {on}, yet {h}:{p} is {r} from here: the table belongs to "
                     "another network namespace than the one fsnb connects from."),
}


def _loopback(ip: str) -> bool:
    return ip.startswith("127.") or ip in ("::1", "::ffff:127.0.0.1")


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
        source = ctx.machine().via("cat /proc/net/tcp /proc/net/tcp6")
    except (AccessError, FsnbError) as exc:
        socks, source = None, f"not readable: {exc}"
    reach = await asyncio.gather(*(_reachable(h, p, min(ctx.timeout, 1.5)) for h, p in roles.values()))
    # where nginx sends its traffic: a listener elsewhere than that is a finding, not a pass
    upstream = None
    try:
        loc = await ctx.nginx_location()
        if loc is not None:
            upstream = (loc.host, loc.port)
    except FsnbError:
        pass
    view = await ctx.docker_view()
    observed, rows = {"source": source}, []
    if view is not None:
        observed.update(network_mode=view.network_mode, own_netns=view.own_netns,
                        published=[p.text() for p in view.published], container_status=view.status or None)
    for (role, (host, port)), r in zip(roles.items(), reach, strict=True):
        listening = sorted({s.ip for s in socks if s.port == port}) if socks is not None else None
        observed[role] = {"port": port, "listening_on": listening, "from_here": r, "expected": host}
        rows.append(TEXTS["row"].format(role=role, port=port, host=host, r=r,
                                      on=", ".join(listening) if listening else ("—" if listening is not None else "?")))
    ev = [Evidence("Sockets", T("\n".join(x.de for x in rows), "\n".join(x.en for x in rows)), source)]
    if view is not None:
        ev.append(Evidence("Docker", view.summary(), f"Docker engine: inspect {ctx.fs.container}"))
        if view.own_netns and socks is not None:
            # the ports that listen in the container but that nothing publishes to this machine
            observed["unpublished"] = [f"{role} {port}" for role, (_, port) in roles.items()
                                       if role != "nginx" and observed[role]["listening_on"]
                                       and observed[role]["from_here"] != "open" and not view.published_for(port)]
    proc = await ctx.process()
    if proc is not None and proc.state in ("T", "t"):
        # stopped (SIGSTOP, Ctrl-Z of a foreground `freeswitch -nc`, a debugger): as frozen as a paused container
        observed["process_state"] = proc.state
        return fail(TEXTS["process-stopped"].format(s=proc.state, src=proc.source), evidence=ev, observed=observed)
    if view is not None and view.status == "paused":
        # frozen by the engine: the kernel still completes every handshake in the backlog, no process ever answers
        return fail(TEXTS["paused"].format(c=ctx.fs.container), evidence=ev, observed=observed)
    wss = observed["wss"]
    elsewhere = wss["listening_on"] and wss["from_here"] != "open"
    if upstream and socks is not None:
        up_listen = sorted({s.ip for s in socks if s.port == upstream[1]})
        observed["nginx_upstream"] = {"host": upstream[0], "port": upstream[1], "listening_on": up_listen,
                                      "covered": any(procnet.covers(s, _ip(upstream[0])) for s in socks if s.port == upstream[1])}
    if wss["from_here"] == "open":
        up = observed.get("nginx_upstream")
        if up and up["listening_on"] and not up["covered"]:
            return fail(TEXTS["upstream-elsewhere"].format(h=up["host"], p=up["port"], on=", ".join(up["listening_on"])),
                        evidence=ev, observed=observed)
        where = ", ".join(wss["listening_on"] or ["?"])
        owner = await _profile_owns_wss(ctx)
        observed["profile_running"] = owner
        if owner is False:
            return fail(TEXTS["foreign-holder"].format(p=fs.wss_port, n=fs.profile), evidence=ev, observed=observed)
        if view is not None and view.own_netns:
            mine = ", ".join(p.text() for p in view.published_for(fs.wss_port))
            pub = TEXTS["pub-by-docker"].format(x=mine) if mine else TEXTS["pub-other"]
            return ok(TEXTS["ok-netns"].format(p=fs.wss_port, on=where, mode=view.network_mode or "?", pub=pub),
                      evidence=ev, observed=observed)
        return ok(TEXTS["ok"].format(p=fs.wss_port, on=where), evidence=ev, observed=observed)
    if elsewhere and view is not None and view.own_netns:
        pub = view.published_for(fs.wss_port)
        args = dict(p=fs.wss_port, on=", ".join(wss["listening_on"]), h=fs.host, r=wss["from_here"],
                    mode=view.network_mode or "?", pub=", ".join(p.text() for p in (pub or view.published)) or "—")
        if not pub:
            return fail(TEXTS["container-unpublished"].format(**args), evidence=ev, observed=observed)
        if all(_loopback(ip) for ip in wss["listening_on"]):
            return fail(TEXTS["container-loopback-only"].format(**args), evidence=ev, observed=observed)
    if elsewhere and socks is not None and any(procnet.covers(s, _ip(fs.host)) for s in socks if s.port == fs.wss_port):
        # it listens right there by the table, yet refuses: never "listens on X, not on X"
        return fail(TEXTS["other-netns"].format(p=fs.wss_port, on=", ".join(wss["listening_on"]), h=fs.host,
                                                r=wss["from_here"]), evidence=ev, observed=observed)
    if elsewhere:
        return fail(TEXTS["elsewhere"].format(p=fs.wss_port, on=", ".join(wss["listening_on"]), h=fs.host),
                    evidence=ev, observed=observed)
    return fail(TEXTS["not-listening"].format(p=fs.wss_port, r=wss["from_here"]), evidence=ev, observed=observed)


async def _profile_owns_wss(ctx) -> bool | None:
    """Is FreeSWITCH's profile up (so the open port is likely its own)? None when unknown."""
    from fsnb.errors import ProtocolError
    from fsnb.read import sofiastatus
    try:
        return sofiastatus.parse_profile(await ctx.api(f"sofia status profile {ctx.fs.profile}")).exists
    except (FsnbError, ProtocolError):
        pass
    try:
        from fsnb.checks.schritt2 import scan
        f = scan(await ctx.log_tail(), ctx.fs.profile)
        if f["bind_error"] or f["bad_pem"]:
            return False
    except FsnbError:
        pass
    return None


def _ip(host: str) -> str:
    return "127.0.0.1" if host == "localhost" else host
