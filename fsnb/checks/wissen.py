"""Was wir wissen — the analysis' "what works" list, verified instead of assumed."""
from __future__ import annotations

import asyncio
import os

from .. import certs, files, fsconfig, threads, tunnel
from .. import observed as obs
from ..errors import AccessError, ConfigError
from ..result import Evidence
from . import check, fail, ok, warn

ANALYSIS_CERTS = "/usr/local/freeswitch/certs"


@check("wissen.zertifikat", "wissen", "Zertifikat: wss.pem im certs-Verzeichnis, das FreeSWITCH nutzt",
       "Certificate: wss.pem in the certs dir FreeSWITCH really uses", observes=obs.Certificate)
async def zertifikat(ctx):
    certs_dir, source = await ctx.certs_dir()
    if not certs_dir:
        return fail("Kein certs-Verzeichnis gefunden (weder per ESL noch am Standardort).",
                    "No certs dir found (neither via ESL nor at a default location).")
    path = f"{certs_dir.rstrip('/')}/wss.pem"
    ev = [Evidence("certs_dir", f"{certs_dir}  ({source})", source)]
    if certs_dir.rstrip("/") != ANALYSIS_CERTS:
        ev.append(Evidence("Analyse", f"Die Analyse prüft {ANALYSIS_CERTS}; FreeSWITCH liest {certs_dir}."))
    try:
        pem = await ctx.read(path)
    except AccessError as exc:
        return fail(f"wss.pem fehlt: {exc}. FreeSWITCH erzeugt dann still ein selbstsigniertes (CN=FreeSWITCH).",
                    f"wss.pem missing: {exc}. FreeSWITCH then silently generates a self-signed one (CN=FreeSWITCH).",
                    evidence=ev, observed={"certs_dir": certs_dir, "present": False})
    rep = await certs.analyse_async(pem, [ctx.fs.host], ctx.timeout)
    ev.append(Evidence("wss.pem", f"{path}\nblocks: {', '.join(rep.blocks)}\nsubject: {rep.subject}\nissuer: {rep.issuer}\n"
                       f"not after: {rep.not_after}\nSAN: {', '.join(rep.sans) or '-'}", ctx.host().via(f"file {path}")))
    observed = {"certs_dir": certs_dir, "present": True, "blocks": rep.blocks, "subject": rep.subject,
                "not_after": rep.not_after, "not_before": rep.not_before, "sans": rep.sans, "problems": rep.problems,
                "warnings": rep.warnings, "self_signed_freeswitch": rep.self_signed_freeswitch,
                "unusable": rep.unusable, "validity": rep.validity}
    if rep.problems:
        return fail("wss.pem ist unbrauchbar: " + "; ".join(rep.problems), "wss.pem is unusable: " + "; ".join(rep.problems),
                    evidence=ev, observed=observed)
    if rep.warnings:
        return warn("wss.pem lädt, aber: " + "; ".join(rep.warnings), "wss.pem loads, but: " + "; ".join(rep.warnings),
                    evidence=ev, observed=observed)
    return ok(f"wss.pem in {certs_dir}: Schlüssel passt zum ersten Zertifikat, gültig bis {rep.not_after[:10]}.",
              f"wss.pem in {certs_dir}: key matches the first certificate, valid until {rep.not_after[:10]}.",
              evidence=ev, observed=observed)


@check("wissen.binding", "wissen", "Konfiguration: wss-binding in internal.xml", "Config: wss-binding in internal.xml",
       observes=obs.Binding)
