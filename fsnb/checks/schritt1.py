"""Schritt 1: Prüfe ob ESL funktioniert — and if not, say exactly why (fs_cli cannot)."""
from __future__ import annotations

import ipaddress
import socket

from .. import fsconfig, fsstatus
from .. import observed as obs
from ..errors import AccessError, ConfigError, FsnbError
from ..result import Evidence
from . import check, fail, ok, warn

WHY = {
    "refused": ("Verbindung abgelehnt: nichts lauscht auf {a}.", "Connection refused: nothing listens on {a}."),
    "connect-timeout": ("TCP-Verbindung zu {a} läuft in den Timeout.", "TCP connect to {a} times out."),
    "unreachable": ("{a} ist nicht erreichbar.", "{a} is unreachable."),
    "acl": ("ESL weist diesen Client per ACL ab (text/rude-rejection).", "ESL rejects this client by ACL (text/rude-rejection)."),
    "bad-password": ("ESL lehnt das Passwort ab (-ERR invalid).", "ESL rejects the password (-ERR invalid)."),
    "not-esl": ("Auf {a} antwortet etwas, das kein ESL ist.", "Something that is not ESL answers on {a}."),
    "no-answer": ("{a} nimmt Verbindungen an, schickt aber keinen ESL-Gruß (hängt).", "{a} accepts connections but never greets (hangs)."),
    "closed": ("{a} schließt die Verbindung ohne ESL-Gruß.", "{a} closes the connection without an ESL greeting."),
    "no-password": ("Kein ESL-Passwort verfügbar: {d}.", "No ESL password available: {d}."),
}


@check("schritt1.esl", "schritt1", "Schritt 1: ESL erreichbar und angemeldet (statt fs_cli)",
       "Step 1: ESL reachable and authenticated (instead of fs_cli)", observes=obs.Esl)
async def esl(ctx):
    p = await ctx.esl_probe()
    a = f"{ctx.fs.host}:{ctx.fs.esl_port}"
    ev = [Evidence("probe", f"{p.detail}\nerste Bytes: {p.first_bytes[:200]!r}", f"raw TCP {a}")]
    observed = {"outcome": p.outcome, "address": a, "elapsed_ms": round(p.elapsed * 1000, 1)}
    if p.outcome != "ok":
        de, en = WHY.get(p.outcome, ("{d}", "{d}"))
        fs_cli = " fs_cli meldet in all diesen Fällen nur 'Error Connecting []' (Exit 255)."
        return fail(de.format(a=a, d=p.detail) + fs_cli,
                    en.format(a=a, d=p.detail) + " fs_cli says only 'Error Connecting []' (exit 255) in every such case.",
                    evidence=ev, observed=observed)
    try:
        status = await ctx.api("status")
    except FsnbError as exc:
        return fail(f"ESL-Anmeldung ok, aber 'status' scheitert: {exc}", f"ESL auth ok, but 'status' fails: {exc}",
                    evidence=ev, observed=observed)
    ev.append(Evidence("api status", status, ctx.esl_via))
    observed["up"] = status.startswith("UP ")
    observed["uptime_s"] = fsstatus.uptime_seconds(status)
    if not status.startswith("UP "):
        return warn("ESL antwortet, aber FreeSWITCH meldet nicht 'UP'.", "ESL answers, but FreeSWITCH does not report 'UP'.",
                    evidence=ev, observed=observed)
    return ok(f"ESL auf {a}: Anmeldung ok, FreeSWITCH meldet {status.splitlines()[0][:40]}…",
              f"ESL on {a}: auth ok, FreeSWITCH reports {status.splitlines()[0][:40]}…", evidence=ev, observed=observed)


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
        return warn("Konfigurationsverzeichnis unbekannt; event_socket.conf.xml nicht geprüft.",
                    "Conf dir unknown; event_socket.conf.xml not checked.")
    try:
        path, text = await ctx.conf_file("autoload_configs/event_socket.conf.xml")
        _, vars_text = await ctx.conf_file("vars.xml")
    except AccessError as exc:
        return warn(str(exc), str(exc))
    try:
        variables = await fsconfig.parse_async(fsconfig.parse_vars, vars_text, timeout=ctx.timeout)
        cfg = await fsconfig.parse_async(fsconfig.parse_event_socket, text, variables, timeout=ctx.timeout)
    except ConfigError as exc:
        return warn(f"{path}: {exc}", f"{path}: {exc}")
    observed = {"read": True, "listen_ip": cfg.listen_ip, "listen_port": cfg.listen_port, "acl": cfg.apply_inbound_acl}
    ev = [Evidence(path, f"listen-ip = {cfg.listen_ip}\nlisten-port = {cfg.listen_port}\npassword = ********\n"
                         f"apply-inbound-acl = {cfg.apply_inbound_acl or '(nicht gesetzt: loopback.auto)'}",
                   ctx.host().via(f"file {path}"))]
    problems = []
    try:
        own = await ctx.host().own_addresses()
    except FsnbError:
        own = None
    # a container with its own network namespace: compare with its addresses; else try binding here (no packet sent)
    local = (cfg.listen_ip in own or cfg.listen_ip in ("0.0.0.0", "::")) if own is not None else _is_local(cfg.listen_ip)
    observed["listen_ip_local"] = local
    if local is False:
        problems.append(f"listen-ip {cfg.listen_ip} ist keine lokale Adresse: mod_event_socket loggt "
                        f"'Socket Error! Could not listen on {cfg.listen_ip}:{cfg.listen_port}' und ESL lauscht nie")
    if cfg.listen_ip == "::" and not await _has_ipv6(ctx):
        observed["ipv6_missing"] = True
        problems.append("listen-ip :: ohne IPv6: 'Cannot get information about IP address ::'")
    if cfg.listen_port != ctx.fs.esl_port:
        observed["port_mismatch"] = True
        problems.append(f"listen-port {cfg.listen_port} ≠ Ziel-Port {ctx.fs.esl_port}")
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
            problems.append(f"ACL {cfg.apply_inbound_acl!r} weist {client} ab")
    observed["problems"] = problems
    if problems:
        return fail("; ".join(problems), "; ".join(problems), evidence=ev, observed=observed)
    return ok(f"ESL konfiguriert: listen-ip {cfg.listen_ip}, Port {cfg.listen_port}, ACL {cfg.apply_inbound_acl or 'loopback.auto'}.",
              f"ESL configured: listen-ip {cfg.listen_ip}, port {cfg.listen_port}, ACL {cfg.apply_inbound_acl or 'loopback.auto'}.",
              evidence=ev, observed=observed)
