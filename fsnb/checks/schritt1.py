"""Schritt 1: Prüfe ob ESL funktioniert — and if not, say exactly why (fs_cli cannot)."""
from __future__ import annotations

import ipaddress
import socket

from fsnb import target as tgt
from fsnb.checks import T, check, fail, ok, same, warn
from fsnb.diagnosis import observed as obs
from fsnb.errors import AccessError, ConfigError, FsnbError
from fsnb.probe.esl import FramingError
from fsnb.read import fsconfig, fsstatus
from fsnb.result import Evidence

WHY = {   # the probe's outcome -> why ESL fails, where fs_cli only says 'Error Connecting []'
    "refused": T("Verbindung abgelehnt: nichts lauscht auf {a}.", "Connection refused: nothing listens on {a}."),
    "connect-timeout": T("TCP-Verbindung zu {a} läuft in den Timeout.", "TCP connect to {a} times out."),
    "unreachable": T("{a} ist nicht erreichbar.", "{a} is unreachable."),
    "acl": T("ESL weist diesen Client per ACL ab (text/rude-rejection).",
             "ESL rejects this client by ACL (text/rude-rejection)."),
    "bad-password": T("ESL lehnt das Passwort ab (-ERR invalid).", "ESL rejects the password (-ERR invalid)."),
    "not-esl": T("Auf {a} antwortet etwas, das kein ESL ist.", "Something that is not ESL answers on {a}."),
    "no-answer": T("{a} nimmt Verbindungen an, schickt aber keinen ESL-Gruß (hängt).",
                   "{a} accepts connections but never greets (hangs)."),
    "closed": T("{a} schließt die Verbindung ohne ESL-Gruß.", "{a} closes the connection without an ESL greeting."),
    "no-password": T("Kein ESL-Passwort verfügbar: {d}.", "No ESL password available: {d}."),
}
TEXTS = {
    "esl-listens": T(" Laut Socket-Tabelle von FreeSWITCH lauscht {p} auf {on}{ns}.",
                     " By FreeSWITCH's socket table, {p} listens on {on}{ns}."),
    "esl-listens-none": T(" Laut Socket-Tabelle von FreeSWITCH lauscht nichts auf {p}.",
                          " By FreeSWITCH's socket table, nothing listens on {p}."),
    "own-netns": T(" — im eigenen Netzwerk-Namespace des Containers (network mode {m}), nicht auf diesem Rechner",
                   " — in the container's own network namespace (network mode {m}), not on this machine"),
    "fs_cli": T(" fs_cli meldet in all diesen Fällen nur 'Error Connecting []' (Exit 255).",
                " fs_cli says only 'Error Connecting []' (exit 255) in every such case."),
    "first-bytes": T("{d}\nerste Bytes: {b}", "{d}\nfirst bytes: {b}"),
    "status-fails": T("ESL-Anmeldung ok, aber 'status' scheitert: {e}", "ESL auth ok, but 'status' fails: {e}"),
    "not-up": T("ESL antwortet, aber FreeSWITCH meldet nicht 'UP'.", "ESL answers, but FreeSWITCH does not report 'UP'."),
    "esl-ok": T("ESL auf {a}: Anmeldung ok, FreeSWITCH meldet {s}…", "ESL on {a}: auth ok, FreeSWITCH reports {s}…"),
    "conf-unknown": T("Konfigurationsverzeichnis unbekannt; event_socket.conf.xml nicht geprüft.",
                      "Conf dir unknown; event_socket.conf.xml not checked."),
    "not-local": T("listen-ip {ip} ist keine lokale Adresse: mod_event_socket loggt "
                   "'Socket Error! Could not listen on {ip}:{port}' und ESL lauscht nie",
                   "listen-ip {ip} is not a local address: mod_event_socket logs "
                   "'Socket Error! Could not listen on {ip}:{port}' and ESL never listens"),
    "no-ipv6": T("listen-ip :: ohne IPv6: 'Cannot get information about IP address ::'",
                 "listen-ip :: without IPv6: 'Cannot get information about IP address ::'"),
    "port-mismatch": T("listen-port {p} ≠ Ziel-Port {t}", "listen-port {p} ≠ the target's port {t}"),
    "acl-rejects": T("ACL {acl!r} weist {c} ab", "ACL {acl!r} rejects {c}"),
    "conf-ok": T("ESL konfiguriert: listen-ip {ip}, Port {port}, ACL {acl}.", "ESL configured: listen-ip {ip}, port {port}, ACL {acl}."),
}


@check("schritt1.esl", "schritt1", "Schritt 1: ESL erreichbar und angemeldet (statt fs_cli)",
       "Step 1: ESL reachable and authenticated (instead of fs_cli)", observes=obs.Esl)
async def esl(ctx):
    p = await ctx.esl_probe()
    a = tgt.netloc(ctx.fs.host, ctx.fs.esl_port)
    ev = [Evidence("probe", TEXTS["first-bytes"].format(d=p.detail, b=repr(p.first_bytes[:200])), f"raw TCP {a}")]
    observed = {"outcome": p.outcome, "address": a, "elapsed_ms": round(p.elapsed * 1000, 1)}
    if p.outcome != "ok":
        why = WHY.get(p.outcome, same("{d}")).format(a=a, d=p.detail)
        if p.outcome in ("refused", "connect-timeout", "unreachable"):
            why = why + await _where_it_listens(ctx, observed)
        return fail(why + TEXTS["fs_cli"], evidence=ev, observed=observed)
    try:
        status = await ctx.api("status")
    except FsnbError as exc:
        if isinstance(exc, FramingError):   # refused before python-ESL read it: name what was wrong
            observed["violation"] = exc.reason
        return fail(TEXTS["status-fails"].format(e=exc), evidence=ev, observed=observed)
    ev.append(Evidence("api status", status, ctx.esl_via))
    observed["up"] = status.startswith("UP ")
    observed["uptime_s"] = fsstatus.uptime_seconds(status)
    if not status.startswith("UP "):
        return warn(TEXTS["not-up"], evidence=ev, observed=observed)
    return ok(TEXTS["esl-ok"].format(a=a, s=status.splitlines()[0][:40]), evidence=ev, observed=observed)