async def binding(ctx):
    conf_dir, source = await ctx.conf_dir()
    if not conf_dir:
        return fail("FreeSWITCH-Konfigurationsverzeichnis nicht gefunden.", "FreeSWITCH conf dir not found.")
    name = ctx.fs.profile
    try:
        path, text = await ctx.conf_file(f"sip_profiles/{name}.xml")
        _, vars_text = await ctx.conf_file("vars.xml")
    except AccessError as exc:
        return fail(str(exc), str(exc), observed={"conf_dir": conf_dir})
    try:
        variables = await fsconfig.parse_async(fsconfig.parse_vars, vars_text, timeout=ctx.timeout)
        variables.setdefault("local_ip_v4", ctx.fs.host)
        prof = await fsconfig.parse_async(fsconfig.parse_profile, text, name, variables, timeout=ctx.timeout)
    except ConfigError as exc:
        return fail(f"{path}: {exc}", f"{path}: {exc}", observed={"conf_dir": conf_dir})
    sip_ip = prof.get("sip-ip") or variables.get("local_ip_v4", "")
    observed = {"conf_dir": conf_dir, "file": path, "read": True, "sip_ip": sip_ip, "ws_binding": prof.get("ws-binding"),
                "wss_binding": prof.get("wss-binding"), "wss_commented": "wss-binding" in prof.commented}
    lines = [f"{k} = {v}" for k, v in prof.params if k in ("sip-ip", "sip-port", "ws-binding", "wss-binding", "tls-cert-dir")]
    lines += [f"(auskommentiert) {k} = {v}" for k, v in prof.commented.items() if k in ("ws-binding", "wss-binding")]
    ev = [Evidence(path, "\n".join(lines), ctx.host().via(f"file {path}"))]
    for key in ("ws-binding", "wss-binding"):
        if prof.get(key):
            try:
                ip, port = fsconfig.split_binding(prof.get(key), sip_ip)
                observed[key.replace("-", "_") + "_effective"] = f"{ip}:{port}"
            except ConfigError as exc:
                return fail(f"{key}: {exc}", f"{key}: {exc}", evidence=ev, observed=observed)
    if not prof.get("wss-binding"):
        how = "auskommentiert" if observed["wss_commented"] else "nicht vorhanden"
        return fail(f"wss-binding ist in {path} {how}: FreeSWITCH öffnet 7443 nicht.",
                    f"wss-binding is {'commented out' if observed['wss_commented'] else 'missing'} in {path}: FreeSWITCH will not open 7443.",
                    evidence=ev, observed=observed)
    eff = observed.get("wss_binding_effective")
    note = " (leere IP = sip-ip, nicht 0.0.0.0)" if prof.get("wss-binding", "").startswith(":") else ""
    return ok(f"wss-binding {prof.get('wss-binding')} → lauscht auf {eff}{note}. Wirksam erst nach Profil-(Re)Start.",
              f"wss-binding {prof.get('wss-binding')} → binds {eff}. Takes effect only when the profile (re)starts.",
              evidence=ev, observed=observed)