async def _where_it_listens(ctx, observed: dict):
    """Where the ESL port really listens, from FreeSWITCH's own socket table (its container's namespace)."""
    try:
        socks = await ctx.listeners()
    except FsnbError:
        return same("")
    port = ctx.fs.esl_port
    on = sorted({s.ip for s in socks if s.port == port})
    observed["listening_on"] = on
    if not on:
        return TEXTS["esl-listens-none"].format(p=port)
    view = await ctx.docker_view()
    ns = TEXTS["own-netns"].format(m=view.network_mode) if view is not None and view.own_netns else same("")
    return TEXTS["esl-listens"].format(p=port, on=", ".join(on), ns=ns)


def _is_local(ip: str) -> bool | None:
    """Can this machine bind the address? (no packet is sent)"""
    if ip in ("0.0.0.0", "::", ""):
        return True
    try:
        fam = socket.AF_INET6 if ipaddress.ip_address(ip).version == 6 else socket.AF_INET
    except ValueError:
        return None
    with socket.socket(fam, socket.SOCK_STREAM) as s:
        try:
            s.bind((ip, 0))
            return True
        except OSError:
            return False


async def _has_ipv6(ctx) -> bool:
    """IPv6 where FreeSWITCH runs (the container's /proc, not this machine's)."""
    try:
        await ctx.read("/proc/net/if_inet6")
        return True
    except AccessError:
        return False


@check("schritt1.esl_config", "schritt1", "Schritt 1: event_socket.conf.xml (listen-ip, ACL)",
       "Step 1: event_socket.conf.xml (listen-ip, ACL)", observes=obs.EslConfig)
async def esl_config(ctx):
    conf_dir, _ = await ctx.conf_dir()
    if not conf_dir:
        return warn(TEXTS["conf-unknown"])
    try:
        path, text = await ctx.conf_file("autoload_configs/event_socket.conf.xml")
        _, vars_text = await ctx.conf_file("vars.xml")
    except AccessError as exc:
        return warn(same(str(exc)))
    try:
        variables = await fsconfig.parse_async(fsconfig.parse_vars, vars_text, timeout=ctx.timeout)
        cfg = await fsconfig.parse_async(fsconfig.parse_event_socket, text, variables, timeout=ctx.timeout)
    except ConfigError as exc:
        return warn(same(f"{path}: {exc}"))
    observed = {"read": True, "listen_ip": cfg.listen_ip, "listen_port": cfg.listen_port, "acl": cfg.apply_inbound_acl}
    ev = [Evidence(path, f"listen-ip = {cfg.listen_ip}\nlisten-port = {cfg.listen_port}\npassword = ********\n"
                         f"apply-inbound-acl = {cfg.apply_inbound_acl or '(loopback.auto)'}",
                   ctx.machine().via(f"file {path}"))]
    problems: list[T] = []
    try:
        own = await ctx.machine().own_addresses()
    except FsnbError:
        own = None
    # a container with its own network namespace: compare with its addresses; else try binding here (no packet sent)
    local = (cfg.listen_ip in own or cfg.listen_ip in ("0.0.0.0", "::")) if own is not None else _is_local(cfg.listen_ip)
    observed["listen_ip_local"] = local
    if local is False:
        problems.append(TEXTS["not-local"].format(ip=cfg.listen_ip, port=cfg.listen_port))
    if cfg.listen_ip == "::" and not await _has_ipv6(ctx):
        observed["ipv6_missing"] = True
        problems.append(TEXTS["no-ipv6"])
    if cfg.listen_port != ctx.fs.esl_port:
        observed["port_mismatch"] = True
        problems.append(TEXTS["port-mismatch"].format(p=cfg.listen_port, t=ctx.fs.esl_port))
    if cfg.apply_inbound_acl and cfg.apply_inbound_acl != "loopback.auto":
        try:
            acl_text = (await ctx.conf_file("autoload_configs/acl.conf.xml"))[1]
            lists = await fsconfig.parse_async(fsconfig.parse_acl, acl_text, timeout=ctx.timeout)
        except (AccessError, ConfigError):
            lists = {}
        lst = lists.get(cfg.apply_inbound_acl)
        client = "127.0.0.1" if ctx.fs.host in ("127.0.0.1", "localhost") else ctx.fs.host
        if lst is not None and not lst.allows(client):
            observed["acl_rejects_client"] = True
            problems.append(TEXTS["acl-rejects"].format(acl=cfg.apply_inbound_acl, c=client))
    observed["problems"] = [p.en for p in problems]
    if problems:
        return fail(same("; ").join(problems), evidence=ev, observed=observed)
    return ok(TEXTS["conf-ok"].format(ip=cfg.listen_ip, port=cfg.listen_port, acl=cfg.apply_inbound_acl or "loopback.auto"),
              evidence=ev, observed=observed)