def _port_of(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    return host.strip("[]") or "127.0.0.1", int(port)


@check("wissen.nginx", "wissen", "nginx: lauscht auf 8082 und leitet WebSocket richtig weiter",
       "nginx: listens on 8082 and proxies WebSocket correctly", observes=obs.Nginx)
async def nginx(ctx):
    t = ctx.target
    host, port = _port_of(t.nginx.address)
    try:
        _, w = await asyncio.wait_for(asyncio.open_connection(host, port), ctx.timeout)
        w.close()
        listening = True
    except (OSError, asyncio.TimeoutError):
        listening = False
    try:
        locs = await ctx.nginx_locations()
    except ConfigError as exc:
        return fail(f"nginx-Konfiguration nicht lesbar: {exc}", f"nginx config unreadable: {exc}",
                    observed={"listening": listening})
    mine = [l for l in locs if any(str(port) in x for x in l.listen)] or locs
    if not mine:
        return fail(f"{t.nginx.config}: kein proxy_pass gefunden.", f"{t.nginx.config}: no proxy_pass found.",
                    observed={"listening": listening})
    loc = mine[0]
    observed = {"listening": listening, "config_read": True, "proxy_pass": loc.proxy_pass, "scheme": loc.scheme, "upstream_host": loc.host,
                "upstream_port": loc.port, "http_version": loc.http_version, "upgrade": loc.upgrade_header,
                "connection": loc.connection_header, "read_timeout": loc.read_timeout}
    ev = [Evidence(f"{loc.file}:{loc.line}", "\n".join(f"{k}: {v}" for k, v in observed.items()), f"crossplane {loc.file}")]
    problems, warnings = [], []
    if not listening:
        problems.append(f"nichts lauscht auf {t.nginx.address}")
    fs = ctx.fs
    if loc.scheme == "http" and loc.port == fs.wss_port:
        observed["scheme_mismatch"] = True
        problems.append(f"proxy_pass http:// an den TLS-Port {fs.wss_port} (nginx: 502 'upstream prematurely closed')")
    if loc.scheme == "https" and loc.port == fs.ws_port:
        observed["scheme_mismatch"] = True
        problems.append(f"proxy_pass https:// an den Klartext-Port {fs.ws_port} (nginx: 502 nach ~10 s)")
    if loc.http_version != "1.1":
        warnings.append("proxy_http_version 1.1 fehlt")
    if not loc.upgrade_header:
        warnings.append("proxy_set_header Upgrade $http_upgrade fehlt")
    if not loc.connection_header or "upgrade" not in loc.connection_header.lower():
        warnings.append('proxy_set_header Connection "upgrade" fehlt')
    if _seconds(loc.read_timeout) < 300:
        warnings.append(f"proxy_read_timeout {loc.read_timeout or '60s (Standard)'}: ruhende WebSockets werden getrennt")
    observed["problems"], observed["warnings"] = problems, warnings
    if problems:
        return fail("; ".join(problems), "; ".join(problems), evidence=ev, observed=observed)
    if warnings:
        return warn("nginx leitet weiter, aber: " + "; ".join(warnings) + " (FreeSWITCH antwortet auch ohne — fragil, nicht die Ursache).",
                    "nginx proxies, but: " + "; ".join(warnings) + " (FreeSWITCH answers without them — fragile, not the cause).",
                    evidence=ev, observed=observed)
    return ok(f"nginx lauscht auf {t.nginx.address}, proxy_pass {loc.proxy_pass} mit HTTP/1.1, Upgrade und Connection.",
              f"nginx listens on {t.nginx.address}, proxy_pass {loc.proxy_pass} with HTTP/1.1, Upgrade and Connection.",
              evidence=ev, observed=observed)


def _seconds(v: str | None) -> float:
    if not v:
        return 60.0
    mult = {"s": 1, "m": 60, "h": 3600, "d": 86400, "ms": 0.001}
    for unit in ("ms", "s", "m", "h", "d"):
        if v.endswith(unit):
            try:
                return float(v[:-len(unit)]) * mult[unit]
            except ValueError:
                return 60.0
    try:
        return float(v)
    except ValueError:
        return 60.0


@check("wissen.tunnel", "wissen", "Cloudflare Tunnel: Hostname → http://localhost:8082", "Cloudflare Tunnel: hostname → nginx",
       observes=obs.Tunnel)
async def tunnel_check(ctx):
    t = ctx.target
    try:
        text = await threads.to_thread(files.read_text, os.path.expanduser(t.tunnel.config))
    except OSError as exc:
        return fail(f"cloudflared-Konfiguration nicht lesbar: {t.tunnel.config} ({exc.strerror})",
                    f"cloudflared config unreadable: {t.tunnel.config} ({exc.strerror})")
    try:
        ing = tunnel.parse(text, t.tunnel.hostname)
    except ConfigError as exc:
        return fail(str(exc), str(exc))
    observed = {"config_read": True, "hostname": t.tunnel.hostname, "service": ing.service, "catch_all": ing.catch_all,
                "standin": t.tunnel.standin}
    ev = [Evidence(t.tunnel.config, ctx.redactor.text(text), f"local file {t.tunnel.config}")]
    if ing.problems:
        return fail("; ".join(ing.problems), "; ".join(ing.problems), evidence=ev, observed=observed)
    svc = tunnel.service_target(ing.service or "")
    nhost, nport = _port_of(t.nginx.address)
    local = {"localhost", "127.0.0.1", "::1", nhost}
    observed["routes_to_nginx"] = bool(svc and svc[2] == nport and svc[1] in local)
    if not observed["routes_to_nginx"]:
        return fail(f"Ingress {t.tunnel.hostname} → {ing.service}, aber nginx lauscht auf {t.nginx.address}.",
                    f"Ingress {t.tunnel.hostname} → {ing.service}, but nginx listens on {t.nginx.address}.",
                    evidence=ev, observed=observed)
    if svc[0] == "https":
        return warn(f"Ingress nutzt {ing.service}: nginx auf {t.nginx.address} spricht kein TLS.",
                    f"Ingress uses {ing.service}: nginx on {t.nginx.address} does not speak TLS.", evidence=ev, observed=observed)
    if ing.warnings:
        return warn("; ".join(ing.warnings), "; ".join(ing.warnings), evidence=ev, observed=observed)
    return ok(f"Ingress {t.tunnel.hostname} → {ing.service} (nginx), mit Catch-all-Regel.",
              f"Ingress {t.tunnel.hostname} → {ing.service} (nginx), with a catch-all rule.", evidence=ev, observed=observed)
